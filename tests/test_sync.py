"""Incremental sync against a real Chroma on disk and a real BM25 index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import IndexMismatch, NotesIndex, NotesNotFound, NothingIndexed
from index import open_index as open_index_dir
from ingest import sync
from ingest.embed import HashingEmbedder
from ingest.sync import CHUNK_FIELDS, READER
from tests.conftest import RecordingEmbedder


def open_index(home: Path, embedder: object) -> NotesIndex:
    return open_index_dir(home / "index", embedder, create=True)  # type: ignore[arg-type]


def chroma_and_bm25_ids(index: NotesIndex) -> tuple[set[str], set[str]]:
    return index.stored_ids(), set(index._lexical_index().ids)


def assert_consistent(index: NotesIndex) -> None:
    """Chroma, BM25 and the manifest hold exactly the same chunks."""
    chroma, bm25 = chroma_and_bm25_ids(index)
    live = index.live_ids()
    assert chroma == live == bm25


def test_first_sync_indexes_every_file(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    report = sync(index, [notes])
    assert (report.added, report.changed, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.chunks_embedded == len(embedder.embedded) == report.chunks_total >= 3
    assert_consistent(index)
    paths = {p.chunk.path for p in index.search("生成器 判别器", k=3)}
    assert "dl/gan.md" in paths


def test_the_report_sums_a_sync_up_in_one_line(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    (notes / "rl.txt").unlink()
    (notes / "new.md").write_text("# 新笔记\n\n梯度下降沿负梯度方向更新参数。\n", encoding="utf-8")
    report = sync(index, [notes])
    total = report.chunks_total
    assert report.summary() == (
        f"1 added, 0 changed, 1 removed, 2 unchanged files; 1 chunks embedded, 1 removed, "
        f"{total} in the index ({report.seconds:.1f} s)."
    )
    assert report.short_summary() == "1 added, 0 changed, 1 removed."


def test_unchanged_resync_embeds_nothing(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    sync(open_index(isolated_home, embedder), [notes])
    embedder.embedded.clear()
    report = sync(open_index(isolated_home, embedder), [notes])
    assert report.unchanged == 3 and report.chunks_embedded == 0
    assert embedder.embedded == []


def test_chunks_whose_vectors_are_gone_are_embedded_again(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    # As when an indexed data dir is pointed at a new, empty Chroma server.
    index = open_index(isolated_home, embedder)
    first = sync(index, [notes])
    index._dense.delete(index.stored_ids())
    embedder.embedded.clear()
    report = sync(open_index(isolated_home, embedder), [notes])
    assert report.chunks_embedded == first.chunks_total == len(embedder.embedded)
    assert report.changed == 3
    assert_consistent(open_index(isolated_home, embedder))


def test_touched_but_identical_file_is_not_re_embedded(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    embedder.embedded.clear()
    target = notes / "rl.txt"
    os.utime(target, ns=(1, 1))
    report = sync(index, [notes])
    assert report.unchanged == 3 and embedder.embedded == []


def test_edit_re_embeds_only_the_changed_chunks(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    big = notes / "big.md"
    sections = [f"## 第{i}节\n\n" + f"第{i}节的内容讲的是第{i}个概念。" * 12 for i in range(8)]
    big.write_text("\n\n".join(sections), encoding="utf-8")
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    before = index.files(str(notes.resolve()))["big.md"].chunks
    embedder.embedded.clear()

    sections[5] = sections[5].replace("第5个概念", "第五个全新的概念")
    big.write_text("\n\n".join(sections), encoding="utf-8")
    report = sync(index, [notes])

    assert report.changed == 1 and report.unchanged == 3
    assert 0 < len(embedder.embedded) < len(before) / 2
    assert all("第五个全新的概念" in text for text in embedder.embedded)
    assert_consistent(index)
    [hit] = index.search("第五个全新的概念", k=1)
    assert hit.chunk.path == "big.md" and "第五个全新的概念" in hit.chunk.text


def test_lines_inserted_above_move_line_numbers_without_re_embedding(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    note = notes / "rl.txt"
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    [before] = [p for p in index.search("蒙特卡洛 回报", k=5) if p.chunk.path == "rl.txt"]
    note.write_text("\n\n\n" + note.read_text(encoding="utf-8"), encoding="utf-8")
    embedder.embedded.clear()
    sync(index, [notes])
    [after] = [p for p in index.search("蒙特卡洛 回报", k=5) if p.chunk.path == "rl.txt"]
    assert embedder.embedded == []
    assert after.chunk.start_line == before.chunk.start_line + 3
    # Each stored text line still knows its file line, moved too.
    assert after.chunk.lines == tuple(n + 3 for n in before.chunk.lines)
    file_lines = note.read_text(encoding="utf-8").split("\n")
    for text, number in zip(after.chunk.text.split("\n"), after.chunk.lines, strict=True):
        assert file_lines[number - 1].strip() == text.strip()


def test_deleted_file_leaves_chroma_and_bm25(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    gone = set(index.files(str(notes.resolve()))["dl/gan.md"].chunks)
    (notes / "dl" / "gan.md").unlink()
    report = sync(index, [notes])
    assert report.removed == 1 and report.chunks_removed == len(gone)
    chroma, bm25 = chroma_and_bm25_ids(index)
    assert not gone & chroma and not gone & bm25
    assert all(p.chunk.path != "dl/gan.md" for p in index.search("生成器 判别器 GAN", k=10))
    # and it stays gone after reopening from disk
    reopened = open_index_dir(isolated_home / "index", embedder)
    assert all(p.chunk.path != "dl/gan.md" for p in reopened.search("生成器 判别器", k=10))


def test_rename_leaves_no_trace_of_the_old_name(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    count = index.status().chunks
    (notes / "dl" / "gan.md").rename(notes / "dl" / "对抗网络.md")
    sync(index, [notes])
    assert index.status().chunks == count  # nothing duplicated
    assert_consistent(index)
    paths = {c.path for c in index._dense.all_chunks()}
    assert "dl/gan.md" not in paths and "dl/对抗网络.md" in paths


def test_fingerprint_mismatch_is_a_clear_error(isolated_home: Path, notes: Path) -> None:
    sync(open_index(isolated_home, HashingEmbedder(dim=256)), [notes])
    with pytest.raises(IndexMismatch, match="notes-chat index --rebuild"):
        open_index_dir(isolated_home / "index", HashingEmbedder(dim=128))


def test_searching_before_indexing_says_what_to_do(isolated_home: Path) -> None:
    with pytest.raises(NothingIndexed, match="notes-chat index"):
        open_index_dir(isolated_home / "index", HashingEmbedder())


def test_missing_root_is_named(
    isolated_home: Path, tmp_path: Path, embedder: RecordingEmbedder
) -> None:
    with pytest.raises(NotesNotFound, match="nowhere"):
        sync(open_index(isolated_home, embedder), [tmp_path / "nowhere"])


def test_unreadable_files_are_skipped_with_their_name(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    (notes / "photo.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (notes / "empty.md").write_text("  \n\n", encoding="utf-8")
    (notes / ".hidden.md").write_text("秘密", encoding="utf-8")
    report = sync(open_index(isolated_home, embedder), [notes])
    skipped = {s.path: s.reason for s in report.skipped}
    assert "binary" in skipped["photo.md"]
    assert "no text" in skipped["empty.md"]
    assert ".hidden.md" not in skipped and report.added == 4  # 3 notes + the empty one


def test_a_vector_left_by_a_cut_sync_is_reused_then_cleaned(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    index = open_index(isolated_home, embedder)
    sync(index, [notes])
    # A sync that stored vectors but died before writing the manifest:
    from ingest.sync import chunk_file

    root = str(notes.resolve())
    extra = notes / "new.md"
    extra.write_text("新笔记：残差连接缓解梯度消失。", encoding="utf-8")
    chunks = chunk_file(root, "new.md", [(None, extra.read_text(encoding="utf-8").splitlines())])
    orphan = chunk_file(root, "deleted-meanwhile.md", [(None, ["孤儿内容，没有文件认领。"])])
    index.add(chunks + orphan, embedder.embed_passages([c.text for c in chunks + orphan]))
    embedder.embedded.clear()

    index = open_index(isolated_home, embedder)  # a new process, as after a crash
    report = sync(index, [notes])
    assert report.added == 1 and embedder.embedded == []  # reused, not embedded again
    assert_consistent(index)
    assert orphan[0].id not in index.stored_ids()


def test_a_folder_of_empty_files_searches_to_nothing(isolated_home: Path, tmp_path: Path) -> None:
    root = tmp_path / "blank"
    root.mkdir()
    (root / "a.md").write_text("\n\n", encoding="utf-8")
    index = open_index(isolated_home, HashingEmbedder())
    report = sync(index, [root])
    assert report.chunks_total == 0 and report.skipped
    assert index.search("任何问题", k=3) == []


def test_an_index_read_by_an_older_reader_reads_every_file_again(
    isolated_home: Path, notes: Path, embedder: RecordingEmbedder
) -> None:
    # An older version recorded only "size/overlap"; it read some files into
    # other lines (GBK lines as �, U+2028 as a line break), so they must be
    # read again once, or index and doctor disagree about them for ever.
    index = open_index_dir(isolated_home / "index", embedder, create=True)
    first = sync(index, [notes])
    files = {root: index.files(root) for root in index.roots}
    index.commit(index.roots, files, [], chunking="700/120")
    embedder.embedded.clear()
    again = sync(index, [notes])
    assert again.changed == first.added and again.unchanged == 0
    assert embedder.embedded == []  # same text: nothing embedded again
    assert index.chunking == f"700/120/read{READER}/{CHUNK_FIELDS}"
