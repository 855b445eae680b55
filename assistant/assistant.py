"""``Assistant``: the one facade both front ends use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from index import (
    AssistantError,
    Embedder,
    IndexStatus,
    NotesIndex,
    NotesNotFound,
    NothingIndexed,
    Passage,
    SearchMode,
    StoreError,
    index_lock,
    open_index,
    open_rebuild,
    remembered_roots,
)

from .answer import AnswerSettings, answer, warm_up
from .config import Settings
from .conversation import Conversation, ConversationStore, ConversationTurn, condense
from .events import AnswerEvent, Done
from .expansion import notes_words
from .gate import similarity_floor
from .ollama_client import OllamaChat
from .plain import without_invisible
from .roots import raise_if_unreadable, refuse_nested
from .terms import searchable

if TYPE_CHECKING:
    from ingest import SyncReport
    from ingest.sync import ProgressCallback

    from .study.service import Study
    from .study.sources import CardCheck


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index: NotesIndex | None = None
        self._chat: OllamaChat | None = None
        self.card_check: CardCheck | None = None  # what the last sync did to the study cards

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from ingest import make_embedder

            self._embedder = make_embedder(self.settings.embedder)
        return self._embedder

    def _open(self, *, create: bool = False) -> NotesIndex:
        if self._index is None or create:
            self._index = open_index(
                self.settings.index_dir,
                self.embedder,
                chroma_url=self.settings.chroma_url,
                chroma_token=self.settings.chroma_token,
                create=create,
            )
        return self._index

    def search(
        self, query: str, k: int | None = None, *, mode: SearchMode = "hybrid"
    ) -> list[Passage]:
        index = self._open()
        query = searchable(without_invisible(query))
        extra = notes_words(query, index.mentions) if mode != "dense" else ()
        return index.search(query, k or self.settings.top_k, mode=mode, lexical_extra=extra)

    def context_lines(self, passage: Passage, around: int = 3) -> str:
        """The passage's lines with ``around`` lines either side, numbered, its own
        marked ▌; the passage's text alone when its file cannot be read now."""
        chunk = passage.chunk
        path = Path(chunk.root) / chunk.path
        if chunk.page is not None or not path.is_file():
            return chunk.text
        from ingest.read import Unreadable, read_pages

        try:
            lines = read_pages(path)[0].lines
        except (OSError, Unreadable):
            return chunk.text
        first, last = max(1, chunk.start_line - around), min(len(lines), chunk.end_line + around)
        return "\n".join(
            f"{'▌' if chunk.start_line <= n <= chunk.end_line else ' '}{n:>5} {lines[n - 1]}"
            for n in range(first, last + 1)
        )

    def chat_client(self) -> OllamaChat:
        if self._chat is None:
            self._chat = OllamaChat(
                self.settings.ollama_host,
                self.settings.model,
                self.settings.request_timeout,
                context_cap=self.settings.context_window,
            )
        return self._chat

    @property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.settings.conversations_dir)

    def warm_up(self, model: str | None = None) -> None:
        """Have the model read the answer's instructions now (see
        ``answer.warm_up``); raises ``OllamaError`` as a question would."""
        warm_up(self.chat_client(), model or self.settings.model)

    def ask(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        model: str | None = None,
        use_llm: bool = True,
        k: int | None = None,
        save: bool = True,
    ) -> Iterator[AnswerEvent]:
        """Answer ``question`` as events (see ``assistant.answer``). The turn
        is added to ``conversation`` and saved, also when the model fails."""
        conversation = conversation if conversation is not None else Conversation.new()
        index = self._open()
        chat = self.chat_client() if use_llm else None
        model = model or self.settings.model
        history = conversation.history()
        rewrite = partial(chat.complete, model=model, options={"num_predict": 96}) if chat else None
        question = without_invisible(question)
        standalone = condense(question, conversation.history(answered=False), rewrite)
        turn = ConversationTurn(question=question, standalone=standalone, answer="")
        conversation.turns.append(turn)
        settings = AnswerSettings(
            k=k or self.settings.top_k,
            answer_tokens=self.settings.answer_tokens,
            temperature=self.settings.temperature,
            similarity_floor=similarity_floor(index.embedder.fingerprint),
            context_tokens=self.settings.context_tokens,
        )
        try:
            for event in answer(
                question,
                standalone,
                history,
                search=lambda query, k, extra: index.search(query, k, lexical_extra=extra),
                mentions=index.mentions,
                chat=chat,
                model=model,
                settings=settings,
            ):
                if isinstance(event, Done):
                    turn.answer, turn.refused = event.answer, event.refused
                    turn.sources = [c.location for c in event.citations]
                    turn.error = event.cut
                yield event
        except AssistantError as exc:
            turn.error = str(exc)
            raise
        finally:
            if save:
                self.conversations.save(conversation)

    def watch(
        self,
        stop: threading.Event,
        on_report: Callable[[SyncReport], None],
        progress: ProgressCallback | None = None,
    ) -> None:
        """Keep the index in step with the remembered folders until ``stop``
        is set: a sync after each burst of changes, its report to ``on_report``."""
        from ingest.watch import run_watch

        roots = [Path(r) for r in remembered_roots(self.settings.index_dir)]
        if not roots:
            raise NotesNotFound("Nothing to watch: index a folder first (`notes-chat index PATH`).")
        run_watch(
            roots,
            lambda: on_report(self.reindex(progress=progress)),
            stop,
            exclude=self.settings.home,
        )

    def repair(self, progress: ProgressCallback | None = None) -> SyncReport:
        """Rebuild what is inconsistent in the index, then sync every root."""
        from ingest.repair import repair

        with index_lock(self.settings.index_dir / "lock"):
            self._index = None
            try:
                index = self._open()
            except NothingIndexed:
                raise
            except StoreError:
                # A damaged manifest or vector database: build the index
                # again beside it, from the folders that can still be read.
                index = self._open_rebuild()
                roots = [Path(r) for r in index.roots]
                if not roots:
                    raise
                return self._sync(index, roots, progress, missing_ok=True)
            return repair(
                index,
                size=self.settings.chunk_size,
                overlap=self.settings.chunk_overlap,
                exclude=self.settings.home,
                progress=progress,
            )

    def forget(self, path: Path) -> int:
        """Stop indexing the remembered folder ``path`` and drop its chunks;
        the number of chunks dropped."""
        with index_lock(self.settings.index_dir / "lock"):
            self._index = None
            index = self._open()
            wanted = str(path.expanduser().resolve())
            if wanted not in index.roots:
                known = ", ".join(index.roots) or "none"
                raise NotesNotFound(f"{path} is not an indexed folder (indexed: {known}).")
            roots = [r for r in index.roots if r != wanted]
            before = len(index.live_ids())
            index.commit(roots, {r: index.files(r) for r in roots}, [])
            return before - len(index.live_ids())

    def status(self) -> IndexStatus:
        return self._open().status()

    @property
    def study(self) -> Study:
        """Cards, reviews, quizzes and export (``assistant.study``)."""
        from .study.service import Study

        return Study(self)

    def reindex(
        self,
        paths: Sequence[Path] = (),
        *,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Sync ``paths`` (added to the remembered roots), or every remembered
        root when none are given; ``rebuild`` re-embeds everything."""
        directory = self.settings.index_dir
        with index_lock(directory / "lock"):
            remembered = remembered_roots(directory)
            refuse_nested([Path(p) for p in paths], remembered)
            roots = [Path(p) for p in paths] or [Path(r) for r in remembered]
            if not roots:
                raise_if_unreadable(directory)  # a damaged manifest says how to rebuild
                raise NotesNotFound(
                    "No notes folder given and none indexed before. "
                    "Run `notes-chat index PATH` with the folder of your notes."
                )
            if rebuild:
                roots = list(dict.fromkeys([*roots, *(Path(r) for r in remembered)]))
                # Built beside the old index, which stays searchable until
                # this one is complete.
                index = self._open_rebuild()
            else:
                index = self._open(create=True)
            report = self._sync(index, roots, progress, missing_ok=not paths)
            # Cards follow their sources: changed ones are flagged, gone ones retired.
            self.card_check = self._check_cards()
            return report

    def _check_cards(self) -> CardCheck:
        """What the sync just done changes for the study cards; a card store
        that cannot be read is said, and does not undo the sync."""
        from .study.sources import CardCheck

        try:
            return self.study.check_sources()
        except AssistantError as exc:
            return CardCheck(0, 0, problem=str(exc))

    def _open_rebuild(self) -> NotesIndex:
        self._index = open_rebuild(
            self.settings.index_dir,
            self.embedder,
            chroma_url=self.settings.chroma_url,
            chroma_token=self.settings.chroma_token,
        )
        return self._index

    def _sync(
        self,
        index: NotesIndex,
        roots: Sequence[Path],
        progress: ProgressCallback | None,
        *,
        missing_ok: bool,
    ) -> SyncReport:
        from ingest import sync

        return sync(
            index,
            roots,
            size=self.settings.chunk_size,
            overlap=self.settings.chunk_overlap,
            exclude=self.settings.home,
            progress=progress,
            missing_ok=missing_ok,
        )
