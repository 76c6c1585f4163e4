"""Chat text as comparable tokens, and typo correction that never invents a word.

Correction is where a symptom checker can hurt: turning an ordinary word into a symptom word
raises a false alarm, turning "note" into "not" hides a real one. So a token is only ever
corrected when it is not an English word at all (pyspellchecker's dictionary), and only into a
word of the dialog's own vocabulary that starts with the same letter.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

NEGATIONS = frozenset(
    {
        "no",
        "not",
        "dont",
        "didnt",
        "doesnt",
        "never",
        "without",
        "isnt",
        "arent",
        "havent",
        "hasnt",
        "wasnt",
        "nor",
        "hardly",
        "neither",
        "aint",
        "none",
        "nothing",
    }
)
"""Words that deny what follows them closely ("no lump", "I don't have that")."""

LIST_WORDS = frozenset({"or", "nor", "any", "a", "an", "my", "the", "of"})
"""Between two symptoms, these carry a denial over a list: "no lump or swelling"."""

SCOPE_BREAKS = frozenset(
    {
        "and",
        "but",
        "now",
        "just",
        "then",
        "so",
        "because",
        "cause",
        "actually",
        "wait",
        "though",
        "i",
        "im",
        "ive",
        "my",
        "its",
        "it's",
        "still",
        "also",
        "only",
    }
)
"""A denial does not reach past these: "no, I'm sore", "no lump and swelling"."""

TEMPORAL = frozenset({"until", "till", "til", "before", "yesterday"})
"""After a denied sign these mean it is new: "never had a lump until today"."""

DENIALS = frozenset(
    {("no",), ("none",), ("nope",), ("nah",), ("never",), ("not", "really"), ("not", "at", "all")}
)
"""A clause that only says no denies the clause before it: "a lump? no", "swelling: none"."""

_INVISIBLE = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200b-\u200d\u2060\ufffd]")
_TOKENS = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s'?]")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_PHRASE_FIXES = (
    (re.compile(r"\bnot able\b"), "unable"),
    (re.compile(r"\bcan not\b"), "cannot"),
    (re.compile(r"\bcould ?n[o']?t\b"), "cant"),
)
_FIXES = {"cannot": "cant", "can't": "cant"}


def normalise(text: str) -> str:
    """NFKC, no control characters or emoji modifiers, straight apostrophes, lower case, and
    letters repeated for emphasis squeezed ("yesss" -> "yes")."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _INVISIBLE.sub("", text).replace("\u2019", "'").replace("`", "'").lower()
    text = _REPEATS.sub(r"\1\1", text)
    for pattern, replacement in _PHRASE_FIXES:
        text = pattern.sub(replacement, text)
    return text


def tokens(text: str) -> list[str]:
    """Words (apostrophes dropped: "don't" -> "dont") and single symbols such as emoji."""
    if text.strip() == "?":
        return ["?"]  # a lone question mark is an answer: "not sure"
    out = []
    for token in _TOKENS.findall(text):
        token = _FIXES.get(token, token).replace("'", "")
        if token:
            out.append(token)
    return out


@cache
def english() -> Mapping[str, int]:
    """English words with their frequencies; loaded once, on first use (about 0.1 s)."""
    from spellchecker import SpellChecker

    return SpellChecker(distance=1).word_frequency.dictionary


def is_english(token: str) -> bool:
    return token in english()


class Corrector:
    """Maps a misspelt token onto the dialog's vocabulary, or leaves it alone."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known)
        targets = sorted(w for w in self.known if w.isascii() and w.isalpha())
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        anagrams: dict[str, set[str]] = defaultdict(set)
        for word in targets:
            self._by_initial[word[0]].append(word)
            if 3 <= len(word) <= 6:
                anagrams["".join(sorted(word))].add(word)
        self._anagrams = {letters: words.pop() for letters, words in anagrams.items() if len(words) == 1}
        self._closest = lru_cache(maxsize=8192)(self._find_closest)

    def fix(self, token: str) -> str:
        return token if token in self.known else self._closest(token)

    def _find_closest(self, token: str) -> str:
        """The correction of an unknown token (cached: the same words recur in every message)."""
        fixed = self._nearest(token)
        if fixed == token:  # "yess", "fooot" squeezed to two letters: try one
            single = re.sub(r"([a-z])\1", r"\1", token)
            if single != token:
                if single in self.known:
                    return single
                nearer = self._nearest(single)
                if nearer != single:
                    return nearer
        return fixed

    def _nearest(self, token: str) -> str:
        if len(token) < 3 or not token.isascii() or not token.isalpha() or is_english(token):
            return token
        swapped = self._anagrams.get("".join(sorted(token)))  # "yse", "pian": letters swapped
        if swapped is not None:
            return swapped
        candidates = self._by_initial.get(token[0], ())
        if len(token) == 3:  # one letter dropped: "kne", "fot", "caf", "blu"
            candidates = [w for w in candidates if len(w) == 4]
        cutoff = 0.75 if len(token) == 4 else 0.8  # one wrong letter in "numm", "cild"
        match = difflib.get_close_matches(token, candidates, n=1, cutoff=cutoff)
        return match[0] if match else token


def mostly_foreign(words: list[str]) -> bool:
    """Another language: mostly non-Latin letters, or several words of which few are English."""
    letters = [ch for word in words for ch in word if ch.isalpha()]
    if not letters:
        return False
    if sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) < len(letters) / 2:
        return True
    # Two-letter words ("en", "el", "in") are in every language's dictionary: they prove nothing.
    telling = [w for w in words if w.isalpha() and len(w) > 2]
    return len(telling) >= 2 and sum(map(is_english, telling)) < len(telling) / 2
