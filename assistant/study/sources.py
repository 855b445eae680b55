"""Keeping cards in step with the index: after a sync, cards whose chunk
changed are flagged, cards whose file is gone are retired (never deleted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cards import similar
from .store import CardStore

if TYPE_CHECKING:
    from index import NotesIndex


@dataclass(frozen=True, slots=True)
class CardCheck:
    changed: int
    retired: int


def check_sources(store: CardStore, index: NotesIndex) -> CardCheck:
    live = index.live_ids()
    changed = retired = 0
    for card in store.cards(("active", "changed")):
        if card.chunk_id in live:
            continue
        record = index.files(card.root).get(card.path)
        candidates = index.chunks(record.chunks) if record else []
        if not candidates:
            store.mark(card.id, "retired")
            retired += 1
            continue
        # The chunk of the file most like the card's old passage now holds its fact, if any.
        best = max(candidates, key=lambda c: similar(c.text, card.passage))
        store.mark(card.id, "changed", best.text, best.id)
        changed += 1
    return CardCheck(changed, retired)
