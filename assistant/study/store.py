"""Cards and their review state in SQLite, in the data dir (never in the notes)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index import AssistantError
from index.types import printable

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    start_line INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    chunk_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    passage TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',  -- active | changed | retired | replaced
    new_text TEXT,                          -- the source's new text when changed
    new_chunk_id TEXT,                      -- and the chunk holding it
    fsrs TEXT,                              -- fsrs.Card JSON; NULL: never reviewed
    due TEXT NOT NULL,                      -- ISO UTC
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (status, due);
CREATE INDEX IF NOT EXISTS cards_chunk ON cards (chunk_id);
CREATE TABLE IF NOT EXISTS reviews (
    card_id INTEGER NOT NULL REFERENCES cards (id),
    rating INTEGER NOT NULL,                -- 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed TEXT NOT NULL                  -- ISO UTC
);
"""


class StudyStoreError(AssistantError):
    pass


class StudyStoreBusy(StudyStoreError):
    """Another program holds a lock on the card store longer than we wait."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StudyCard:
    """A question/answer card and the chunk it was made from."""

    id: int
    question: str
    answer: str
    root: str
    path: str
    start_line: int
    end_line: int
    chunk_id: str
    text_hash: str
    passage: str
    status: str = "active"
    new_text: str | None = None
    new_chunk_id: str | None = None
    fsrs: str | None = None
    due: str = ""

    @property
    def location(self) -> str:
        path = printable(self.path)  # a newline in the name would break the line
        if self.start_line == self.end_line:
            return f"{path}:{self.start_line}"
        return f"{path}:{self.start_line}-{self.end_line}"


_COLUMNS = (
    "id, question, answer, root, path, start_line, end_line, chunk_id, text_hash, "
    "passage, status, new_text, new_chunk_id, fsrs, due"
)


class CardStore:
    """``study.sqlite`` in the data dir: WAL, schema version in ``user_version``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, timeout=5)
        except sqlite3.Error as exc:
            raise StudyStoreError(f"Cannot open the card store {self.path}: {exc}") from exc
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StudyStoreError(
                    f"{self.path} was written by a newer notes-chat (schema {version}); "
                    "upgrade notes-chat to use it."
                )
            if version < SCHEMA_VERSION:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            with db:
                yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StudyStoreBusy(
                    f"The card store {self.path} is busy: another program holds it ({exc}). "
                    "Try again in a moment."
                ) from exc
            raise self._damaged(exc) from exc
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from exc
        finally:
            db.close()

    def _damaged(self, exc: sqlite3.DatabaseError) -> StudyStoreError:
        return StudyStoreError(
            f"The card store {self.path} is damaged ({exc}). Move it aside "
            f"(`mv {self.path} {self.path}.damaged`) to start a new one; "
            "the cards in it cannot be read."
        )

    def count(self) -> int:
        """How many cards there are, after SQLite's own check of the file
        (``StudyStoreError`` if it is damaged)."""
        with self._db() as db:
            if (verdict := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                raise sqlite3.DatabaseError(verdict)
            return int(db.execute("SELECT count(*) FROM cards").fetchone()[0])

    def add(
        self, question: str, answer: str, *, root: str, chunk_id: str, path: str,
        start_line: int, end_line: int, passage: str,
    ) -> StudyCard:  # fmt: skip
        stamp = now().isoformat()
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO cards (question, answer, root, path, start_line, end_line, "
                "chunk_id, text_hash, passage, due, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (question, answer, root, path, start_line, end_line, chunk_id,
                 text_hash(passage), passage, stamp, stamp),
            )  # fmt: skip
            card_id = cur.lastrowid
        return self.get(int(card_id or 0))

    def get(self, card_id: int) -> StudyCard:
        with self._db() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM cards WHERE id = ?", (card_id,)).fetchone()
        if row is None:
            raise StudyStoreError(
                f"There is no card {card_id} in the card store {self.path}: was the file "
                "replaced or emptied?"
            )
        return StudyCard(*row)

    def cards(self, status: Sequence[str] = ("active", "changed")) -> list[StudyCard]:
        marks = ",".join("?" * len(status))
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM cards WHERE status IN ({marks}) ORDER BY id", tuple(status)
            ).fetchall()
        return [StudyCard(*r) for r in rows]

    def due(self, until: datetime) -> list[StudyCard]:
        """Cards due by ``until``, the most overdue first (new cards by age)."""
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM cards WHERE status IN ('active', 'changed') "
                "AND due <= ? ORDER BY due, id",
                (until.isoformat(),),
            ).fetchall()
        return [StudyCard(*r) for r in rows]

    def record_review(
        self, card_id: int, rating: int, fsrs_json: str, due: datetime, *, was: str | None
    ) -> bool:
        """Store a review's new schedule if the card's FSRS state is still
        ``was`` (what the review started from) and it is still reviewed;
        whether it was."""
        with self._db() as db:
            updated = db.execute(
                "UPDATE cards SET fsrs = ?, due = ? WHERE id = ? AND fsrs IS ? "
                "AND status IN ('active', 'changed')",
                (fsrs_json, due.isoformat(), card_id, was),
            ).rowcount
            if not updated:
                return False
            db.execute(
                "INSERT INTO reviews (card_id, rating, reviewed) VALUES (?,?,?)",
                (card_id, rating, now().isoformat()),
            )
        return True

    def reviews(self) -> list[tuple[int, int, str]]:
        with self._db() as db:
            return db.execute("SELECT card_id, rating, reviewed FROM reviews").fetchall()

    def mark(
        self,
        card_id: int,
        status: str,
        new_text: str | None = None,
        new_chunk_id: str | None = None,
    ) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE cards SET status = ?, new_text = ?, new_chunk_id = ? WHERE id = ?",
                (status, new_text, new_chunk_id, card_id),
            )

    def move(
        self, card_id: int, root: str, path: str, chunk_id: str, lines: tuple[int, int]
    ) -> None:
        """The card's passage, word for word, is now this chunk (its file was
        renamed or moved, or it came back): follow it, active again."""
        with self._db() as db:
            db.execute(
                "UPDATE cards SET status = 'active', new_text = NULL, new_chunk_id = NULL, "
                "root = ?, path = ?, chunk_id = ?, start_line = ?, end_line = ? WHERE id = ?",
                (root, path, chunk_id, lines[0], lines[1], card_id),
            )

    def keep(self, card_id: int, chunk_id: str, passage: str, lines: tuple[int, int]) -> None:
        """Accept a changed source: the card now points at the new text."""
        with self._db() as db:
            db.execute(
                "UPDATE cards SET status = 'active', new_text = NULL, new_chunk_id = NULL, "
                "chunk_id = ?, "
                "passage = ?, text_hash = ?, start_line = ?, end_line = ? WHERE id = ?",
                (chunk_id, passage, text_hash(passage), lines[0], lines[1], card_id),
            )
