"""Which folders a sync may take: never one inside another indexed folder,
and none at all from an index whose record of its folders is damaged."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index import NotesNotFound


def refuse_nested(paths: Sequence[Path], remembered: Sequence[str]) -> None:
    """A folder inside another indexed folder (or holding one) would index
    the same files twice."""
    known = [Path(r) for r in remembered]
    given = [p.expanduser().resolve() for p in paths if p.expanduser().is_dir()]
    for path in given:
        for other in [*known, *given]:
            if other != path and (other in path.parents or path in other.parents):
                outer, inner = (other, path) if other in path.parents else (path, other)
                if other not in known:
                    fix = f"Index only {outer}."
                elif other == outer:
                    fix = (
                        f"Its files are indexed already, through {outer}; to index only "
                        f"{inner}, run `notes-chat index --forget {outer}` first."
                    )
                else:
                    fix = f"Run `notes-chat index --forget {inner}` first, then index {outer}."
                raise NotesNotFound(
                    f"{inner} is inside {outer}: indexing both would index its files twice. {fix}"
                )


def raise_if_unreadable(directory: Path) -> None:
    """Raise the manifest's own error (which says how to rebuild) if the
    index in ``directory`` has one that cannot be read."""
    from index.manifest import read_manifest

    if (directory / "manifest.json").exists():
        read_manifest(directory / "manifest.json")
