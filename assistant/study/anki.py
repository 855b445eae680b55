"""Exporting cards: an Anki package (``genanki``) or CSV."""

from __future__ import annotations

import csv
import hashlib
import html
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from index import AssistantError

from .store import StudyCard


class ExportError(AssistantError):
    pass


def _stable_id(text: str) -> int:
    # Anki ids are 64-bit; stable ones let a re-import update, not duplicate.
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) + (1 << 30)


def deck_name(card: StudyCard) -> str:
    """One deck per notes folder: the root's name, then the file's folders."""
    parts = [PurePosixPath(card.root).name or "notes", *PurePosixPath(card.path).parent.parts]
    return "::".join(parts)


def export_apkg(cards: Sequence[StudyCard], target: Path) -> int:
    """Write ``cards`` to ``target`` as decks of an Anki package; the count written."""
    import genanki

    if not cards:
        raise ExportError("No cards to export. Make some with `notes-chat cards make`.")
    model = genanki.Model(
        _stable_id("notes-chat card model"),
        "notes-chat card",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Source"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}<br><small>{{Source}}</small>',
            }
        ],
    )
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        name = deck_name(card)
        deck = decks.setdefault(name, genanki.Deck(_stable_id(name), name))
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[html.escape(card.question), html.escape(card.answer),
                        html.escape(card.location)],
                guid=genanki.guid_for(card.root, card.id),
            )
        )  # fmt: skip
    try:
        genanki.Package(list(decks.values())).write_to_file(str(target))
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    return len(cards)


def export_csv(cards: Sequence[StudyCard], target: Path) -> int:
    """Write ``cards`` as CSV: question, answer, source, deck."""
    rows: dict[str, list[StudyCard]] = defaultdict(list)
    for card in cards:
        rows[deck_name(card)].append(card)
    try:
        with target.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["question", "answer", "source", "deck"])
            for deck, group in rows.items():
                for c in group:
                    out.writerow([c.question, c.answer, c.location, deck])
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}") from exc
    return len(cards)
