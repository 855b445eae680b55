"""Keeping cards in step with the index: after a sync, cards whose chunk
changed are flagged, cards whose passage moved (a renamed or moved file)
follow it, and cards whose file is gone are retired (never deleted); a
retired card whose passage comes back, word for word, is active again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cards import similar
from .store import CardStore, text_hash

if TYPE_CHECKING:
    from index import Chunk, NotesIndex


@dataclass(frozen=True, slots=True)
class CardCheck:
    changed: int
    retired: int
    moved: int = 0  # followed their passage to another file, or came back
    problem: str = ""  # why the cards could not be checked (the index is synced all the same)


def check_sources(store: CardStore, index: NotesIndex) -> CardCheck:
    live = index.live_ids()
    changed = retired = moved = 0
    by_text: dict[str, Chunk] | None = None  # live chunks by text hash, read once if needed
    for card in store.cards(("active", "changed", "retired")):
        if card.chunk_id in live:
            if card.status == "retired":
                # Its file came back as it was (a remade card is "replaced", not retired).
                chunk = index.chunks([card.chunk_id])[0]
                store.move(
                    card.id, chunk.root, chunk.path, chunk.id, (chunk.start_line, chunk.end_line)
                )
                moved += 1
            continue
        record = index.files(card.root).get(card.path)
        if by_text is None:
            by_text = {text_hash(c.text): c for c in index.chunks(sorted(live))}
        if (same := by_text.get(card.text_hash)) is not None:
            store.move(card.id, same.root, same.path, same.id, (same.start_line, same.end_line))
            moved += 1
            continue
        if card.status == "retired":
            continue
        candidates = index.chunks(record.chunks) if record else []
        if not candidates:
            store.mark(card.id, "retired")
            retired += 1
            continue
        # The chunk of the file most like the card's old passage now holds its fact, if any.
        best = max(candidates, key=lambda c: similar(c.text, card.passage))
        store.mark(card.id, "changed", best.text, best.id)
        changed += 1
    return CardCheck(changed, retired, moved)
