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
    Passage,
    SearchMode,
    index_lock,
)

from .answer import AnswerEvent, AnswerSettings, Done, answer
from .config import Settings
from .conversation import Conversation, ConversationStore, ConversationTurn, condense
from .ollama_client import OllamaChat

if TYPE_CHECKING:
    from ingest import SyncReport
    from ingest.sync import ProgressCallback


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index: NotesIndex | None = None
        self._chat: OllamaChat | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from ingest import make_embedder

            self._embedder = make_embedder(self.settings.embedder)
        return self._embedder

    def _open(self, *, create: bool = False) -> NotesIndex:
        if self._index is None or create:
            self._index = NotesIndex.open(
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
        return self._open().search(query, k or self.settings.top_k, mode=mode)

    def chat_client(self) -> OllamaChat:
        if self._chat is None:
            self._chat = OllamaChat(
                self.settings.ollama_host, self.settings.model, self.settings.request_timeout
            )
        return self._chat

    @property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.settings.conversations_dir)

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
        standalone = condense(question, history, rewrite)
        turn = ConversationTurn(question=question, standalone=standalone, answer="")
        conversation.turns.append(turn)
        settings = AnswerSettings(
            k=k or self.settings.top_k,
            context_cap=self.settings.context_window,
            answer_tokens=self.settings.answer_tokens,
            temperature=self.settings.temperature,
            context_tokens=self.settings.context_tokens,
        )
        try:
            for event in answer(
                question,
                standalone,
                history,
                search=index.search,
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

        roots = [Path(r) for r in NotesIndex.remembered_roots(self.settings.index_dir)]
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
            return repair(
                self._open(),
                size=self.settings.chunk_size,
                overlap=self.settings.chunk_overlap,
                exclude=self.settings.home,
                progress=progress,
            )

    def status(self) -> IndexStatus:
        return self._open().status()

    def reindex(
        self,
        paths: Sequence[Path] = (),
        *,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Sync ``paths`` (added to the remembered roots), or every remembered
        root when none are given; ``rebuild`` re-embeds everything."""
        from ingest import sync

        directory = self.settings.index_dir
        with index_lock(directory / "lock"):
            remembered = NotesIndex.remembered_roots(directory)
            if rebuild:
                self._index = None
                NotesIndex.wipe(
                    directory,
                    chroma_url=self.settings.chroma_url,
                    chroma_token=self.settings.chroma_token,
                )
            roots = [Path(p) for p in paths] or [Path(r) for r in remembered]
            if not roots:
                raise NotesNotFound(
                    "No notes folder given and none indexed before. "
                    "Run `notes-chat index PATH` with the folder of your notes."
                )
            if rebuild:
                roots = list(dict.fromkeys([*roots, *(Path(r) for r in remembered)]))
            index = self._open(create=True)
            return sync(
                index,
                roots,
                size=self.settings.chunk_size,
                overlap=self.settings.chunk_overlap,
                exclude=self.settings.home,
                progress=progress,
                missing_ok=not paths,
            )
