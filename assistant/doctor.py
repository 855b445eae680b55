"""`notes-chat doctor`: look at everything that can stop notes-chat from
working and say, for each problem, the command that fixes it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index import AssistantError, IndexMismatch, NothingIndexed, open_index
from index.errors import ReadOnlyStore
from index.types import printable

from .config import config_path
from .ollama_client import OllamaError

if TYPE_CHECKING:
    from .assistant import Assistant


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""


def diagnose(assistant: Assistant) -> list[Finding]:
    settings = assistant.settings
    path = config_path()
    findings = [
        Finding(True, f"config: {path}" if path.exists() else f"config: defaults ({path} absent)")
    ]
    findings.append(_data_dir(settings.home.expanduser()))
    findings.append(_formats())
    findings.extend(_index(assistant))
    findings.extend(_cards(assistant))
    findings.extend(_ollama(assistant))
    return findings


def _cards(assistant: Assistant) -> list[Finding]:
    """The study cards' store, if any cards were ever made."""
    store = assistant.study.store
    if not store.path.exists():
        return []
    try:
        return [Finding(True, f"study cards: {store.count()} in {store.path}")]
    except AssistantError as exc:
        return [Finding(False, str(exc), f"mv {store.path} {store.path}.damaged")]


def _data_dir(home: Path) -> Finding:
    existing = next((p for p in (home, *home.parents) if p.exists()), home)
    if not os.access(existing, os.W_OK | os.X_OK):
        return Finding(False, f"data dir {home} is not writable", f"chmod u+rwx {existing}")
    return Finding(True, f"data dir: {home}")


def _formats() -> Finding:
    from ingest.formats import available

    formats = available()
    off = [s for s, ok in formats.items() if not ok]
    on = " ".join(s for s, ok in formats.items() if ok)
    if off:
        # Not a failure: only files of these kinds are skipped (with a warning).
        return Finding(
            True, f"formats: {on} on; {' '.join(off)} off (pip install 'notes-chat[formats]')"
        )
    return Finding(True, f"formats: {on} on (with .md .txt .rst .html .pdf)")


def _index(assistant: Assistant) -> list[Finding]:
    settings = assistant.settings
    try:
        index = open_index(
            settings.index_dir,
            assistant.embedder,
            chroma_url=settings.chroma_url,
            chroma_token=settings.chroma_token,
        )
    except NothingIndexed:
        return [Finding(False, "nothing indexed yet", "notes-chat index ~/notes")]
    except ReadOnlyStore as exc:
        # Nothing is damaged: a rebuild would not help (and could not write).
        return [Finding(False, str(exc), f"chmod -R u+w {settings.index_dir}")]
    except IndexMismatch as exc:
        return [Finding(False, str(exc), "notes-chat index --rebuild")]
    except AssistantError as exc:
        return [Finding(False, str(exc), "notes-chat index --rebuild")]
    from ingest.repair import outdated_files

    findings = [Finding(True, f"embedder: {assistant.embedder.fingerprint}")]
    for root in index.roots:
        if not Path(root).is_dir():
            findings.append(Finding(False, f"notes folder {root} is gone", "move it back"))
    check = index.consistency()
    if check.ok:
        findings.append(
            Finding(True, f"index consistent: {check.live} chunks in manifest, Chroma and BM25")
        )
    else:
        problems = []
        if check.missing_vectors:
            problems.append(f"{len(check.missing_vectors)} chunks without a vector")
        if check.stray_vectors:
            problems.append(f"{len(check.stray_vectors)} vectors no file owns")
        if check.lexical_damage:
            problems.append(check.lexical_damage)
        if check.lexical_differs:
            problems.append("the BM25 index holds other chunks")
        if check.shared:
            problems.append(f"{check.shared} chunks owned twice")
        findings.append(
            Finding(
                False, "index inconsistent: " + ", ".join(problems), "notes-chat doctor --repair"
            )
        )
    unreadable: list[tuple[str, str, str]] = []
    outdated = outdated_files(index, settings.chunk_size, settings.chunk_overlap, unreadable)
    if unreadable:
        names = "; ".join(
            f"{printable(str(Path(root) / rel))} ({why})" for root, rel, why in unreadable[:3]
        )
        more = f"; and {len(unreadable) - 3} more" if len(unreadable) > 3 else ""
        # No "run index" here: index cannot read them either, and keeps their old chunks.
        findings.append(
            Finding(
                False,
                f"{len(unreadable)} indexed files cannot be read, their old chunks are kept: "
                f"{names}{more}",
            )
        )
    if outdated:
        names = ", ".join(printable(rel) for _, rel in outdated[:3])
        names += " …" if len(outdated) > 3 else ""
        findings.append(
            Finding(
                False,
                f"{len(outdated)} files changed since the last sync ({names})",
                "notes-chat index",
            )
        )
    elif not unreadable:
        findings.append(Finding(True, "every indexed file is up to date"))
    return findings


def _ollama(assistant: Assistant) -> list[Finding]:
    chat = assistant.chat_client()
    model = assistant.settings.model
    try:
        installed = chat.installed_models()
    except OllamaError:
        return [Finding(False, f"Ollama is not reachable at {chat.host}", "ollama serve")]
    if not chat.has_model(installed, model):
        return [
            Finding(
                False,
                f"model {model} is not installed (have: {', '.join(installed) or 'none'})",
                f"ollama pull {model}",
            )
        ]
    return [Finding(True, f"Ollama at {chat.host} has {model}")]
