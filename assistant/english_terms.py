"""The Latin-script terms of a question (``latin_terms``), for
``assistant.terms``: names, English words and phrases, of any case.

English words of an English question are looked up in CC-CEDICT and the
field glossary (through ``assistant.bilingual``), so that a question in
English over Chinese notes finds "attention" as 注意力. Phrases:

- a phrase the dictionaries know is one term, also across a framing word
  or two letters inside it ("bag of words", "kl divergence"), spelled with
  hyphens or not ("self-attention"), and in title case ("Generative
  Adversarial Network", whose words would each be taken for a name); one
  only the glossary knows carries its words, judged instead when the notes
  say it otherwise ("hidden state" where they say 隐藏的中间层, ``gate``);
- an adjective right before a phrase or a name says which kind of it
  ("conjugate gradient descent", "sparse autoencoder"): the two are one
  term, present only where a text writes them together (``_kind_of``);
  a verb or a noun there does not ("how to compute self attention",
  "transformer positional encoding");
- a word no dictionary knows is a name or a term of art (simclr, kalman),
  unless it is an English word with a prefix or suffix (overfitting) or
  everyday words joined by hyphens (cycle-consistency).
"""

from __future__ import annotations

import itertools
import re

from .bilingual import english_word, field_term, translations
from .term import FRAMING_EN, Term

LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.·'][A-Za-z0-9]+)*")
# In a Chinese question, Latin words apart by spaces are one name (seq 2 seq,
# gumbel softmax, Stable Diffusion).
LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.·' ]+[A-Za-z0-9]+)*")


def latin_terms(question: str, mostly_cjk: bool) -> list[Term]:
    """The Latin-script terms of ``question``, in order; in a mostly Chinese
    one (``mostly_cjk``) every Latin run is a name, English framing around
    it aside ("What is 反向传播?")."""
    titled = not mostly_cjk and _written_as_title(question)
    matches = list((LATIN_NAME if mostly_cjk else LATIN_TERM).finditer(question))
    phrases = {} if mostly_cjk else _phrases_runs_miss(question, matches)
    terms: list[Term] = []
    words: list[str] = []  # a run of plain English words

    def flush(head: Term | None = None) -> None:
        run = _english_terms(words)
        if run and head is not None:
            run[-1] = _kind_of(run[-1], head)
        terms.extend(run)
        words.clear()

    def flush_before(term: Term, i: int) -> None:
        """The run, its last word maybe saying which kind of ``term``, the
        ``i``-th match, when the two are next to each other."""
        flush(term if words and _apart(question, matches[i - 1], matches[i]) else None)

    skip_to = 0
    for i, match in enumerate(matches):
        if i < skip_to:
            continue
        if i in phrases:
            skip_to, phrase = phrases[i]
            term = _phrase_term(phrase, parts=not any(map(_breaks_a_run, phrase)))
            flush_before(term, i)
            terms.append(term)
            continue
        word = match.group().strip()
        if mostly_cjk:
            # English framing around a Chinese question ("What is 反向传播?",
            # "Tell me about 注意力机制") is how it is asked, not a name.
            parts = word.split(" ")
            while parts and parts[0].lower() in FRAMING_EN:
                parts.pop(0)
            while parts and parts[-1].lower() in FRAMING_EN:
                parts.pop()
            word = " ".join(parts)
            if not word:
                continue
        lower = word.lower()
        gap = question[match.start() - 1] if match.start() else " "
        # Two-letter acronyms (RL, CV; em, kv: two letters that are not an
        # English word) name fields or parts that notes often write out in
        # full (强化学习): their absence says little.
        short_acronym = len(word) == 2 and word.isalpha()
        named = not short_acronym and (
            mostly_cjk
            or any(c.isdigit() for c in word)
            or any(c.isupper() for c in word[1:])
            or (word[0].isupper() and match.start() > 0 and gap != "\n" and not titled)
            or (len(re.split(r"[-.·' ]", word)) > 1 and not _everyday_compound(lower))
        )
        if lower in FRAMING_EN or len(lower) < 2:
            flush()
            continue
        if named or short_acronym:
            found = translations(lower)
            # A glossary phrase in a Chinese question ("hidden state 在 rnn
            # 里是什么") may be said otherwise in the notes, as in an English one.
            said_in = _glossary_words(word)
            term = Term(lower, 1.0 if named else 0.5, True, found, word, named, parts=said_in)
            flush_before(term, i)
            terms.append(term)
            continue
        if len(lower) < 3:
            flush()
            continue
        if words and not _apart(question, matches[i - 1], match):
            flush()  # "decision, tree" is no phrase, "sparse; autoencoder" no kind
        words.append(word)
    flush()
    return terms


# A word written as a title writes it: first letter capital, the rest small.
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def _written_as_title(question: str) -> bool:
    """Whether most words of ``question`` are capitalised ("Why Does RNN
    Struggle With Long Sequences"): a capital then says nothing of a name.
    (Acronyms and words with a capital inside, RNN and ResNet, still do.)"""
    words = _WORD.findall(question)[1:]  # the first is capitalised as a sentence's
    capitalised = [w for w in words if _CAPITALISED.fullmatch(w)]
    return len(words) >= 2 and len(capitalised) * 2 > len(words)


def _phrases_runs_miss(
    question: str, matches: list[re.Match[str]]
) -> dict[int, tuple[int, list[str]]]:
    """Phrases of two to four words, apart by spaces, that the field glossary
    or the dictionary knows and that a run of plain words would miss: ones
    holding a word a run stops at (a framing word, two letters, a hyphen:
    "bag of words", "temporal difference", "kl divergence", "semi-supervised
    learning"; not the general dictionary's "how much", "each one", which
    are framing), and ones in title case, whose words would each be taken
    for a name ("Generative Adversarial Network"), by the index of their
    first match: their first match's index → (the index after their last,
    their words)."""
    found: dict[int, tuple[int, list[str]]] = {}
    i = 0
    while i < len(matches):
        for size in (4, 3, 2):
            span = matches[i : i + size]
            words = [m.group() for m in span]
            apart = all(_apart(question, a, b) for a, b in itertools.pairwise(span))
            breaks = any(map(_breaks_a_run, words))
            if (
                len(span) == size
                and apart
                and (breaks and field_term(" ".join(words)) or _titled(words))
            ):
                found[i] = (i + size, words)
                i += size - 1
                break
        i += 1
    return found


def _breaks_a_run(word: str) -> bool:
    return word.lower() in FRAMING_EN or len(word) < 3 or "-" in word


def _titled(words: list[str]) -> bool:
    """Whether ``words`` are a phrase the dictionaries know, each word
    capitalised and the rest lower case ("Positional Encoding", not "GAN
    Loss")."""
    return all(w[0].isupper() and w[1:].islower() for w in words) and bool(
        translations(" ".join(words))
    )


def _apart(question: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether two words of ``question`` are next to each other, a space apart."""
    return question[first.end() : second.start()] == " "


def _english_terms(words: list[str], *, glossary: bool = True) -> list[Term]:
    """Plain English words of a phrase: a phrase of two to four words that the
    dictionary (or, with ``glossary``, the field glossary) knows is one term
    ("decision tree", "hidden state"); other words one each. A word before
    a specific term may say which kind of it (``_kind_of``)."""
    terms = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            phrase = words[i : i + size]
            if i + size <= len(words) and translations(" ".join(phrase), glossary=glossary):
                terms.append(_phrase_term(phrase))
                i += size
                break
        else:
            word = words[i]
            lower = word.lower()
            named = _unknown(lower)
            terms.append(Term(lower, 1.0 if named else 0.5, True, translations(lower), word, named))
            i += 1
    return [_kind_of(term, head) for term, head in itertools.pairwise(terms)] + terms[-1:]


def _phrase_term(words: list[str], *, parts: bool = True) -> Term:
    """A phrase the dictionaries know as one term ("decision tree"). One only
    the field glossary knows carries its words (``parts``: when each is a
    word that says what about, not "of" in "mixture of experts" nor "q" in
    "q learning"), to judge by when the notes say it otherwise
    (``Term.parts``), and is a name when a word of it is one ("kalman
    filter")."""
    phrase = " ".join(words)
    words_of = _glossary_words(phrase) if parts else ()
    named = any(p.named for p in words_of)
    return Term(phrase.lower(), 1.0, True, translations(phrase), phrase, named, parts=words_of)


def _glossary_words(phrase: str) -> tuple[Term, ...]:
    """The words of a phrase only the field glossary knows ("hidden state"),
    as ``Term.parts``; none for any other."""
    words = phrase.split()
    if len(words) < 2 or translations(phrase, glossary=False) or not field_term(phrase):
        return ()
    return tuple(_english_terms(words, glossary=False))


# English words that say how big, how many or how good, or that a thing
# is its ordinary self, not which kind of it ("a large learning rate" is a
# learning rate, "a plain autoencoder" an autoencoder; "a sparse
# autoencoder" is a kind of autoencoder).
_DEGREE = frozenset(
    """large small big little high low deep shallow long short wide narrow new old
    first last next previous single multiple few several whole full same entire
    fast slow quick easy hard simple complex standard normal common typical usual
    general specific original final initial current right wrong true false
    bad good great higher lower larger smaller bigger deeper longer shorter faster
    slower better worse best worst plain regular ordinary basic classic classical
    traditional conventional vanilla naive""".split()  # noqa: SIM905
)


def _kind_of(word: Term, head: Term) -> Term:
    """``word`` right before ``head`` in English: when ``head`` is a specific
    term (a phrase, a name) and ``word`` a plain word that says what kind
    (``_says_which``), the two name a kind of it (conjugate gradient
    descent, sparse autoencoder, bidirectional lstm) that the notes must
    write together, which ``presence`` looks for in the passages; else
    ``word`` as it is."""
    if word.weight >= 1.0 or word.parts or head.weight < 1.0 or not _says_which(word):
        return word
    return Term(
        f"{word.text} {head.text}",
        1.0,
        True,
        written=f"{word.written} {head.written}",
        kind=(word, head),
    )


def _says_which(word: Term) -> bool:
    """Whether an English word before a term says which kind of it: an
    adjective or a past participle (sparse, conjugate, stacked, hidden; one
    the English dictionary lacks by its ending: proximal, contrastive), not
    one of degree (large, plain). Not a verb ("how to calculate cross
    entropy"), a noun naming where the term belongs ("transformer
    positional encoding", "clip contrastive learning") nor an adverb
    ("weakly supervised")."""
    if word.text in _DEGREE:
        return False
    from lemminflect import getAllLemmas

    senses = getAllLemmas(word.text)  # part of speech → base forms, from its dictionary
    if not senses:
        return word.text.endswith(_ADJECTIVE_ENDINGS)
    base_forms = senses.get("VERB", (word.text,))
    participle = word.text.endswith(("ed", "en")) and word.text not in base_forms
    return "ADJ" in senses or participle


# How an English adjective ends, for words the dictionary lacks.
_ADJECTIVE_ENDINGS = ("al", "ic", "ive", "ous", "ian", "ary", "able", "ible")


def _unknown(word: str) -> bool:
    """Whether ``word`` is a name or a term of art (simclr, trpo, kalman,
    backpropagation), not everyday English (came): no entry of the general
    dictionary translates nor uses it. (The field glossary does not decide:
    it translates terms of art, which are no less specific for it.)"""
    if _everyday_compound(word):
        return False
    return not translations(word, glossary=False) and not english_word(word) and not _derived(word)


# Second words that make a method's name of an everyday word
# (classifier-free guidance, score-based models).
_NAMING_ENDS = frozenset(["based", "free", "aware", "driven", "guided", "conditioned", "like"])


def _everyday_compound(word: str) -> bool:
    """Whether ``word`` is everyday English words joined by hyphens
    (cycle-consistency, single-head, full-resolution), not a name (t-sne,
    gpt-3; classifier-free, ``_NAMING_ENDS``)."""
    parts = word.split("-")
    if parts[-1] in _NAMING_ENDS:
        return False
    return len(parts) > 1 and all(
        len(p) >= 3 and p.isalpha() and (english_word(p) or _derived(p)) for p in parts
    )


# English prefixes and suffixes that make a word of a word (overfitting,
# lossless, pretraining): such a word is English, not a name, though the
# dictionary lists only its base.
_PREFIXES = (
    "over",
    "under",
    "pre",
    "un",
    "non",
    "multi",
    "semi",
    "sub",
    "super",
    "inter",
    "out",
    "self",
)
_SUFFIXES = ("less", "ness", "able", "ful", "wise")


def _derived(word: str) -> bool:
    """Whether ``word`` is an English word with a prefix or suffix added."""
    bases = [word[len(p) :] for p in _PREFIXES if word.startswith(p)]
    bases += [word[: -len(s)] for s in _SUFFIXES if word.endswith(s)]
    return any(len(base) >= 3 and english_word(base) for base in bases)
