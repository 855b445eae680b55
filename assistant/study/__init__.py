"""Study mode: cards made from the notes, reviewed on an FSRS schedule,
quizzes, and export to Anki."""

from .store import CardStore, StudyCard

__all__ = ["CardStore", "StudyCard"]
