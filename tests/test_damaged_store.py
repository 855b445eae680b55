"""A damaged or missing file in the data dir: said plainly, never a silent
empty answer, and `index --rebuild` / `doctor --repair` recover without hand
work, keeping the remembered folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("cli_indexed")


def index_dir(home: Path) -> Path:
    return home / "index"


def assert_recovered(notes: Path) -> None:
    result = runner.invoke(app, ["search", "多头注意力 子空间", "--json", "-k", "1"])
    assert result.exit_code == 0, result.output
    assert '"path": "attention.md"' in result.stdout
    status = runner.invoke(app, ["status"])
    assert str(notes) in status.stdout


def test_deleted_vector_database_is_an_error_not_an_empty_answer(isolated_home: Path) -> None:
    (index_dir(isolated_home) / "chroma" / "chroma.sqlite3").unlink()
    result = runner.invoke(app, ["search", "多头注意力 子空间"])
    assert result.exit_code == 1
    assert "No matching passages" not in result.output
    assert "chroma.sqlite3 is missing" in result.stderr


@pytest.mark.parametrize("command", [["index", "--rebuild"], ["doctor", "--repair"]])
def test_corrupt_vector_database_is_recovered(
    isolated_home: Path, notes: Path, command: list[str]
) -> None:
    database = index_dir(isolated_home) / "chroma" / "chroma.sqlite3"
    database.write_bytes(b"\x13\x37garbage" * 4096)
    assert runner.invoke(app, ["search", "注意力"]).exit_code == 1
    result = runner.invoke(app, command)
    assert result.exit_code in (0, 1), result.output  # doctor may still miss Ollama
    assert_recovered(notes)
    # What could not be read is set aside, not deleted.
    assert list(index_dir(isolated_home).glob("chroma.damaged-*/chroma.sqlite3"))


@pytest.mark.parametrize("command", [["index", "--rebuild"], ["doctor", "--repair"]])
def test_damaged_manifest_is_recovered_keeping_its_folders(
    isolated_home: Path, notes: Path, command: list[str]
) -> None:
    manifest = index_dir(isolated_home) / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    # The roots survive; the file records are cut off.
    manifest.write_text(text.replace('"files": {', '"files": [', 1), encoding="utf-8")
    assert runner.invoke(app, ["search", "注意力"]).exit_code == 1
    result = runner.invoke(app, command)
    assert "Traceback" not in result.output
    assert_recovered(notes)


MANIFEST_DAMAGE = {
    # Cut short as a full disk or a crash of a copy would leave it: the
    # folders come first, the long file records after them.
    "cut after 200 bytes": lambda text: text[:200],
    # Nothing of it left: the folders' second record (roots.json) is used.
    "emptied": lambda text: "",
    "overwritten with a list": lambda text: "[]",
}


@pytest.mark.parametrize("damage", MANIFEST_DAMAGE, ids=list(MANIFEST_DAMAGE))
@pytest.mark.parametrize("command", [["index", "--rebuild"], ["doctor", "--repair"]])
def test_a_manifest_damaged_anywhere_keeps_its_folders(
    isolated_home: Path, notes: Path, command: list[str], damage: str
) -> None:
    manifest = index_dir(isolated_home) / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(MANIFEST_DAMAGE[damage](text), encoding="utf-8")
    failed = runner.invoke(app, ["search", "注意力"])
    assert failed.exit_code == 1 and "the folders are kept" in failed.stderr
    runner.invoke(app, command)
    assert_recovered(notes)


def test_a_manifest_without_any_record_of_its_folders_says_how_to_rebuild(
    isolated_home: Path,
) -> None:
    directory = index_dir(isolated_home)
    (directory / "manifest.json").write_text("", encoding="utf-8")
    (directory / "roots.json").unlink()
    for command in (["search", "注意力"], ["index", "--rebuild"], ["doctor", "--repair"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        assert "index --rebuild PATH" in result.stderr, (command, result.output)


def test_a_roots_copy_that_cannot_be_written_does_not_fail_a_sync(
    isolated_home: Path, notes: Path
) -> None:
    copy = index_dir(isolated_home) / "roots.json"
    copy.unlink()
    copy.mkdir()  # in the way
    result = runner.invoke(app, ["index", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert_recovered(notes)


def test_a_damaged_record_of_the_folders_yields_only_real_folders(tmp_path: Path) -> None:
    from index.manifest import readable_roots

    (tmp_path / "roots.json").write_text(
        '{"roots": ["", "relative/notes", "/a/notes/", "/a/notes", 7]}', encoding="utf-8"
    )
    assert readable_roots(tmp_path / "manifest.json") == ["/a/notes"]


def test_a_deleted_manifest_says_the_folders_are_remembered(
    isolated_home: Path, notes: Path
) -> None:
    (index_dir(isolated_home) / "manifest.json").unlink()
    result = runner.invoke(app, ["search", "注意力"])
    assert result.exit_code == 1 and str(notes) in result.stderr
    assert "run `notes-chat index`" in result.stderr
    assert runner.invoke(app, ["index"]).exit_code == 0  # the advice, followed
    assert_recovered(notes)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = {
    "garbage ids.json": lambda d: (d / "ids.json").write_text('{"x": 1}', encoding="utf-8"),
    "random bytes in a .npy": lambda d: (d / "words" / "indices.csc.index.npy").write_bytes(
        bytes(range(256)) * 4
    ),
    "zero-length file": lambda d: (d / "offsets.npy").write_bytes(b""),
    "truncated tokens.npy": lambda d: truncate(d / "tokens.npy"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_bm25_files_are_found_said_and_rebuilt(
    isolated_home: Path, notes: Path, damage: str
) -> None:
    from index.manifest import read_manifest

    directory = index_dir(isolated_home)
    DAMAGE[damage](directory / read_manifest(directory / "manifest.json").bm25)
    # Search still works (rebuilt in memory from Chroma's texts).
    assert_recovered(notes)
    result = runner.invoke(app, ["doctor"])
    assert "Traceback" not in result.output
    assert "BM25 index in" in result.stdout and "is damaged" in result.stdout, result.output
    runner.invoke(app, ["doctor", "--repair"])
    result = runner.invoke(app, ["doctor"])
    assert "index consistent" in result.stdout, result.output
