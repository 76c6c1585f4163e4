"""Weighing what is known against the causes: which fit, how well, and which questions can
still change that.

Scoring is deliberately simple and visible in the YAML: each cause lists signs with weights.
A cause *fits well* when one of its key signs is a yes and its matched weights reach its
threshold; it *partly fits* when a key sign is "not sure" (none is a yes) and its other matched
signs reach its possible threshold. Fitting causes are ranked well before partly, then by
weight, then in file order. Risk factors alone never name a cause, and nothing is forced when
none fits.

`useful` answers the flow's "only_if_useful": could the answer to these facts, together with
any answers to the other open facts, change which causes fit, how well, or their order? It
enumerates the open facts' values, reduced to the classes the signs can tell apart (so a
supporting fact has two: it matches or it does not), which keeps it to a few hundred
evaluations at most.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from bot.dialog.model import UNKNOWN, Cause, Dialog, holds

Level = Literal["well", "partly"]
MAX_OPEN_FACTS = 12
"""`useful` enumerates at most this many open facts at once (beyond, it says yes: ask)."""


@dataclass(frozen=True, slots=True)
class Fit:
    cause: Cause
    level: Level
    score: int


def fits(dialog: Dialog, facts: Mapping[str, str]) -> list[Fit]:
    """The causes that fit, best first."""
    found = []
    for order, cause in enumerate(dialog.causes.values()):
        fit = _fit(cause, facts)
        if fit is not None:
            found.append((fit, order))
    found.sort(key=lambda pair: (pair[0].level != "well", -pair[0].score, pair[1]))
    return [fit for fit, _ in found]


def _fit(cause: Cause, facts: Mapping[str, str]) -> Fit | None:
    matched = [sign for sign in cause.signs if sign.matches(facts)]
    score = sum(sign.weight for sign in matched)
    if any(sign.key for sign in matched):
        return Fit(cause, "well", score) if score >= cause.threshold else None
    if any(sign.key and _doubted(sign.when, facts) for sign in cause.signs):
        support = sum(sign.weight for sign in matched if not sign.key)
        return Fit(cause, "partly", support) if support >= cause.possible_threshold else None
    return None


def _doubted(condition: Mapping[str, frozenset[str]], facts: Mapping[str, str]) -> bool:
    """A key sign the person was not sure about: every fact matches or is "unsure", one is."""
    values = [facts.get(fact, UNKNOWN) for fact in condition]
    return "unsure" in values and all(
        v in condition[f] or v == "unsure" for f, v in zip(condition, values, strict=True)
    )


def outcome(dialog: Dialog, facts: Mapping[str, str]) -> tuple[tuple[str, Level], ...]:
    return tuple((fit.cause.id, fit.level) for fit in fits(dialog, facts))


MEMO_SIZE = 4096
"""Enumerations a dialog keeps from earlier turns before starting afresh."""


def _weighed(dialog: Dialog) -> frozenset[str]:
    """The facts the causes' signs depend on: all an enumeration's outcome can vary with."""
    found = _WEIGHED.get(id(dialog))
    if found is None or found[0] is not dialog:
        found = (
            dialog,
            frozenset(f for cause in dialog.causes.values() for sign in cause.signs for f in sign.when),
        )
        _WEIGHED[id(dialog)] = found
    return found[1]


_WEIGHED: dict[int, tuple[Dialog, frozenset[str]]] = {}


class Planner:
    """Answers "could this still change the result?" for one state of the facts (built per
    turn; the enumeration is shared by every question asked about)."""

    def __init__(
        self,
        dialog: Dialog,
        facts: Mapping[str, str],
        memo: dict[tuple[tuple[str, str], ...], Any] | None = None,
    ) -> None:
        """`memo`: the enumerations of earlier turns of this dialog, by the facts the causes
        depend on (most conversations pass through the same few), shared and bounded by the
        caller."""
        self.dialog = dialog
        self.facts = facts
        self._memo = memo

    @cached_property
    def _classes(self) -> dict[str, list[str]]:
        """Open facts the causes' signs depend on, each with one representative value per
        class of values the signs cannot tell apart."""
        conditions: dict[str, list[frozenset[str]]] = {}
        keyed: set[str] = set()
        for cause in self.dialog.causes.values():
            for sign in cause.signs:
                for fact, values in sign.when.items():
                    conditions.setdefault(fact, []).append(values)
                    if sign.key:
                        keyed.add(fact)
        out: dict[str, list[str]] = {}
        for fact, whens in conditions.items():
            if self.facts.get(fact, UNKNOWN) != UNKNOWN:
                continue
            definition = self.dialog.facts.get(fact)
            options = [v.value for v in definition.values] if definition else []
            classes: dict[tuple[bool, ...], str] = {}
            for value in [*options, UNKNOWN]:
                signature = (*(value in when for when in whens), fact in keyed and value == "unsure")
                classes.setdefault(signature, value)
            if len(classes) > 1:
                out[fact] = list(classes.values())
        return out

    @cached_property
    def _outcomes(self) -> dict[tuple[str, ...], tuple[tuple[str, Level], ...]] | None:
        key = tuple(sorted((fact, self.facts.get(fact, UNKNOWN)) for fact in _weighed(self.dialog)))
        if self._memo is not None and key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        open_facts = list(self._classes)
        table: dict[tuple[str, ...], tuple[tuple[str, Level], ...]] | None = None
        if len(open_facts) <= MAX_OPEN_FACTS:
            table = {}
            for values in itertools.product(*(self._classes[f] for f in open_facts)):
                table[values] = outcome(
                    self.dialog, {**self.facts, **dict(zip(open_facts, values, strict=True))}
                )
        if self._memo is not None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = table
        return table

    def useful(self, facts: Iterable[str]) -> bool:
        """Whether learning `facts` could change the result in some completion of the others."""
        wanted = [f for f in facts if f in self._classes]
        if not wanted:
            return False
        table = self._outcomes
        if table is None:
            return True
        open_facts = list(self._classes)
        positions = [open_facts.index(f) for f in wanted]
        seen: dict[tuple[str, ...], tuple[tuple[str, Level], ...]] = {}
        for values, result in table.items():
            rest = tuple(v for i, v in enumerate(values) if i not in positions)
            if seen.setdefault(rest, result) != result:
                return True
        return False

    @cached_property
    def fits_none(self) -> bool:
        return not fits(self.dialog, self.facts)

    def holds(self, conditions: Iterable[Mapping[str, frozenset[str]]]) -> bool:
        alternatives = list(conditions)
        return not alternatives or any(holds(c, self.facts) for c in alternatives)
