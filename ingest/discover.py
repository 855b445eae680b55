"""Find the notes files under a root."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

SUPPORTED = frozenset(
    {".md", ".markdown", ".txt", ".rst", ".html", ".htm", ".pdf"}
    | {".docx", ".pptx", ".ipynb", ".epub"}
)
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", ".venv", "site-packages"})


def discover(
    root: Path, *, exclude: Path | None = None, unreadable: list[str] | None = None
) -> Iterator[str]:
    """Paths (relative to ``root``, POSIX style, sorted) of the supported files.

    Hidden files and folders, dependency folders and ``exclude`` (the data
    dir, should it live inside the notes) are skipped. Links to folders are
    not followed, so a link loop or a link out of the root cannot pull in
    other files; links to files inside the root are read. A link that loops
    is listed, for reading it to fail and be reported. Folders that cannot
    be listed are added to ``unreadable`` (relative, POSIX style).
    """
    root = root.resolve()
    excluded = exclude.resolve() if exclude else None
    found: list[str] = []

    def cannot_list(error: OSError) -> None:
        if unreadable is not None and error.filename:
            unreadable.append(Path(error.filename).relative_to(root).as_posix())

    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if not d.startswith(".") and d not in _SKIP_DIRS and (here / d) != excluded
        ]
        for name in filenames:
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED:
                continue
            path = here / name
            try:
                outside = path.is_symlink() and not _inside(path.resolve(), root)
            except (OSError, RuntimeError):  # a link loop
                outside = False
            if outside:
                continue
            found.append(path.relative_to(root).as_posix())
    yield from sorted(found)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
