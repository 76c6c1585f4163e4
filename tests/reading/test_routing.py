"""Routing patterns by a word they need is only a speed-up: it must find exactly what spaCy's
plain Matcher finds with every pattern, on every kind of message the corpora hold."""

from __future__ import annotations

from collections.abc import Iterator

from corpus_driver import load_all
from spacy.matcher import Matcher

from bot.dialog import Dialog
from bot.reading.patterns import RoutedMatcher
from bot.reading.pipeline import Pipeline


def _messages() -> Iterator[str]:
    for _, data in load_all("harmless_*.yaml"):
        yield from (str(text) for text in data)
    for _, data in load_all("facts_*.yaml"):
        yield from (str(case["text"]) for case in data)
    for _, data in load_all("warning_signs/*.yaml"):
        for phrases in data.values():
            yield from (str(text) for text in phrases or ())


def test_routed_patterns_find_what_every_pattern_run_everywhere_finds(dialog: Dialog) -> None:
    pipeline = Pipeline(dialog)  # its own: listing the rules again records near rules again
    plain = Matcher(pipeline.nlp.vocab, validate=False)
    routed = RoutedMatcher(pipeline.nlp.vocab, lambda word: 0.0001 if word == "knee" else 0.00001)
    added = 0
    for number, (_, patterns) in enumerate(pipeline._dialog_rules(dialog)):
        for index, pattern in enumerate(patterns):
            key = f"p{number}.{index}"
            plain.add(key, [pattern])
            routed.add(key, pattern)
            added += 1
    assert added > 1000  # the dialog's own patterns, not a toy set

    messages = list(_messages())
    assert len(messages) > 1000
    for text in messages:
        doc, _ = pipeline._tokens(text)
        assert sorted(routed(doc)) == sorted(plain(doc)), text


def test_context_cues_are_found_by_routing_exactly_as_by_medspacys_own_matcher(pipeline: Pipeline) -> None:
    cue_matcher = pipeline.context._ConText__matcher
    routed = cue_matcher._MedspacyMatcher__matcher
    assert isinstance(routed, RoutedMatcher)  # the medspaCy version still has the names we replace
    plain = Matcher(pipeline.nlp.vocab, validate=False)
    for rule_id, rule in cue_matcher.rule_map.items():
        plain.add(rule_id, [rule.pattern])
    assert len(cue_matcher.rule_map) > 500

    for text in _messages():
        doc, _ = pipeline._tokens(text)
        assert sorted(routed(doc)) == sorted(plain(doc)), text
