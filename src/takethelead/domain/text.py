"""Words for matching: accent-insensitive tokens with a light English stemmer.

The stemmer is deliberately small (plural, -ing/-ed/-er/-ant/-ancy/-ation/-ment, a final e): it only
has to send a client's wording and a profile's wording to the same key ("bookkeeper",
"bookkeeping" → "bookkeep"), not to produce dictionary roots, and it needs no download.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")
# Letters that Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"})
_SUFFIXES = ("ations", "ation", "ment", "ancy", "ant", "ing", "ied", "ed", "er")

_STOPWORD_TEXT = """
    a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its just me more most my need
    needs no nor not now of off on once only or other our ours out over own same she should so some
    such than that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours looking someone anyone somebody help
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def fold(text: str) -> str:
    """Lower-case text with accents removed ("Café Zoë" → "cafe zoe")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Reduce a folded English word to a matching key ("consultancy" → "consult")."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ied" else "")
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # planning → plann → plan
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """The (key, folded word) pairs of the text, stopwords left out, in reading order."""
    return [(stem(word), word) for word in _WORD.findall(fold(text)) if word not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    """The matching keys of the text, in reading order."""
    return [key for key, _ in words(text)]
