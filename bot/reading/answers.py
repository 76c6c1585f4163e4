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
from dataclasses import dataclass, field, replace

from bot.dialog.model import Dialog, Question
from bot.reading.context import fact_status, sign_status
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
    """What a message answers to `question` (nothing, for a message in another language: its
    "no" may be "no puedo respirar", and the person is told which languages are read)."""
    if reading.foreign and not reading.numbers_only:
        return Answer()
    if question.kind == "yesno":
        return _yesno(question, reading, dialog)
    if question.kind == "choice":
        return _choice(question, reading, dialog)
    return _options(question, reading, dialog)


def _cue_values(reading: Reading, *, sign: bool, hedges_qualify: bool = False) -> set[str]:
    """Answer words as yes / no / unsure. "A bit" and "sometimes" are a yes to an ordinary
    question, but only a "not sure" to a warning sign; "none" is a no. Words outrank an emoji
    ("nope 👍" is a no). `hedges_qualify`: a hedge inside a clause belongs to what it hedges
    ("kinda numb on top of my foot" answers no screen with "not sure")."""
    cues = [c for c in reading.answers if not c.symbol] or list(reading.answers)
    if hedges_qualify:
        cues = [c for c in cues if c.standalone or c.value not in ("unsure", "partly", "no")]
    out = set()
    for cue in cues:
        value = cue.value
        if value == "all":  # "every option" means something only to a multi-select question
            continue
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
    cue = _merge(_cue_values(reading, sign=False))
    # A finding that takes in the answer word is the more specific ("never had one done" to
    # "has your bike never been fitted?"); otherwise the plain answer word decides ("no, hills
    # don't change it"), and a finding only where no answer word is given.
    for kinds in (("fact",), ("word",)):
        said = reading.facts(dialog, kinds=kinds, only=fact, overlapping=_cue_spans(reading))
        if said.get(fact) is not None:
            return Answer(facts={fact: said[fact]})
    if cue is not None:
        return Answer(facts={fact: cue})
    for kinds in (("fact",), ("word",)):
        said = reading.facts(dialog, kinds=kinds, only=fact)
        if said.get(fact) is not None:
            return Answer(facts={fact: said[fact]})
    return Answer()


def _cue_spans(reading: Reading) -> tuple[tuple[int, int], ...]:
    return tuple((c.start, c.end) for c in reading.answers)


def _sign_answer(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    """A warning sign's confirming question: the sign said in any form decides (stated: yes,
    doubted: not sure, denied or gone: no); otherwise the answer words do."""
    sign = question.sign or ""
    flag = dialog.red_flags[sign]
    statuses = [
        ("dropped" if fact_status(f.categories) == "stated" else "doubtful")
        if f.value == "no"
        else sign_status(f.categories, past_counts=flag.past_counts)
        for f in reading.findings
        if f.target == sign and f.kind in ("sign", "hint", "option")
    ]
    own = [
        (f.length, _confirm_value(f.value, fact_status(f.categories)))
        for f in reading.findings
        if f.kind == "confirm" and f.target == sign and fact_status(f.categories) != "dropped"
    ]
    if own:  # its own terms first, the longest of them ("no I can't" over "no")
        return Answer(facts={sign: max(own)[1]})
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


def _confirm_value(value: str, status: str) -> str:
    """A confirming question's own word in its context: "not swollen" is no, "maybe red" is
    not sure."""
    if status == "unsure":
        return "unsure"
    if status == "denied":
        return "no" if value == "yes" else "yes"
    return value


def _choice(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    fact = dialog.facts[question.fact]
    if reading.number is not None:
        index = reading.number - 1
        return (
            Answer(facts={fact.id: fact.values[index].value}) if 0 <= index < len(fact.values) else Answer()
        )
    said = reading.facts(dialog, kinds=("fact", "word"), only=fact.id).get(fact.id)
    if said is not None:
        return Answer(facts={fact.id: said})
    cue = _merge(_cue_values(reading, sign=False))
    if cue == "unsure" and fact.value("unsure") is not None:
        return Answer(facts={fact.id: "unsure"})
    return Answer(which=cue == "yes")


def _options(question: Question, reading: Reading, dialog: Dialog) -> Answer:
    """A `signs` or `multi` question: which options the message picks (numbers, option words,
    the facts themselves, "all of them", "all except 3"), or "none of these" / "not sure" for
    all of them."""
    facts = question.facts
    signs = question.kind == "signs"
    count = len(facts)
    if reading.numbers_denied:  # "not 1, 2 or 3", "none of the 3"
        return Answer(facts=dict.fromkeys(facts, "no"))
    every = any(c.value == "all" for c in reading.answers) and not signs
    numbers = [n for n in reading.numbers if 1 <= n <= count + 2]
    if len(numbers) != len(reading.numbers):
        numbers = []  # "I'm 45", "a 10k": not option numbers
    if numbers == [count + 1]:
        return Answer(facts=dict.fromkeys(facts, "no"))
    if numbers == [count + 2]:
        return Answer(facts=dict.fromkeys(facts, "unsure"))
    if any(n > count for n in numbers):
        return Answer()  # "2 and 7": an option with "not sure" makes no sense
    picked = {facts[n - 1] for n in numbers}
    said = _said_options(question, reading, dialog)
    if every:
        left_out = {facts[n - 1] for n in reading.excluded if 1 <= n <= count}
        left_out |= {
            f
            for f, v in _said_options(question, reading, dialog, after=reading.except_from).items()
            if v == "yes"
        }
        return Answer(facts={f: ("no" if f in left_out else "yes") for f in facts})
    picked |= {f for f, v in said.items() if v == "yes"}
    cue = _merge(
        _cue_values(
            reading, sign=signs, hedges_qualify=signs and any(f.kind != "confirm" for f in reading.findings)
        )
    )
    if signs:
        if picked or said:
            rest = dict.fromkeys(facts, "no") if cue == "no" and not picked else {}
            return Answer(facts={**rest, **said, **dict.fromkeys(picked, "yes")})
    elif picked:
        # A multi-select answer names what applies; the rest does not, except what it says
        # otherwise of ("the lump, not sure about the calf stretch").
        return Answer(facts={f: ("yes" if f in picked else said.get(f, "no")) for f in facts})
    if said:
        return Answer(facts=said) if not cue else Answer(facts={f: said.get(f, _none_or(cue)) for f in facts})
    if cue == "no":
        return Answer(facts=dict.fromkeys(facts, "no"))
    if cue == "unsure":
        return Answer(facts=dict.fromkeys(facts, "unsure"))
    return Answer(which=cue == "yes")


def _none_or(cue: str) -> str:
    return "no" if cue == "no" else "unsure"


def _said_options(
    question: Question, reading: Reading, dialog: Dialog, *, after: int | None = None
) -> dict[str, str]:
    """The options a message names in words: for warning signs their option words (the sign
    itself is read everywhere, see `Reading.signs`); for a multi-select the facts' phrases
    (`after`: only those past that token, the ones "all except" leaves out)."""
    if after is not None:
        reading = replace(reading, findings=tuple(f for f in reading.findings if f.start > after))
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
        for finding in reading.findings:
            # A sign's own word denied or doubted ("no fever", "maybe locked") answers its
            # option; said plainly it does not pick it ("swollen" may be the knee, not the calf).
            told = fact_status(finding.categories)
            own_word = (
                finding.kind == "confirm" and finding.value == "yes" and finding.target in question.facts
            )
            if own_word and told in ("denied", "unsure") and finding.target not in out:
                out[finding.target] = "no" if told == "denied" else "unsure"
        return out
    said = reading.facts(dialog, kinds=("fact", "word"))
    return {fact: said[fact] for fact in question.facts if fact in said}
