"""Reviewing cards on the FSRS schedule (the ``fsrs`` package, as modern Anki)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from index import AssistantError

from .store import CardStore, StudyCard, now

RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}


class BadRating(AssistantError):
    pass


class StaleCard(AssistantError):
    """The card was rated in another review session, or replaced or
    retired, since this one showed it: nothing was rated."""


@dataclass(frozen=True, slots=True)
class ReviewStats:
    due_today: int
    reviewed_today: int
    reviewed_total: int
    retention: float | None  # share of reviews not rated Again; None before any
    streak: int  # consecutive days with a review, up to today (or yesterday)

    def summary(self) -> str:
        """The figures on one line, as both front ends show them."""
        retention = f"{self.retention:.0%}" if self.retention is not None else "–"
        return (
            f"Due today: {self.due_today}   reviewed today: {self.reviewed_today} "
            f"(all time {self.reviewed_total})   retention: {retention}   "
            f"streak: {self.streak} days"
        )


def end_of_today(at: datetime | None = None) -> datetime:
    """The end of the local day, in UTC: what "due today" means to a student."""
    local = (at or now()).astimezone()
    end = local.replace(hour=23, minute=59, second=59, microsecond=0)
    return end.astimezone(UTC)


# FSRS's Learning and Relearning states: a card in a step of minutes (after
# Again, or when new), which is not to be seen again before its time.
_LEARNING_STATES = (1, 3)


def due_today(store: CardStore, at: datetime | None = None) -> list[StudyCard]:
    """The cards to review now: those due by the end of the local day (a
    review a few hours ahead is as good today), except a card in a learning
    step that is not due yet: a card just rated Again comes back when its
    minute is up, not at once."""
    at = at or now()
    return [c for c in store.due(end_of_today(at)) if not _waiting(c, at)]


def next_due(store: CardStore, at: datetime | None = None) -> datetime | None:
    """When the first card not due now comes due today, if one does."""
    at = at or now()
    waiting = [c for c in store.due(end_of_today(at)) if _waiting(c, at)]
    return min((datetime.fromisoformat(c.due) for c in waiting), default=None)


def _waiting(card: StudyCard, at: datetime) -> bool:
    if not card.fsrs or json.loads(card.fsrs).get("state") not in _LEARNING_STATES:
        return False
    return datetime.fromisoformat(card.due) > at


def rate(
    store: CardStore, card: StudyCard, rating: str | int, at: datetime | None = None
) -> datetime:
    """Schedule ``card`` (as the review showed it) after a review rated
    Again/Hard/Good/Easy (or 1–4); returns when it is due next. The FSRS
    state is stored with the card, unless another session rated the card
    since it was shown: then that rating stands (``StaleCard``), as two
    reviews minutes apart would push the card out as if learned twice."""
    from fsrs import Card, Rating, Scheduler

    value = RATINGS.get(rating.lower()) if isinstance(rating, str) else rating
    if value not in (1, 2, 3, 4):
        raise BadRating(f"Unknown rating {rating!r}: use again, hard, good or easy (1–4).")
    state = Card.from_json(card.fsrs) if card.fsrs else Card(card_id=card.id)
    # Fuzzing off: the same answers give the same schedule, which a student
    # can reason about (and tests can check).
    scheduler = Scheduler(enable_fuzzing=False)
    state, _ = scheduler.review_card(state, Rating(value), review_datetime=at or now())
    if not store.record_review(card.id, value, state.to_json(), state.due, was=card.fsrs):
        raise StaleCard(stale(card, store.get(card.id)) or "This card changed since it was shown.")
    return state.due


def stale(shown: StudyCard, current: StudyCard) -> str:
    """Why a card as a review loaded it (``shown``) is not to be shown or
    rated any more, as the store has it now (``current``): another session
    rated it, or it was replaced or retired; "" if it is as it was."""
    if current.status not in ("active", "changed"):
        return f"A card was {current.status} since this review began; it is passed over."
    if current.fsrs != shown.fsrs:
        due = datetime.fromisoformat(current.due).astimezone()
        return (
            "A card was rated in another review session since this one began; that rating "
            f"stands (next due {due:%Y-%m-%d %H:%M})."
        )
    return ""


def stats(store: CardStore, at: datetime | None = None) -> ReviewStats:
    at = at or now()
    reviews = store.reviews()
    today = at.astimezone().date()
    days = {datetime.fromisoformat(r[2]).astimezone().date() for r in reviews}
    streak, day = 0, today if today in days else today - timedelta(days=1)
    while day in days:
        streak, day = streak + 1, day - timedelta(days=1)
    ratings = [r[1] for r in reviews]
    return ReviewStats(
        due_today=len(store.due(end_of_today(at))),  # a card waiting for its step too
        reviewed_today=sum(
            datetime.fromisoformat(r[2]).astimezone().date() == today for r in reviews
        ),
        reviewed_total=len(reviews),
        retention=sum(r > 1 for r in ratings) / len(ratings) if ratings else None,
        streak=streak,
    )
