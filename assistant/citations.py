"""Citations in an answer: ``[n]`` markers mapped back to passages, and
quoted text checked against what the model was given."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from index import Passage

# Brackets as a Chinese input method types them too: 【1】 and full-width ［1］.
MARKER = re.compile(r"[\[【［]\s*(\d+(?:\s*[,，、;；]\s*\d+)*)\s*[\]】］]")
_QUOTE = re.compile(r"“([^”]{4,})”|\"([^\"]{4,})\"|「([^」]{4,})」")


@dataclass(frozen=True, slots=True)
class Citation:
    number: int
    passage: Passage
    inferred: bool = False  # not marked by the model: its wording matches the passage
    asked: bool = False  # named by the model when asked, after an answer without markers

    @property
    def location(self) -> str:
        return self.passage.chunk.location

    def to_json(self) -> dict[str, Any]:
        chunk = self.passage.chunk
        return {
            "number": self.number,
            "path": chunk.path,
            "start_line": chunk.start_line,
            "end_line": chunk.end_line,
            "page": chunk.page,
            "inferred": self.inferred,
            "asked": self.asked,
        }


@dataclass(frozen=True, slots=True)
class CitationCheck:
    citations: tuple[Citation, ...]  # each cited passage once, in order of first use
    invalid: tuple[int, ...]  # numbers that name no passage given to the model
    unverified_quotes: tuple[str, ...]  # quoted text found in none of the passages


def numbered(passages: Sequence[Passage] | Mapping[int, Passage]) -> dict[int, Passage]:
    """Passages by the number the prompt gave them. A focused prompt leaves
    some passages out but keeps the others' numbers (those of the Sources
    list), so it gives a mapping; a sequence is numbered from 1."""
    if isinstance(passages, Mapping):
        return dict(passages)
    return dict(enumerate(passages, start=1))


def cited_numbers(text: str) -> list[int]:
    """The numbers of ``[1]``, ``[1,2]``, ``[1][3]``, 【1】 and ［1］ markers, in order."""
    return [
        int(n) for match in MARKER.finditer(text) for n in re.split(r"[^\d]+", match.group(1)) if n
    ]


def check_citations(
    answer: str, passages: Sequence[Passage] | Mapping[int, Passage]
) -> CitationCheck:
    """Map ``[1]``, ``[1,2]``, ``[1][3]`` (and full-width 【1】, ［1］) in ``answer``
    to the numbered ``passages``."""
    by_number = numbered(passages)
    cited: dict[int, Citation] = {}
    invalid: list[int] = []
    for number in cited_numbers(answer):
        if number in by_number:
            cited.setdefault(number, Citation(number, by_number[number]))
        elif number not in invalid:
            invalid.append(number)
    given = {n: "".join(p.chunk.text.split()) for n, p in by_number.items()}
    for number in _attribute_by_wording(answer, given):
        cited.setdefault(number, Citation(number, by_number[number], inferred=True))
    unverified = []
    for match in _QUOTE.finditer(answer):
        quote = next(g for g in match.groups() if g)
        squeezed = "".join(quote.split())
        if not any(squeezed in text for text in given.values()):
            unverified.append(quote)
    return CitationCheck(tuple(cited.values()), tuple(invalid), tuple(unverified))


_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]|\.(?=\s|$))?")
# Share of a sentence's character pairs that must occur in a passage for the
# sentence to count as taken from it.
ATTRIBUTION_OVERLAP = 0.5


def _attribute_by_wording(answer: str, given: Mapping[int, str]) -> list[int]:
    """Passages whose wording a sentence of ``answer`` reuses, where the
    sentence does not already cite them.

    Small models often answer in the passages' own words but forget the
    markers, or put ``[1]`` on whatever they wrote; a sentence sharing most
    of its character pairs with one passage came from it. Such citations are
    added (never removed) and flagged ``inferred``."""
    numbers: list[int] = []
    for sentence in _SENTENCE.findall(answer):
        marked = set(cited_numbers(sentence))
        pairs = _pairs(MARKER.sub("", sentence))
        if len(pairs) < 6:
            continue
        # Every passage that holds the wording: neighbouring chunks overlap,
        # so a sentence from the shared part is in both.
        numbers.extend(
            number
            for number, text in given.items()
            if len(pairs & _pairs(text)) / len(pairs) >= ATTRIBUTION_OVERLAP
            and number not in marked
        )
    return numbers


def _pairs(text: str) -> set[str]:
    squeezed = "".join(ch for ch in text.lower() if ch.isalnum())
    return {squeezed[i : i + 2] for i in range(len(squeezed) - 1)}
