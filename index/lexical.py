"""``LexicalStore``: the saved BM25 indexes of one index directory, as
``DenseStore`` is its Chroma side.

Each sync that changes the chunk set saves a new generation, ``bm25-N``
(N grows), and the manifest names the live one. A generation that is
missing, of another format or damaged is rebuilt in memory from the chunk
texts, so a search still works; the next commit saves it again.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

from .bm25 import DamagedLexicalIndex, LexicalIndex, StaleLexicalIndex
from .types import Chunk


class LexicalStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index: LexicalIndex | None = None
        # Why the saved BM25 index could not be used, if it is damaged: it is
        # rebuilt in memory, and saved again by the next commit.
        self.damage = ""

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def forget(self) -> None:
        """Load again on next use (another manifest is in force)."""
        self._index = None

    def is_current(self, generation: str) -> bool:
        """Whether ``generation`` holds a complete index in this format."""
        return bool(generation) and LexicalIndex.is_current(self.directory / generation)

    def get(
        self, generation: str, stored_chunks: Callable[[], Mapping[str, Chunk]]
    ) -> LexicalIndex:
        """The index saved as ``generation``, loaded on first use; if it cannot
        be, one built in memory from ``stored_chunks()`` (by id)."""
        if self._index is None:
            try:
                self._index = self._load(generation)
            except StaleLexicalIndex as exc:
                if isinstance(exc, DamagedLexicalIndex):
                    self.damage = str(exc)
                # Saved by an older version (or never): rebuild it in memory
                # from the chunk texts; the next sync saves it.
                chunks = stored_chunks()
                self._index = LexicalIndex.build(frozenset(chunks), chunks)
        return self._index

    def _load(self, generation: str) -> LexicalIndex:
        if not generation:
            raise StaleLexicalIndex()
        return LexicalIndex.load(self.directory / generation)

    def save_next(
        self,
        previous: LexicalIndex,
        live: AbstractSet[str],
        new_chunks: Sequence[Chunk],
        fetch: Callable[[list[str]], list[Chunk]],
    ) -> str:
        """Index the chunks ``live`` and save them as the next generation,
        whose name is returned; it is then the one in use, undamaged.

        Tokens of chunks ``previous`` has are reused; other chunks are taken
        from ``new_chunks``, or else ``fetch``-ed (by id)."""
        chunks = {c.id: c for c in new_chunks}
        missing = [cid for cid in live if cid not in chunks and not previous.has(cid)]
        chunks.update({c.id: c for c in fetch(missing)})
        lexical = LexicalIndex.build(live, chunks, previous)
        generation = 1 + max(
            (
                int(p.name.split("-")[1])
                for p in self.directory.glob("bm25-*")
                if p.name[5:].isdigit()
            ),
            default=0,
        )
        name = f"bm25-{generation}"
        lexical.save(self.directory / name)
        self._index = lexical
        self.damage = ""
        return name

    def prune(self, keep: Collection[str]) -> None:
        """Delete every generation but those named in ``keep``."""
        for child in self.directory.glob("bm25-*"):
            if child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)
