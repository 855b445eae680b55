"""``Study``: what the front ends call for cards, reviews, quizzes and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from index import AssistantError, NotesNotFound

from . import review
from .cards import MakeProgress, make_cards
from .quiz import QuizQuestion, build_quiz
from .sources import CardCheck, check_sources
from .store import CardStore, StudyCard

if TYPE_CHECKING:
    from index import Chunk, NotesIndex

    from ..assistant import Assistant

_GRADE_PROMPT = (
    "A student answered a flashcard. Using only the passage, say in one or two "
    "sentences how well the student's answer matches, quoting the passage's words "
    "that decide it. Reply in the passage's language.\n\n"
    "Passage:\n{passage}\n\nQuestion: {question}\nStudent's answer: {reply}"
)


class NoCards(AssistantError):
    pass


class BadTopic(AssistantError):
    pass


class TopicTooLong(BadTopic):
    pass


# A topic names what to study in a few words ("GAN 的训练", "attention"); a
# longer text is a paste by mistake, and would be searched whole.
MAX_TOPIC = 200


class Study:
    def __init__(self, assistant: Assistant) -> None:
        self._assistant = assistant
        self.store = CardStore(assistant.settings.home.expanduser() / "study.sqlite")

    def _index(self) -> NotesIndex:
        return self._assistant._open()

    def chunks_for(
        self, path: Path | None = None, topic: str | None = None, k: int = 8
    ) -> list[Chunk]:
        """The passages to make cards from: those a topic retrieves, or every
        chunk of a notes file or folder."""
        if topic is not None:
            _check_topic(topic)
            if path is not None:
                raise BadTopic("Give a notes file or folder, or --topic, not both.")
        index = self._index()
        if topic is not None:
            return [p.chunk for p in index.search(topic, k)]
        if path is None:
            ids = [
                cid for root in index.roots for r in index.files(root).values() for cid in r.chunks
            ]
            return sorted(index.chunks(ids), key=lambda c: (c.root, c.path, c.start_line))
        target = path.expanduser().resolve()
        for root in index.roots:
            try:
                rel = target.relative_to(root).as_posix()
            except ValueError:
                continue
            ids = [
                cid
                for name, record in sorted(index.files(root).items())
                if rel in (".", name) or name.startswith(rel + "/")
                for cid in record.chunks
            ]
            if ids:
                return sorted(index.chunks(ids), key=lambda c: (c.path, c.start_line))
        raise NotesNotFound(
            f"{target} is not an indexed notes file or folder. "
            "Index it first with `notes-chat index FOLDER`."
        )

    def make(
        self,
        chunks: list[Chunk],
        n: int,
        *,
        model: str | None = None,
        progress: Callable[[MakeProgress], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[StudyCard]:
        chat = self._assistant.chat_client()
        model = model or self._assistant.settings.model
        return make_cards(
            chunks, self.store, chat, model=model, limit=n, progress=progress, stop=stop
        )

    def check_sources(self) -> CardCheck:
        """Flag the cards whose source changed, retire those whose file is gone."""
        if not self.store.path.exists():
            return CardCheck(0, 0)
        return check_sources(self.store, self._index())

    def keep(self, card: StudyCard) -> None:
        """Accept a changed source for ``card`` as it now reads."""
        if card.new_chunk_id is None:
            return
        found = self._index().chunks([card.new_chunk_id])
        if not found:
            raise NotesNotFound(
                f"The new source of card {card.id} is gone; run `notes-chat index`."
            )
        chunk = found[0]
        self.store.keep(card.id, chunk.id, chunk.text, (chunk.start_line, chunk.end_line))

    def remake(self, card: StudyCard, *, model: str | None = None) -> list[StudyCard]:
        """Make a new card from the source's new text of ``card``, and retire
        ``card`` once there is one (a model that fails or writes nothing
        usable leaves it as it was)."""
        if card.new_chunk_id is None:
            return []
        chunks = self._index().chunks([card.new_chunk_id])
        made = self.make(chunks, 1, model=model)
        if made:
            self.store.mark(card.id, "replaced")
        return made

    def due(self, at: datetime | None = None) -> list[StudyCard]:
        if not self.store.path.exists():  # no cards made yet: none due, and no store made
            return []
        return review.due_today(self.store, at)

    def next_due(self, at: datetime | None = None) -> datetime | None:
        """When a card in a learning step comes due later today, if one does."""
        if not self.store.path.exists():
            return None
        return review.next_due(self.store, at)

    def rate(self, card: StudyCard, rating: str | int, at: datetime | None = None) -> datetime:
        return review.rate(self.store, card, rating, at)

    def stats(self, at: datetime | None = None) -> review.ReviewStats:
        return review.stats(self.store, at)

    def grade(self, card: StudyCard, reply: str, *, model: str | None = None) -> str:
        """The model's view of how ``reply`` matches the card's passage."""
        prompt = _GRADE_PROMPT.format(passage=card.passage, question=card.question, reply=reply)
        return self._assistant.chat_client().complete(
            [{"role": "user", "content": prompt}],
            model=model or self._assistant.settings.model,
            options={"temperature": 0, "num_predict": 160},
        )

    def quiz(
        self,
        topic: str | None,
        n: int,
        *,
        model: str | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[QuizQuestion]:
        """Questions from the cards on ``topic`` (all cards without one);
        cards are made first from its passages when there are too few
        (``stop``: a quiz no longer wanted asks the model for no more)."""
        cards = self.store.cards(("active",))
        if topic is not None:
            chunks = self.chunks_for(topic=topic, k=max(n, 5))
            ids = {c.id for c in chunks}
            cards = [c for c in cards if c.chunk_id in ids]
            if len(cards) < n:
                try:
                    cards += self.make(chunks, n - len(cards), model=model, stop=stop)
                except AssistantError:
                    if not cards:  # nothing to quiz on without the model
                        raise
                    # A model that fails now leaves the cards there are: quiz on those.
        if not cards:
            raise NoCards("No cards to quiz on. Make some with `notes-chat cards make PATH`.")
        return build_quiz(cards, n)

    def export(self, target: Path, *, csv: bool = False) -> int:
        from .anki import ExportError, export_apkg, export_csv

        suffix = target.suffix.lower()
        if csv and suffix == ".apkg":
            raise ExportError(
                f"{target}: --csv writes CSV, which Anki would not import under that name; "
                "name it FILE.csv, or leave out --csv for an Anki package."
            )
        csv = csv or suffix == ".csv"
        if not csv and suffix != ".apkg":
            raise ExportError(
                f"{target}: an Anki package is written to a FILE.apkg (Anki imports only that "
                "name); name it so, or write CSV with --csv or a FILE.csv."
            )
        cards = self.store.cards(("active", "changed"))
        return export_csv(cards, target) if csv else export_apkg(cards, target)


def _check_topic(topic: str) -> None:
    """A topic is a few words to search for (``BadTopic`` if not)."""
    if len(topic) > MAX_TOPIC:
        raise TopicTooLong(
            f"The topic is {len(topic):,} characters long; a topic is a few words "
            f"(at most {MAX_TOPIC} characters), such as `GAN 的训练`."
        )
    if not any(ch.isalnum() for ch in topic):
        shown = f" ({topic.strip()})" if topic.strip() else ""
        raise BadTopic(
            f"The topic{shown} has no word to search for: give a few words, such as `GAN 的训练`."
        )
