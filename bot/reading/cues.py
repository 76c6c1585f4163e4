"""medspaCy ConText, set up from the language file's context cues, and the categories it finds.

Each cue group becomes `ConTextRule`s of its category, direction and scope; a group's reach ends
at cues of the categories it `stops_at` (ConText's `terminated_by`). Break words ("but") are
PSEUDO rules that end reaches without modifying anything; so are "ignore" cues, which exist to
outmatch a shorter cue inside them ("no doubt" is no denial).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.dialog.model import Language
from bot.reading.patterns import Compiler, RoutedMatcher, words_in

DIRECTIONS = {"forward": "FORWARD", "backward": "BACKWARD", "both": "BIDIRECTIONAL", "none": "PSEUDO"}
LISTS = frozenset({"negated", "uncertain", "mild", "past", "long_ago", "other_person", "generic"})
"""Forward cues whose reach across a comma is limited to a list ("no lump, swelling or pain")."""
PART_OF_IT = frozenset({"NEGATED", "MILD", "UNCERTAIN"})
"""Cues that, inside a finding's own words, are part of what it says ("can't put weight on it",
"no feeling in my foot", "can barely walk"), not a denial or doubt of it."""
NOT_CONTEXT = frozenset({"BREAK", "IGNORE", "COMMA", "SELF"})


def build_context(
    nlp: Any,
    language: Language,
    compiler: Compiler,
    vocabulary: set[str],
    rarity: Callable[[str], float] = lambda word: 0.0,
) -> Any:
    """A ConText component reading findings from the span group "findings", its cues found by
    a `RoutedMatcher` (see `_route_cue_matching`)."""
    from medspacy.context import ConText, ConTextRule

    context = ConText(nlp, rules=None, span_attrs=None, input_span_type="group", span_group_name="findings")
    list_aware = _list_aware(language.list_words, _reaches_back_one_clause)
    backward_once = _reaches_back_one_clause
    rules = []
    for cue in language.context:
        allowed = None
        if cue.applies_to:
            allowed = {
                f"{kind}:{name}".upper() for name in cue.applies_to for kind in ("sign", "fact", "word")
            }
        for phrase in cue.patterns:
            for pattern in compiler.compile(phrase.alternatives):
                vocabulary.update(words_in(pattern))
                rules.append(
                    ConTextRule(
                        literal=phrase.text,
                        category=cue.category.upper(),
                        pattern=pattern,
                        direction=DIRECTIONS[cue.direction],
                        # A cue that only ends others' reach gets a reach of one word: medspaCy
                        # checks whether two reaches overlap with a test that misses one lying
                        # wholly inside the other, so a sentence-wide reach would end nothing.
                        max_scope=1 if cue.direction == "none" else cue.scope,
                        terminated_by={c.upper() for c in cue.stops_at},
                        allowed_types=allowed,
                        on_modifies=(backward_once if cue.direction == "backward" else list_aware)
                        if cue.direction != "none" and cue.category in LISTS
                        else None,
                    )
                )
    context.add(rules)
    _route_cue_matching(context, nlp, rarity)
    return context


def _route_cue_matching(context: Any, nlp: Any, rarity: Callable[[str], float]) -> None:
    """Give ConText's cue matcher the routing the finding patterns have: its ~1,400 cue
    patterns otherwise all start at every word of every chunk, the larger part of ConText's
    time.

    medspaCy builds its spaCy `Matcher` inside `MedspacyMatcher` with no way to pass another,
    so the same patterns, under the same rule ids, are moved into a `RoutedMatcher` that takes
    its place (medspaCy is pinned to the 1.3 series, whose private names these are; a test
    checks the routed ConText finds exactly the cues an unrouted one does)."""
    cue_matcher = context._ConText__matcher
    routed = RoutedMatcher(nlp.vocab, rarity)
    for rule_id, rule in cue_matcher.rule_map.items():
        if isinstance(rule.pattern, list):
            routed.add(rule_id, rule.pattern)
    routed.file()
    cue_matcher._MedspacyMatcher__matcher = routed


def _reaches_back_one_clause(target: Any, modifier: Any, between: Any) -> bool:
    """medspaCy `on_modifies` for reaching back: across no comma, or across one when the cue
    opens its own clause and talks of nothing new there ("my toes are numb, I think", "calf
    swollen, not sure how fast"). "Back of knee pain, bending is fine" does not deny the pain,
    and "pain behind the knee, not sure about the calf stretch" does not doubt it."""
    doc = target.doc
    words = [token.norm_ for token in doc[target.end : modifier.start]]  # (`between` holds the cue)
    if "," not in words:
        return True
    if words.count(",") > 1 or words[-1] != ",":
        return False
    same = [f for f in doc.spans.get("findings", ()) if f.label_ == target.label_]
    position = modifier.end
    while position < len(doc) and not doc[position].is_punct:
        token = doc[position]
        if not token.is_stop and not any(f.start <= position < f.end for f in same):
            return False  # "maybe at night sometimes": the cue is about what follows it
        position += 1
    return True


def _list_aware(
    list_words: frozenset[str], reaching_back: Callable[[Any, Any, Any], bool]
) -> Callable[[Any, Any, Any], bool]:
    """medspaCy `on_modifies`: a cue reaching forward crosses a comma only into a list closed by
    a list word ("no lump, swelling or pain"), never into a new statement ("no rash, my
    calf is swollen", "I think it's dislocated, it's sitting on the outside"). The list word
    must come after the last comma: the "or" of "doesn't hurt to bend or straighten, I cycle"
    closes no list the cycling is in."""

    def on_modifies(target: Any, modifier: Any, between: Any) -> bool:
        if target.end <= modifier.start:
            return reaching_back(target, modifier, between)
        words = [token.norm_ for token in between]
        if "," not in words:
            return True
        after_last_comma = words[len(words) - words[::-1].index(",") :]
        if list_words.intersection(after_last_comma):
            return True
        doc = target.doc
        for token in doc[target.end : min(len(doc), target.end + 4)]:
            if token.norm_ in list_words:
                return True
            if token.is_punct:
                break
        return False

    return on_modifies


def categories(span: Any, filled: frozenset[int], cues: list[Any]) -> frozenset[str]:
    """The context categories reaching a finding. A denial or doubt inside the finding's own
    words is part of what it says, unless it filled a `~` gap ("knee is not dislocated": the
    "not" is no part of the phrase). A time or person cue inside them still counts ("I
    couldn't put weight on it", "I hopped home"), and so does one the finding's words are part
    of ("cold" in "after a cold plunge"); medspaCy links no cue that overlaps the finding, so
    those are added here."""
    out = set()
    linked = set()
    for modifier in span._.modifiers:
        linked.add(id(modifier))
        start, end = modifier.modifier_span
        inside = span.start <= start and end <= span.end
        if inside and modifier.category in PART_OF_IT and not all(i in filled for i in range(start, end)):
            continue
        out.add(modifier.category.lower())
    for modifier in cues:
        start, end = modifier.modifier_span
        overlaps = start < span.end and span.start < end
        if id(modifier) in linked or not overlaps or modifier.category in PART_OF_IT | NOT_CONTEXT:
            continue
        if modifier.allows(span.label_.upper()):  # "cold" in "a cold plunge", "I couldn't walk"
            out.add(modifier.category.lower())
    return frozenset(out)
