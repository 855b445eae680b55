"""Words a pinyin input method may have meant.

Chinese is typed by its sound, and a slip picks another character of the
same syllable: 卷基 for 卷积, 池话 for 池化. Such a word is in no dictionary,
so the coverage check would say the notes never mention it. A word that
neither jieba's dictionary nor CC-CEDICT knows is therefore also looked
for as each word that differs from it in one character read the same way
(tones aside, any reading of the character).

Only common characters are put in (jieba's single-character frequency at
least ``COMMON_ZIPF``; 42 characters read "ji", 8 read "hua"): an input
method offers those first, and rare ones would only add chance matches.
The readings are CC-CEDICT's single-character entries.
"""

from __future__ import annotations

import re
from functools import cache

from index.segment import zipf

from .bilingual import dictionary_file

COMMON_ZIPF = 4.0
_PINYIN = re.compile(r"\[([^\]]*)\]")
_TONE = re.compile(r"\d")


def sound_alikes(word: str) -> tuple[str, ...]:
    """The words that differ from ``word`` in one character of the same
    sound, that character a common one; none for a single character."""
    if len(word) < 2:
        return ()
    readings, characters = _readings(), _common_by_sound()
    found = (
        word[:i] + other + word[i + 1 :]
        for i, character in enumerate(word)
        for sound in readings.get(character, ())
        for other in characters.get(sound, ())
        if other != character
    )
    return tuple(dict.fromkeys(found))


@cache
def _readings() -> dict[str, frozenset[str]]:
    """Each character's readings without tones (卷: juan; 长: chang, zhang)."""
    path = dictionary_file()
    readings: dict[str, set[str]] = {}
    if path is None:
        return {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            # "繁 简 [pin1] /gloss/"
            _, simplified, rest = line.split(" ", 2)
            pinyin = _PINYIN.search(rest)
            if len(simplified) != 1 or pinyin is None:
                continue
            sound = _TONE.sub("", pinyin.group(1).lower()).replace("u:", "v")
            if sound.isalpha():
                readings.setdefault(simplified, set()).add(sound)
    return {character: frozenset(sounds) for character, sounds in readings.items()}


@cache
def _common_by_sound() -> dict[str, tuple[str, ...]]:
    """The common characters of each reading."""
    by_sound: dict[str, list[str]] = {}
    for character, sounds in _readings().items():
        if zipf(character) >= COMMON_ZIPF:
            for sound in sounds:
                by_sound.setdefault(sound, []).append(character)
    return {sound: tuple(characters) for sound, characters in by_sound.items()}
