"""Typo repair that never rewrites a real word.

Correction is where a symptom checker can hurt: turning an ordinary word into a symptom word
raises a false alarm ("cheers" -> "chest"), turning "note" into "not" hides a real one. So a
token is only ever corrected when it is on no word list of the language at all (symspellpy's
frequency dictionary, pyspellchecker's, and the language file's `known_words`), and only into
a word of the dialog's own vocabulary (names, brands and chat words among the commonest words of
the web, wordfreq's list, count as words too), by symspellpy's edit-distance lookup: one edit for
short words, two for long ones, the first letter kept, and never when two vocabulary words
are equally close.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 3
_DOUBLE = re.compile(r"([a-z])\1")


@cache
def word_list(name: str) -> Mapping[str, int]:
    """A named list of real words (`source:language`) with their frequencies, loaded once per
    process."""
    source, _, language = name.partition(":")
    if source == "symspellpy":
        from importlib.resources import files

        path = files("symspellpy") / "frequency_dictionary_en_82_765.txt"
        pairs = (line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines())
        return {word: int(count) for word, count in pairs}
    if source == "pyspellchecker":
        from spellchecker import SpellChecker

        return dict(SpellChecker(language=language, distance=1).word_frequency.dictionary)
    if source == "wordfreq":  # "wordfreq:en:30000": the commonest words of today's web and chat
        from wordfreq import top_n_list

        code, _, size = language.partition(":")
        words = top_n_list(code, int(size or 30000))
        return {word: len(words) - rank for rank, word in enumerate(words)}
    raise ValueError(f"unknown word list {name!r}")


def _dropped(token: str, word: str) -> bool:
    """Whether `token` is `word` with letters left out."""
    letters = iter(word)
    return len(token) < len(word) and all(ch in letters for ch in token)


class Corrector:
    """Maps a misspelt token onto the dialog's vocabulary, or leaves it alone."""

    def __init__(
        self, vocabulary: Iterable[str], real_words: Iterable[Mapping[str, int]], known: Iterable[str]
    ) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._lists = tuple(real_words)
        self._known = frozenset(known) | self.vocabulary
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in self.vocabulary:
            if len(word) >= MIN_LENGTH:
                # The commoner word wins between equally close ones ("wlak": walk, not weak).
                self._symspell.create_dictionary_entry(
                    word, max((w.get(word, 0) for w in self._lists), default=0) + 1
                )
        self.fix = lru_cache(maxsize=16384)(self._fix)

    def is_word(self, token: str) -> bool:
        """On a word list, in the vocabulary, or a chat word the language file knows."""
        return token in self._known or any(token in words for words in self._lists)

    def _fix(self, token: str) -> str:
        if len(token) < MIN_LENGTH or not token.isascii() or not token.isalpha() or self.is_word(token):
            return token
        squeezed = _DOUBLE.sub(r"\1", token)  # "noo", "yess", "numbb": emphasis, not a typo
        if squeezed != token and squeezed in self.vocabulary:
            return squeezed
        return self._nearest(token)

    def _nearest(self, token: str) -> str:
        distance = 1 if len(token) <= 5 else 2
        found = self._symspell.lookup(token, Verbosity.CLOSEST, max_edit_distance=distance)
        found = [item for item in found if item.term[0] == token[0]]
        if len(token) == MIN_LENGTH:  # "kne", "fot": a dropped letter; "yse": two swapped
            found = [
                item
                for item in found
                if len(item.term) == MIN_LENGTH + 1 or sorted(item.term) == sorted(token)
            ]
        if len(found) > 1:
            # The commonest slips first: two letters swapped, every letter typed ("tose": toes,
            # not those or toe), then a letter left out ("kne": knee, not knew); otherwise the
            # commoner word.
            found = (
                [i for i in found if sorted(i.term) == sorted(token)]
                or [i for i in found if _dropped(token, i.term)]
                or found
            )
            found = [item for item in found if item.count == found[0].count]
        if len(found) != 1 or (found[0].distance == 2 and len(found[0].term) < 6):
            return token
        return str(found[0].term)
