"""A bare refusal closing an answer.

The model is told to reply "笔记中没有相关内容。" only when no passage is
about the question, yet qwen2.5:1.5b closes about one answer in sixteen with
it ("…提高分类准确性。\\n\\n笔记中没有相关内容。": 8 of 137 answers to covered
dev questions in one run). After an answer from the notes, "the notes have
nothing on this" contradicts what was just said; what the model means is
that they have nothing more.

So while the answer streams, a refusal that may be closing it (after the
end of a sentence or a citation) waits unshown, as does a second copy of it.
Once the answer has been checked against its passages, the caller decides:
"笔记中没有更多相关内容。" when the answer before it is from the notes; the
refusal as written otherwise (after a remark on the passages, an answer
from memory, a reply cut short, or a refusal only partly written).
"""

from __future__ import annotations

from .prompt import REFUSAL_EN, REFUSAL_ZH

NOTHING_MORE_ZH = "笔记中没有更多相关内容。"
NOTHING_MORE_EN = "Your notes don't say more on this."
# The refusals as the prompt words them, without their full stops, and as
# the model also writes them (笔记里, a curly apostrophe).
_REFUSALS_ZH = (REFUSAL_ZH.rstrip("。"), "笔记里没有相关内容")
_REFUSALS_EN = (REFUSAL_EN.rstrip("."), REFUSAL_EN.rstrip(".").replace("'", "\u2019"))
_REFUSALS = _REFUSALS_ZH + _REFUSALS_EN
_STOPS = "。.．"
# What ends the answer a closing refusal follows: a sentence, a citation.
_ANSWER_END = tuple("。！？.．!?]】］）)\n")
_SPACES = " \t\u3000"


def closing_start(text: str) -> tuple[int, bool] | None:
    """Where the refusal (or refusals) closing an answer starts in ``text``,
    and whether it is whole ("…[1]。笔记中没有相关内容。") or the start of one
    still arriving ("…[1]。笔记中"); None when ``text`` does not end so."""
    start, whole = _last_refusal(text, partial=True)
    if start is None:
        return None
    while True:  # the same refusal written more than once
        earlier, _ = _last_refusal(text[:start], partial=False)
        if earlier is None:
            break
        start = earlier
    before = text[:start].rstrip(_SPACES)
    if not before.strip() or not before.endswith(_ANSWER_END):
        return None
    return start, whole


def _last_refusal(text: str, *, partial: bool) -> tuple[int | None, bool]:
    """Where a refusal ending ``text`` starts, and whether it is whole; with
    ``partial``, also the start of one (its first letters) at the very end."""
    body = text.rstrip()
    complete = body.rstrip(_STOPS)
    for refusal in _REFUSALS:
        if complete.endswith(refusal) and len(body) - len(complete) <= 1:
            return len(complete) - len(refusal), True
    if partial:
        for refusal in _REFUSALS:
            size = next((n for n in range(len(refusal), 0, -1) if text.endswith(refusal[:n])), 0)
            if size:
                return len(text) - size, False
    return None, False


class ClosingRefusal:
    """The answer as shown: what arrives passes on at once, except a refusal
    that may be closing the answer, which waits for ``finish``."""

    def __init__(self) -> None:
        self.text = ""  # everything that arrived
        self.shown = 0  # how much of it was passed on

    def show(self, piece: str) -> str:
        """What to show now that ``piece`` arrived (may be empty)."""
        self.text += piece
        found = closing_start(self.text)
        end = max(found[0] if found else len(self.text), self.shown)
        out, self.shown = self.text[self.shown : end], end
        return out

    def finish(self, *, nothing_more: bool) -> tuple[str, str]:
        """The rest to show, and the answer as shown in full: a whole closing
        refusal as "the notes say no more" if ``nothing_more``, else as
        written."""
        shown = self.text
        start = self._pending_start()
        if nothing_more and start is not None:
            said = self.text[start:].lstrip()
            shown = self.text[:start] + (
                NOTHING_MORE_ZH if said.startswith(_REFUSALS_ZH) else NOTHING_MORE_EN
            )
        rest, self.shown = shown[self.shown :], len(shown)
        return rest, shown

    def _pending_start(self) -> int | None:
        found = closing_start(self.text)
        if found is None or not found[1] or found[0] < self.shown:
            return None
        return found[0]
