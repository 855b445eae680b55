"""Live sync: watch the notes folders and sync after each burst of changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .discover import SUPPORTED

# Editors save by writing a temporary file and renaming it over the note;
# waiting this long after the last change folds such a save, and a burst of
# changes, into one sync.
DEBOUNCE_MS = 800


def changes(
    roots: Sequence[Path], stop: threading.Event, *, exclude: Path | None = None
) -> Iterator[set[str]]:
    """Sets of changed note paths, one per burst, until ``stop`` is set."""
    from watchfiles import DefaultFilter, watch

    excluded = exclude.resolve() if exclude else None
    default = DefaultFilter()

    def wanted(change: object, path: str) -> bool:
        p = Path(path)
        if excluded and (p == excluded or excluded in p.parents):
            return False
        if any(part.startswith(".") for part in p.parts):
            return False
        # A deleted folder arrives without a suffix: let it through.
        return default(change, path) and (p.suffix.lower() in SUPPORTED or not p.suffix)  # type: ignore[arg-type]

    for batch in watch(
        *roots, watch_filter=wanted, debounce=DEBOUNCE_MS, stop_event=stop, raise_interrupt=False
    ):
        yield {path for _, path in batch}


def run_watch(
    roots: Sequence[Path],
    sync_now: Callable[[], None],
    stop: threading.Event,
    *,
    exclude: Path | None = None,
) -> None:
    """Call ``sync_now`` after each burst of changes under ``roots``."""
    for _ in changes(roots, stop, exclude=exclude):
        sync_now()
