"""What a message says to the question asked.

Three sources, strongest first: the question's own facts stated or denied in the message
("no lump that I can feel", "it's stiff when I set off"); answer words opening the message or
making up a clause ("nope", "yeah a bit", "none of those, but it hurts on stairs"); and, for a
question being asked, the words that answer it alone ("both", "the first one", "stiff").
Where they disagree the message is not understood and the question is asked again, with an
example, rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.dialog.model import Dialog, Question
from bot.reading.context import sign_status
from bot.reading.reader import Reading


@dataclass(frozen=True, kw_only=True, slots=True)
class Answer:
    """The facts a message settles for the question asked (fact -> value). `which`: a bare yes
    to a question that needs a choice ("yes" to "which of these?")."""

    facts: Mapping[str, str] = field(default_factory=dict)
    which: bool = False

    def __bool__(self) -> bool:
        return bool(self.facts)


def answer(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    if question.kind == "yesno":
        return _yesno(question, reading, dialog)
    if question.kind == "choice":
        return _choice(question, reading, dialog)
    return _options(question, reading, dialog)


def _cue_values(reading: Reading, *, sign: bool) -> set[str]:
    """Answer words as yes / no / unsure. "A bit" and "sometimes" are a yes to an ordinary
    question, but only a "not sure" to a warning sign; "none" is a no."""
    out = set()
    for cue in reading.answers:
        value = cue.value
        if value == "partly":
            value = "unsure" if sign else "yes"
        elif value == "none":
            value = "no"
        out.add(value)
    return out


def _merge(values: set[str]) -> str | None:
    """One answer from several answer words: agreeing words, or a hedge ("yes, maybe")."""
    if not values:
        return None
    if len(values) == 1:
        return next(iter(values))
    if "unsure" in values and not {"yes", "no"} <= values:
        return "unsure"
    return None


def _yesno(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    fact = question.fact
    if reading.number is not None:
        index = reading.number - 1
        return Answer(facts={fact: ("yes", "no", "unsure")[index]}) if 0 <= index < 3 else Answer()
    if question.sign:
        return _sign_answer(question, reading, dialog)
    stated = reading.facts(dialog, only=fact).get(fact)
    if stated is not None:
        return Answer(facts={fact: stated})
    cue = _merge(_cue_values(reading, sign=False))
    if cue is not None:
        return Answer(facts={fact: cue})
    word = reading.facts(dialog, kinds=("word",), only=fact).get(fact)
    return Answer(facts={fact: word}) if word is not None else Answer()


def _sign_answer(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    """A warning sign's confirming question: the sign said in any form decides (stated: yes,
    doubted: not sure, denied or gone: no); otherwise the answer words do."""
    sign = question.sign or ""
    flag = dialog.red_flags[sign]
    statuses = [
        sign_status(f.categories, past_counts=flag.past_counts)
        for f in reading.findings
        if f.target == sign and f.kind in ("sign", "hint", "option")
    ]
    cue = _merge(_cue_values(reading, sign=True))
    if "stated" in statuses:
        return Answer(facts={sign: "yes"})
    if "doubtful" in statuses:
        return Answer(facts={sign: "unsure"})
    if cue is not None:
        return Answer(facts={sign: cue})
    if statuses:  # only denied or gone: "it's fine now", "not numb"
        return Answer(facts={sign: "no"})
    return Answer()


def _choice(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    fact = dialog.facts[question.fact]
    if reading.number is not None:
        index = reading.number - 1
        return Answer(facts={fact.id: fact.values[index].value}) if 0 <= index < len(fact.values) else Answer()
    said = reading.facts(dialog, kinds=("fact", "word"), only=fact.id).get(fact.id)
    if said is not None:
        return Answer(facts={fact.id: said})
    cue = _merge(_cue_values(reading, sign=False))
    if cue == "unsure" and fact.value("unsure") is not None:
        return Answer(facts={fact.id: "unsure"})
    return Answer(which=cue == "yes")


def _options(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    """A `signs` or `multi` question: which options the message picks (numbers, option words,
    the facts themselves), or "none of these" / "not sure" for all of them."""
    facts = question.facts
    signs = question.kind == "signs"
    count = len(facts)
    if reading.numbers:
        if any(not 1 <= n <= count + 2 for n in reading.numbers):
            return Answer()
        if count + 1 in reading.numbers and len(reading.numbers) == 1:
            return Answer(facts=dict.fromkeys(facts, "no"))
        if count + 2 in reading.numbers and len(reading.numbers) == 1:
            return Answer(facts=dict.fromkeys(facts, "unsure"))
        picked = {facts[n - 1] for n in reading.numbers if n <= count}
        if len(picked) != len(reading.numbers):
            return Answer()  # "2 and 7": an option with "not sure" makes no sense
        return Answer(facts={f: ("yes" if f in picked else "no") for f in facts} if not signs else dict.fromkeys(picked, "yes"))
    said = _said_options(question, reading, dialog)
    cue = _merge(_cue_values(reading, sign=signs))
    if said:
        if signs or any(v == "yes" for v in said.values()):
            if signs:
                return Answer(facts=said)
            # A multi-select answer in words names what applies; the rest does not.
            return Answer(facts={f: said.get(f, "no") for f in facts})
        return Answer(facts=said) if not cue else Answer(facts={f: said.get(f, _none_or(cue)) for f in facts})
    if cue == "no":
        return Answer(facts=dict.fromkeys(facts, "no"))
    if cue == "unsure":
        return Answer(facts=dict.fromkeys(facts, "unsure"))
    return Answer(which=cue == "yes")


def _none_or(cue: str) -> str:
    return "no" if cue == "no" else "unsure"


def _said_options(question: Question, reading: Reading, dialog: Dialog) -> dict[str, str]:
    """The options a message names in words: for warning signs their option words (the sign
    itself is read everywhere, see `Reading.signs`); for a multi-select the facts' phrases."""
    if question.kind == "signs":
        out: dict[str, str] = {}
        for finding in reading.findings:
            if finding.kind == "option" and finding.target == question.id:
                status = sign_status(finding.categories)
                value = {"stated": "yes", "doubtful": "unsure", "dropped": "no"}[status]
                if out.get(finding.value) != "yes":
                    out[finding.value] = value
        for sign, status in reading.signs(dialog).items():
            if sign in question.facts and status == "dropped" and sign not in out:
                out[sign] = "no"
        return out
    said = reading.facts(dialog, kinds=("fact", "word"))
    return {fact: said[fact] for fact in question.facts if fact in said}
