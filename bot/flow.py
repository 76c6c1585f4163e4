"""The dialog's flow as ordered, guarded routes out of the `choose_next` state.

After every answer the conversation returns to `choose_next`; the first route whose guard
holds decides what happens next. Warning signs come first, most urgent level first, each
level's raised signs before its doubted ones' confirming questions; then the `flow:` steps. Each
guard is a small named object, so `kneebot graph` draws the guard next to its arrow and the
diagram shows the same decisions the bot makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.assess import Planner
from bot.dialog.model import ASSESS, SIGN_DOUBTED, SIGN_RAISED, UNKNOWN, Condition, Dialog, Question
from bot.messages import URGENCIES


@dataclass(frozen=True, slots=True)
class Guard:
    """A route's condition, evaluated on the facts of one turn. Its name is what the diagram
    shows (transitions labels a condition by its `__name__`)."""

    name: str
    kind: str
    question: Question | None = None
    facts: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    sign: str = ""
    only_if_useful: bool = False
    fits_none: bool = False

    @property
    def __name__(self) -> str:
        return self.name

    def __call__(self, *, facts: Mapping[str, str], planner: Planner) -> bool:
        if self.kind == "raised":
            return facts.get(self.sign) in SIGN_RAISED
        if self.kind == "doubted":
            return facts.get(self.sign) == SIGN_DOUBTED
        if not planner.holds(self.when):
            return False
        if self.fits_none and not planner.fits_none:
            return False
        if self.kind == "ask":
            if not open_facts(self.question, facts):  # type: ignore[arg-type]
                return False
            return not self.only_if_useful or planner.useful(self.facts)
        return True


@dataclass(frozen=True, slots=True)
class Route:
    dest: str
    guard: Guard


def open_facts(question: Question, facts: Mapping[str, str]) -> tuple[str, ...]:
    """The facts a question still has to ask: those not known from any earlier message."""
    return tuple(f for f in question.facts if facts.get(f, UNKNOWN) == UNKNOWN)


def routes(dialog: Dialog) -> list[Route]:
    """Every route out of `choose_next`, in the order they are tried: urgency level by level,
    the raised signs of a level, then the checks of its doubted ones, then the next level. A
    doubted emergency sign is checked before an urgent one is acted on ("I nearly passed out
    and my calf is swollen": the faint decides between same-day care and 999)."""
    out: list[Route] = []
    for urgency in URGENCIES:
        level = [flag for flag in dialog.red_flags.values() if flag.urgency == urgency]
        out += [Route(flag.id, Guard(f"{flag.id}_raised", "raised", sign=flag.id)) for flag in level]
        out += [
            Route(dialog.confirm_question(flag.id), Guard(f"{flag.id}_doubted", "doubted", sign=flag.id))
            for flag in level
        ]
    for step in dialog.flow:
        for target in step.targets:
            if step.kind == "ask":
                question = dialog.questions[target]
                name = _name("ask", target, step.when, step.only_if_useful, step.fits_none)
                guard = Guard(
                    name,
                    "ask",
                    question=question,
                    facts=question.facts,
                    when=step.when,
                    only_if_useful=step.only_if_useful,
                    fits_none=step.fits_none,
                )
            elif step.kind == "outcome":
                guard = Guard(_name("outcome", target, dialog.outcomes[target].when, False, False), "outcome",
                              when=dialog.outcomes[target].when)  # fmt: skip
            else:
                guard = Guard("no_question_left", "result")
            out.append(Route(target if step.kind != "result" else ASSESS, guard))
    return out


def _name(kind: str, target: str, when: Iterable[Condition], useful: bool, fits_none: bool) -> str:
    parts = [f"{target}_unanswered"] if kind == "ask" else []
    alternatives = [
        " & ".join(f"{fact}_{'_or_'.join(sorted(values))}" for fact, values in condition.items())
        for condition in when
    ]
    if alternatives:
        parts.append(" | ".join(alternatives))
    if useful:
        parts.append("can_change_result")
    if fits_none:
        parts.append("no_cause_fits")
    return " & ".join(parts) if parts else "always"
