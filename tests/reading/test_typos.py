"""Typo repair never rewrites a real word, and mends the misspellings people make.

"cheers" must never become "chest", nor "looked" "locked", nor "cooled" "cold": a correction
can only turn a non-word into a word of the dialog's vocabulary. The commonest English words
come from three independent lists (symspellpy's and pyspellchecker's dictionaries, and
wordfreq's frequency list, which the reader itself does not use)."""

from __future__ import annotations

import pytest
from wordfreq import top_n_list

from bot.reading.pipeline import Pipeline
from bot.reading.typos import word_list

COMMONEST = 30_000


def _top(counts: dict[str, int] | object) -> list[str]:
    assert isinstance(counts, dict)
    return sorted(counts, key=counts.__getitem__, reverse=True)[:COMMONEST]


@pytest.mark.parametrize(
    "source",
    ["symspellpy:en", "pyspellchecker:en", "wordfreq:en"],
)
def test_none_of_the_30000_commonest_english_words_is_rewritten(pipeline: Pipeline, source: str) -> None:
    words = top_n_list("en", COMMONEST) if source == "wordfreq:en" else _top(word_list(source))
    rewritten = {w: fixed for w in words if (fixed := pipeline.corrector.fix(w.lower())) != w.lower()}
    assert rewritten == {}, f"{len(rewritten)} real words rewritten, e.g. {sorted(rewritten.items())[:20]}"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("swolen", "swollen"),
        ("numm", "numb"),
        ("brething", "breathing"),
        ("kne", "knee"),
        ("fevr", "fever"),
        ("chst", "chest"),
        ("lokced", "locked"),
        ("tingeling", "tingling"),
        ("calff", "calf"),
        ("wlak", "walk"),
        ("realy", "really"),
        ("yess", "yes"),
    ],
)
def test_a_misspelt_word_is_mended_towards_the_dialogs_vocabulary(
    pipeline: Pipeline, typed: str, meant: str
) -> None:
    assert pipeline.corrector.fix(typed) == meant


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("i cnat walk on it", ["can", "not", "walk"]),  # mended, then split like "can't"
        ("my calff is swolen", ["calf", "swollen"]),
    ],
)
def test_a_mended_word_is_read_like_the_word_it_stands_for(
    pipeline: Pipeline, text: str, words: list[str]
) -> None:
    norms = pipeline.analyse(text).norms
    assert all(w in norms for w in words), norms


@pytest.mark.parametrize(
    "word", ["strava", "parkrun", "garmin", "zwift", "tbh", "lol", "ngl", "idk", "physio"]
)
def test_chat_words_and_running_brands_are_left_alone(pipeline: Pipeline, word: str) -> None:
    assert pipeline.corrector.fix(word) == word
