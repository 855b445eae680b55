"""Bad input: each case gives a warning naming the file (or is handled
silently where nothing is wrong) and loses nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import NotesIndex, open_index
from ingest import Skipped, SyncProgress, sync
from ingest.chunk import DEFAULT_SIZE
from ingest.embed import HashingEmbedder
from ingest.read import read_pages
from tests.conftest import SHARED_NOTES


def index_of(home: Path) -> NotesIndex:
    return open_index(home / "index", HashingEmbedder(), create=True)


def indexed_paths(index: NotesIndex, root: Path) -> set[str]:
    return set(index.files(str(root.resolve())))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text("# 好笔记\n\n注意力机制计算相似度。", encoding="utf-8")
    return folder


def test_invalid_utf8_in_the_middle_is_read_not_lost(isolated_home: Path, root: Path) -> None:
    data = (
        ("前半部分讲卷积网络。" * 30).encode()
        + b"\xff\xfe\x80"
        + ("后半部分讲池化。" * 30).encode()
    )
    (root / "broken.md").write_bytes(data)
    index = index_of(isolated_home)
    report = sync(index, [root])
    assert "broken.md" in indexed_paths(index, root)
    assert any("后半部分讲池化" in p.chunk.text for p in index.search("池化", k=3))
    assert not [s for s in report.skipped if s.path == "good.md"]
    assert Skipped("broken.md", "line 1: damaged UTF-8 bytes shown as �", True) in report.skipped


MIXED = [
    "# 梯度下降",
    "",
    "学习率决定每一步走多远，太大会发散，太小收敛很慢。" * 20,  # its own chunk
    "",
    "## 反向传播",  # lines 5-6 are pasted from a GBK page
    "链式法则从输出层向输入层逐层计算每个参数的梯度。",
    "",
    "## 注意力",
    "注意力机制计算查询和键的相似度，再加权求和值向量。" * 20,
]


def test_gbk_lines_in_a_utf8_file_are_decoded_on_their_own_lines(
    isolated_home: Path, root: Path
) -> None:
    from typer.testing import CliRunner

    from cli import app

    data = b"\r\n".join(
        line.encode("gbk" if number in (5, 6) else "utf-8")
        for number, line in enumerate(MIXED, start=1)
    )
    (root / "mixed.md").write_bytes(data)
    [page] = read_pages(root / "mixed.md")
    assert page.lines == MIXED  # every line decoded, none moved

    env = {"NOTES_CHAT_EMBEDDER": "hashing"}
    result = CliRunner().invoke(app, ["index", str(root)], env=env)
    assert result.exit_code == 0, result.output
    assert "warning: mixed.md: lines 5-6: not UTF-8, read as gb18030" in result.stderr
    assert "skipped mixed.md" not in result.stderr
    result = CliRunner().invoke(app, ["search", "链式法则计算梯度", "--json"], env=env)
    [hit] = [p for p in json.loads(result.stdout) if "链式法则" in p["text"]]
    # cited from line 5, where the GBK lines stand in the file
    assert (hit["path"], hit["start_line"]) == ("mixed.md", 5)
    assert hit["text"].split("\n")[:2] == MIXED[4:6]
    assert "\ufffd" not in result.stdout


def test_a_very_long_single_line_is_chunked(isolated_home: Path, root: Path) -> None:
    text = "没有标点的长句" * 20000
    (root / "one-line.txt").write_text(text, encoding="utf-8")
    index = index_of(isolated_home)
    report = sync(index, [root])
    assert report.chunks_total >= len(text) // DEFAULT_SIZE
    assert all(len(c.text) <= DEFAULT_SIZE for c in index._dense.all_chunks())


HUGE_FILE_SYNC = """
import json, resource, sys, time
from pathlib import Path
from index import open_index
from ingest import sync
from ingest.embed import HashingEmbedder
index = open_index(Path(sys.argv[1]), HashingEmbedder(), create=True)
events = []
report = sync(index, [Path(sys.argv[2])], progress=lambda p: events.append(
    (time.monotonic(), p.phase, p.done, p.total)))
print(json.dumps({
    "chunks": report.chunks_total, "skipped": len(report.skipped), "events": events,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


@pytest.mark.slow
def test_a_50_mb_text_file_is_indexed_in_bounded_memory_with_progress(
    tmp_path: Path, root: Path
) -> None:
    sample = "".join(p.read_text(encoding="utf-8") for p in sorted(SHARED_NOTES.glob("*.txt")))
    sample = sample or "注意力机制计算查询与键的相似度。\n" * 1000
    data = sample.encode()
    with (root / "huge.txt").open("wb") as out:
        for _ in range(50 * 2**20 // len(data) + 1):
            out.write(data)
    done = subprocess.run(
        [sys.executable, "-c", HUGE_FILE_SYNC, str(tmp_path / "index"), str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["skipped"] == 0
    assert result["chunks"] > 20000
    # Progress keeps coming while the big file is embedded ...
    embed = [e for e in result["events"] if e[1] == "embed"]
    assert len(embed) >= result["chunks"] // 16
    assert max(b[0] - a[0] for a, b in zip(embed, embed[1:], strict=False)) < 30
    # ... and memory stays well below what lists of tokens once took (2 GB).
    assert result["peak_mb"] < 1200


def test_symlink_loop_and_link_out_of_the_root_are_not_followed(
    isolated_home: Path, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.md").write_text("不该被索引的秘密。", encoding="utf-8")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "secret-link.md").symlink_to(outside / "secret.md")
    index = index_of(isolated_home)
    sync(index, [root])
    assert indexed_paths(index, root) == {"good.md"}


def test_unreadable_file_is_named_and_keeps_its_old_chunks(
    isolated_home: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = index_of(isolated_home)
    sync(index, [root])
    before = index.files(str(root.resolve()))["good.md"]
    (root / "good.md").write_text("# 改过了\n\n新的内容。", encoding="utf-8")
    real_read = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "good.md":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    report = sync(index, [root])
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("good.md", "cannot read it: Permission denied")
    ]
    assert index.files(str(root.resolve()))["good.md"] == before


def test_file_deleted_or_changed_while_indexing(isolated_home: Path, root: Path) -> None:
    (root / "doomed.md").write_text("马上就会被删除。", encoding="utf-8")
    (root / "moving.md").write_text("旧的内容。", encoding="utf-8")

    def meddle(event: SyncProgress) -> None:
        if event.phase == "scan" and event.current == "doomed.md":
            (root / "doomed.md").unlink()
        if event.phase == "scan" and event.current == "moving.md":
            (root / "moving.md").write_text("写到一半被改成了新的内容。", encoding="utf-8")

    index = index_of(isolated_home)
    report = sync(index, [root], progress=meddle)
    assert indexed_paths(index, root) == {"good.md", "moving.md"}
    assert not report.skipped
    assert any("新的内容" in p.chunk.text for p in index.search("新的内容", k=3))
    assert index.consistency().ok


def test_awkward_file_names(isolated_home: Path, root: Path) -> None:
    (root / "with spaces.md").write_text("空格文件名。", encoding="utf-8")
    (root / "中文 名字.md").write_text("中文文件名。", encoding="utf-8")
    fd = os.open(os.fsencode(root) + b"/bad-\xff-name.md", os.O_WRONLY | os.O_CREAT)
    os.write(fd, "坏文件名。".encode())
    os.close(fd)
    index = index_of(isolated_home)
    report = sync(index, [root])
    assert {"with spaces.md", "中文 名字.md", "good.md"} == indexed_paths(index, root)
    assert [s.reason for s in report.skipped] == ["the file name is not valid UTF-8; rename it"]
    assert report.skipped[0].path == "bad-\ufffd-name.md"


def test_notes_are_never_written(isolated_home: Path, root: Path, notes: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    def snapshot() -> dict[str, tuple[bytes, int]]:
        return {
            str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in notes.rglob("*") if p.is_file()
        }

    before = snapshot()
    runner = CliRunner()
    env = {"NOTES_CHAT_EMBEDDER": "hashing", "NOTES_CHAT_OLLAMA_HOST": "127.0.0.1:9"}
    assert runner.invoke(app, ["index", str(notes)], env=env).exit_code == 0
    assert runner.invoke(app, ["search", "GAN"], env=env).exit_code == 0
    runner.invoke(app, ["ask", "GAN 由什么组成？"], env=env)
    assert runner.invoke(app, ["index", "--rebuild"], env=env).exit_code == 0
    assert runner.invoke(app, ["doctor", "--repair"], env=env).exit_code in (0, 1)
    assert snapshot() == before


def test_a_symlink_loop_between_two_files_is_skipped_with_a_warning(
    isolated_home: Path, root: Path
) -> None:
    (root / "a.md").symlink_to(root / "b.md")
    (root / "b.md").symlink_to(root / "a.md")
    index = index_of(isolated_home)
    report = sync(index, [root])
    assert indexed_paths(index, root) == {"good.md"}
    assert {s.path for s in report.skipped} == {"a.md", "b.md"}
    assert all("symbolic links" in s.reason for s in report.skipped)


def test_a_pipe_or_device_named_md_is_skipped_not_read(isolated_home: Path, root: Path) -> None:
    import stat
    import threading

    os.mkfifo(root / "pipe.md")  # reading it would wait forever
    os.mknod(root / "zero.md", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: never ends
    index = index_of(isolated_home)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(sync(index, [root])), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the sync hung on a pipe or device"
    [report] = reports
    assert indexed_paths(index, root) == {"good.md"}
    assert {s.path: s.reason for s in report.skipped} == {
        "pipe.md": "not a regular file (a pipe, socket or device)",
        "zero.md": "not a regular file (a pipe, socket or device)",
    }


SYNC_AS_USER = """
import sys
from pathlib import Path
from index import open_index
from ingest import sync
from ingest.embed import HashingEmbedder
index = open_index(Path(sys.argv[1]), HashingEmbedder(), create=True)
report = sync(index, [Path(sys.argv[2])])
print(sorted(index.files(str(Path(sys.argv[2]).resolve()))))
print([(s.path, s.reason) for s in report.skipped])
"""


@pytest.mark.skipif(
    not Path("/usr/sbin/capsh").exists(), reason="needs capsh to drop root's reading rights"
)
def test_an_unreadable_subfolder_keeps_its_chunks_and_is_named(
    isolated_home: Path, root: Path
) -> None:
    (root / "private").mkdir()
    (root / "private" / "kept.md").write_text("# 私密\n\n卷积核提取局部特征。", encoding="utf-8")
    index = index_of(isolated_home)
    sync(index, [root])
    assert indexed_paths(index, root) == {"good.md", "private/kept.md"}
    del index
    (root / "private").chmod(0)
    try:
        done = subprocess.run(
            ["/usr/sbin/capsh", "--drop=cap_dac_override,cap_dac_read_search", "--",
             "-c", f'exec "{sys.executable}" -c "$0" "$1" "$2"', SYNC_AS_USER,
             str(isolated_home / "index"), str(root)],
            capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
    finally:
        (root / "private").chmod(0o755)
    assert done.returncode == 0, done.stderr
    files, skipped = done.stdout.splitlines()
    assert files == "['good.md', 'private/kept.md']"
    assert "private" in skipped and "its chunks are kept" in skipped
