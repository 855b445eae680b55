"""Whether the manifest, Chroma and BM25 of an index hold the same chunks.

A sync keeps them together, or leaves them apart in a way the next sync
mends; something else (a damaged store, a copied data dir) can leave them
apart for good. ``notes-chat doctor`` reports what this finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from .manifest import FileRecord


@dataclass(frozen=True, slots=True)
class Consistency:
    """Whether the manifest, Chroma and BM25 hold the same chunks."""

    live: int  # chunks the file records own
    shared: int  # chunk ids owned by more than one file record
    missing_vectors: frozenset[str]  # owned chunks with no vector in Chroma
    stray_vectors: frozenset[str]  # vectors no file owns (a cut sync leaves these)
    lexical_differs: bool  # the BM25 index does not hold exactly the owned chunks
    lexical_damage: str = ""  # why the saved BM25 files could not be read

    @property
    def ok(self) -> bool:
        return not (
            self.shared
            or self.missing_vectors
            or self.stray_vectors
            or self.lexical_differs
            or self.lexical_damage
        )


def check_consistency(
    files: Mapping[str, Mapping[str, FileRecord]],
    stored: Set[str],
    lexical: Iterable[str],
    lexical_damage: str,
) -> Consistency:
    """Compare the chunks the file records ``files`` own with the ids Chroma
    stores and those the BM25 index holds."""
    owned = [c for records in files.values() for r in records.values() for c in r.chunks]
    live = frozenset(owned)
    return Consistency(
        live=len(live),
        shared=len(owned) - len(live),
        missing_vectors=frozenset(live - stored),
        stray_vectors=frozenset(stored - live),
        lexical_differs=set(lexical) != live,
        lexical_damage=lexical_damage,
    )
