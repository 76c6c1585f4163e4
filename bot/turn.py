"""One turn of a conversation, as a pure function of (conversation, input, time).

No I/O happens here: the engine loads the conversation, calls `Dialogue.turn`, and saves or
deletes what comes back. That keeps the whole dialog behaviour testable without a store and
identical under every adapter, sync or async.

A turn learns facts (an answer, a tap, anything said in passing, a warning sign mentioned),
records what it changed so `back` can undo exactly that, and then lets the shared state
machine choose what comes next from everything known: the next question that still matters,
a warning sign's advice, an honest outcome, or the weighing of the causes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.conversation import Conversation
from bot.dialog.model import CHOOSE, SIGN_DOUBTED, SIGN_RAISED, Dialog, Question
from bot.flow import open_facts
from bot.machine import DialogMachine
from bot.messages import Incoming, Reply, Result
from bot.reading.answers import answer
from bot.reading.reader import Reader, Reading
from bot.replies import NONE, PICKS, UNSURE, Button, Replies, options_of, parse_token
from bot.results import assessment, outcome_result, red_flag_result

Changes = dict[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class Turn:
    """What a turn produced: replies, the conversation to keep (None: delete it), and labels
    for logs and metrics (never the person's words)."""

    replies: tuple[Reply, ...]
    conversation: Conversation | None
    event: str
    forget: bool = False
    result: Result | None = None
    started: bool = False


class Dialogue:
    """The dialog's behaviour: built once per dialog file, shared by every conversation."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.machine = DialogMachine(dialog)
        self.reader = Reader(dialog)
        self.replies = Replies(dialog)
        self.message = self.replies.message
        self.other_languages = ""
        """How to ask for each other language kneebot speaks, in that language (see
        `bot.languages`): said to anyone who writes in a language this dialog does not read."""

    # ----- the turn ------------------------------------------------------------------------
    def read(self, incoming: Incoming) -> Reading:
        """Understand the message. Pure and independent of the conversation, so the engine does
        it before taking the conversation's lock (a long message must not hold up anyone)."""
        return self.reader.read(incoming.text) if incoming.button is None else Reading()

    def turn(
        self,
        conversation: Conversation | None,
        incoming: Incoming,
        now: float,
        reading: Reading | None = None,
    ) -> Turn:
        notes: list[Reply] = []
        if conversation is not None and not self._still_valid(conversation):
            conversation = None
            notes.append(self.message("dialog_changed"))
        button = parse_token(incoming.button) if incoming.button else None
        if reading is None:
            reading = self.read(incoming)
        if reading.truncated:
            notes.append(self.message("too_long"))
        command = button.command if button else reading.command
        if command and not (button is None and self._answers_instead(conversation, reading)):
            return self._command(command, conversation, incoming, now, notes)
        if conversation is None:
            if button is not None:
                notes.append(self.message("button_after_end"))
            return self._start(incoming, now, notes, reading)
        if self.dialog.is_terminal(conversation.state):
            if any(status == "stated" for status in reading.signs(self.dialog).values()):
                return self._start(incoming, now, notes, reading)
            if reading.number == 1:  # the result's one numbered choice: start a new check
                return self._command("restart", conversation, incoming, now, notes)
            kept = replace(conversation, updated_at=now)
            return Turn(
                replies=(*notes, self.replies.offer_start("finished")), conversation=kept, event="finished"
            )
        question = self.current(conversation)
        if button is not None:
            facts = self._clicked(question, conversation, button)
            if facts is None:
                notes.append(self.message("stale_button"))
                return self._ask(replace(conversation, updated_at=now), notes, event="stale_button")
            return self._learn(conversation, facts, now, notes, event="answer")
        return self._typed(conversation, question, reading, now, notes)

    def _answers_instead(self, conversation: Conversation | None, reading: Reading) -> bool:
        """A command word that is also an answer to the question asked is the answer: "back"
        to "Where is the pain?" means the back of the knee, not "undo" ("/back" is "undo")."""
        if (
            conversation is None
            or reading.marked
            or self.dialog.is_terminal(conversation.state)
            or conversation.state == CHOOSE
        ):
            return False
        return bool(answer(self.current(conversation), reading, self.dialog))

    def resume(self, conversation: Conversation | None) -> list[Reply]:
        """What to show someone returning to a conversation still in progress."""
        if (
            conversation is None
            or not self._still_valid(conversation)
            or self.dialog.is_terminal(conversation.state)
        ):
            return []
        return [self.message("resumed"), self.question_reply(conversation)]

    def forgotten(self, count: int) -> Reply:
        return self.message("forgotten", count=count)

    def current(self, conversation: Conversation) -> Question:
        """The question a conversation stands at, as shown now: a signs or multi question
        offers only the options not already answered by something said before."""
        question = self.dialog.questions[conversation.state]
        if question.options:
            still = open_facts(question, conversation.answers)
            question = replace(question, options=tuple(o for o in question.options if o.fact in still))
        return question

    def question_reply(self, conversation: Conversation) -> Reply:
        return self.replies.question(self.current(conversation), conversation)

    # ----- understanding -------------------------------------------------------------------
    def _clicked(self, question: Question, conversation: Conversation, button: Button) -> Changes | None:
        """The facts a tap gives, or None for a button of another question, an older copy of
        this one, or an earlier check."""
        if (button.check, button.state, button.step) != (conversation.check, question.id, conversation.step):
            return None
        value = button.value
        offered = {v for v, _ in options_of(self.dialog, question)}
        picks = value.split(PICKS)
        if not picks or any(p not in offered for p in picks) or (len(picks) > 1 and question.kind != "multi"):
            return None
        if question.kind in ("yesno", "choice"):
            return self._fact_values(question, {question.fact: value}, conversation.answers)
        if value == NONE:
            return self._fact_values(question, dict.fromkeys(question.facts, "no"), conversation.answers)
        if value == UNSURE:
            return self._fact_values(question, dict.fromkeys(question.facts, "unsure"), conversation.answers)
        if question.kind == "signs":
            return self._fact_values(question, dict.fromkeys(picks, "yes"), conversation.answers)
        return {fact: ("yes" if fact in picks else "no") for fact in question.facts}

    def _fact_values(self, question: Question, given: Mapping[str, str], known: Mapping[str, str]) -> Changes:
        """Answers as stored facts. A warning sign answered yes is "confirmed", not sure is
        "unsure" (both raise it); on a signs screen "not sure" leaves each sign "doubted", to
        be confirmed one at a time; a doubtful mention answered no is "dismissed"."""
        if not (question.sign or question.kind == "signs"):
            return dict(given)
        out = {}
        for sign, value in given.items():
            if value == "yes":
                out[sign] = "confirmed"
            elif value == "unsure":
                out[sign] = SIGN_DOUBTED if question.kind == "signs" else "unsure"
            else:
                out[sign] = "dismissed" if known.get(sign) == SIGN_DOUBTED else "no"
        return out

    def _typed(
        self, conversation: Conversation, question: Question, reading: Reading, now: float, notes: list[Reply]
    ) -> Turn:
        known = conversation.answers
        given = answer(question, reading, self.dialog)
        answered = self._fact_values(question, given.facts, known)
        changes = {**self._signs(reading, known, question), **self._passing(conversation, reading)}
        said_back = self._notes(
            {k: v for k, v in changes.items() if k not in answered and k in self.dialog.facts}
        )
        for fact, value in answered.items():  # a sign named in the message outranks "not sure" to its screen
            if not (fact in self.dialog.red_flags and _rank(changes.get(fact)) > _rank(value)):
                changes[fact] = value
        if not changes:
            notes.append(self._not_understood(question, reading, which=given.which))
            return self._ask(replace(conversation, updated_at=now), notes, event="not_understood")
        if said_back:
            notes.append(self.message("noted", facts=" ".join(said_back)))
        self._for_someone_else(reading, changes, notes)
        event = "red_flag" if any(changes.get(s) in SIGN_RAISED for s in self.dialog.red_flags) else "answer"
        turn = self._learn(
            conversation, changes, now, notes, event=event if answered or event == "red_flag" else "noted"
        )
        if not answered and turn.conversation is not None and turn.conversation.state == conversation.state:
            # Facts in passing, but the question itself is still open: say so, and ask again.
            replies = [r for r in turn.replies if r.name != "noted"]
            if said_back:
                replies.insert(-1, self.message("noted_first", facts=" ".join(said_back)))
            else:
                replies.insert(-1, self._not_understood(question, reading, which=given.which))
            return replace(turn, replies=tuple(replies))
        return turn

    def _signs(self, reading: Reading, known: Mapping[str, str], question: Question | None = None) -> Changes:
        """Warning signs in a message: stated raises one at once ("mentioned"); doubtful marks
        it for its confirming question; a denial is remembered so no screen asks it again. A
        sign the question asked invites ("may_mention") is only doubted."""
        invited = self._invited(question) if question else set()
        out: Changes = {}
        for sign, status in reading.signs(self.dialog).items():
            if question is not None and sign == question.sign:
                continue
            if status == "stated" and sign in invited:
                status = "doubtful"
            current = known.get(sign)
            if status == "stated" and current not in SIGN_RAISED:
                out[sign] = "mentioned"
            elif status == "doubtful" and current in (None, "no"):
                out[sign] = SIGN_DOUBTED
            elif status == "dropped" and current is None:
                out[sign] = "no"
        return out

    def _for_someone_else(self, reading: Reading, changes: Changes, notes: list[Reply]) -> None:
        """A warning sign told of someone else gets its check answered for them: the question
        says "you", and a carer answering "no, not me" would lose the alarm."""
        doubted = {sign for sign, value in changes.items() if value == SIGN_DOUBTED}
        if doubted & reading.about_someone_else():
            notes.append(self.message("for_someone_else"))

    def _invited(self, question: Question) -> set[str]:
        asked = [question, *(self.dialog.questions[f] for f in question.facts if f in self.dialog.questions)]
        return {sign for q in asked for sign in q.may_mention}

    def _passing(self, conversation: Conversation, reading: Reading) -> Changes:
        """Facts said in passing: new ones, and corrections of facts noted in passing before
        ("actually, there is a lump"). An answer the person gave to a question is never
        overridden by something said in passing."""
        answered = self._answered_directly(conversation)
        out = {}
        for fact, value in reading.facts(self.dialog).items():
            known = conversation.answers.get(fact)
            if known == value or fact in answered:
                continue
            if known is None or self.dialog.facts[fact].kind == "yesno":
                out[fact] = value
        return out

    def _answered_directly(self, conversation: Conversation) -> set[str]:
        out: set[str] = set()
        for state, changed in conversation.history:
            question = self.dialog.questions.get(state)
            if question is not None:
                out.update(f for f in question.facts if f in changed)
        return out

    def _notes(self, changes: Mapping[str, str]) -> list[str]:
        out = []
        for fact, value in changes.items():
            chosen = self.dialog.facts[fact].value(value)
            if chosen is not None and chosen.note:
                out.append(chosen.note)
        return out

    def _not_understood(self, question: Question, reading: Reading, *, which: bool) -> Reply:
        """The most helpful way to say "I didn't get that" for this particular message: the
        question comes again after it, with one short example of an answer."""
        if reading.empty:
            return self.message("empty")
        if reading.foreign:
            return self.message("non_english", others=self.other_languages)
        count = len(options_of(self.dialog, question))
        if reading.numbers:
            return self.message("out_of_range", count=count)
        if which:
            return self.message("yes_to_multi" if question.kind == "multi" else "yes_to_choice")
        options = options_of(self.dialog, question)
        example = self.dialog.messages[f"example_{question.kind}"].format(first=options[0][1])
        return self.message("not_understood", example=example)

    # ----- steps ---------------------------------------------------------------------------
    def _still_valid(self, conversation: Conversation) -> bool:
        """A conversation from an older dialog file restarts if its states no longer exist."""
        return (
            conversation.dialog == self.dialog.id
            and self.machine.knows(conversation.state)
            and conversation.state != CHOOSE
            and all(isinstance(entry, list) and len(entry) == 2 and self.machine.knows(entry[0]) and isinstance(entry[1], dict)
                    for entry in conversation.history)
        )  # fmt: skip

    def _command(
        self,
        command: str,
        conversation: Conversation | None,
        incoming: Incoming,
        now: float,
        notes: list[Reply],
    ) -> Turn:
        active = conversation is not None and not self.dialog.is_terminal(conversation.state)
        if command == "forget":
            return Turn(replies=tuple(notes), conversation=None, event="forget", forget=True)
        if command == "stop":
            if conversation is None:  # nothing was deleted, so don't say so
                return Turn(
                    replies=(*notes, self.replies.offer_start("nothing_to_stop")),
                    conversation=None,
                    event="stop",
                )
            return Turn(replies=(*notes, self.message("stopped")), conversation=None, event="stop")
        if command == "restart":
            if conversation is None:  # nothing to restart: a first start, disclaimer included
                return self._start(incoming, now, notes, Reading())
            notes.append(self.message("restarted"))
            return self._start(incoming, now, notes, Reading(), greet=False)
        if command == "open":  # the person opened the bot on purpose (a slash command, say)
            if conversation is not None and active:
                kept = replace(conversation, updated_at=now)
                return Turn(replies=(*notes, *self.resume(kept)), conversation=kept, event="resume")
            return self._start(incoming, now, notes, Reading())
        if command == "hello":
            if conversation is not None and active:
                notes.append(self.message("hello_again"))
                return self._ask(replace(conversation, updated_at=now), notes, event="hello")
            return self._start(incoming, now, notes, Reading())
        if command == "help":
            notes.append(self.message("help"))
            if conversation is not None and active:
                return self._ask(replace(conversation, updated_at=now), notes, event="help")
            notes[-1] = self.replies.offer_start("help")
            return Turn(replies=tuple(notes), conversation=conversation, event="help")
        return self._back(conversation, active, now, notes)

    def _back(self, conversation: Conversation | None, active: bool, now: float, notes: list[Reply]) -> Turn:
        if conversation is None or not conversation.history:
            if conversation is not None and active:
                notes.append(self.message("nothing_to_undo"))
                return self._ask(replace(conversation, updated_at=now), notes, event="back")
            notes.append(self.replies.offer_start("nothing_to_undo"))
            return Turn(replies=tuple(notes), conversation=conversation, event="back")
        *history, (state, previous) = conversation.history
        facts = dict(conversation.answers)
        for fact, value in previous.items():
            if value is None:
                facts.pop(fact, None)
            else:
                facts[fact] = value
        undone = "undone_red_flag" if conversation.state in self.dialog.red_flags else "undone"
        notes.append(self.message(undone))
        earlier = replace(
            conversation,
            state=state,
            answers=facts,
            history=history,
            step=conversation.step + 1,
            updated_at=now,
        )
        return self._ask(earlier, notes, event="back")

    def _start(
        self, incoming: Incoming, now: float, notes: list[Reply], reading: Reading, *, greet: bool = True
    ) -> Turn:
        fresh = Conversation(
            key=incoming.key,
            user=incoming.user,
            dialog=self.dialog.id,
            version=self.dialog.version,
            state=CHOOSE,
            started_at=now,
            updated_at=now,
        )
        if greet:
            notes.append(self.message("greeting"))
        if reading.foreign:  # a first message in another language gets the note at once
            notes.append(self.message("non_english", others=self.other_languages))
        facts = {**self._signs(reading, {}), **self._passing(fresh, reading)}
        said_back = self._notes({k: v for k, v in facts.items() if k in self.dialog.facts})
        started = replace(fresh, answers=facts)
        state = self.machine.next_state(started.answers)
        if said_back and state in self.dialog.questions:
            notes.append(self.message("noted_first", facts=" ".join(said_back)))
        self._for_someone_else(reading, facts, notes)
        turn = self._present(replace(started, state=state), notes, event="start", arrived=True)
        return replace(turn, started=True)

    def _learn(
        self, conversation: Conversation, changes: Changes, now: float, notes: list[Reply], *, event: str
    ) -> Turn:
        """Record what this turn learnt (with what it replaced, for `back`), then move on."""
        previous = {fact: conversation.answers.get(fact) for fact in changes}
        facts = {**conversation.answers, **changes}
        state = self.machine.next_state(facts)
        learnt = replace(
            conversation,
            state=state,
            answers=facts,
            history=[*conversation.history, [conversation.state, previous]],
            step=conversation.step + 1,
            updated_at=now,
        )
        return self._present(learnt, notes, event=event, arrived=state != conversation.state)

    def _ask(self, conversation: Conversation, notes: list[Reply], *, event: str) -> Turn:
        return Turn(
            replies=(*notes, self.question_reply(conversation)), conversation=conversation, event=event
        )

    def _present(self, conversation: Conversation, notes: list[Reply], *, event: str, arrived: bool) -> Turn:
        state = conversation.state
        if self.dialog.is_terminal(state):
            facts = conversation.answers
            if state in self.dialog.red_flags:
                result = red_flag_result(self.dialog, self.dialog.red_flags[state], facts)
            elif state in self.dialog.outcomes:
                result = outcome_result(self.dialog, self.dialog.outcomes[state], facts)
            else:
                result = assessment(self.dialog, facts)
            return Turn(
                replies=(*notes, self.replies.result(result)),
                conversation=conversation,
                event="red_flag" if result.kind == "red_flag" else "result",
                result=result,
            )
        intro = self.dialog.questions[state].intro
        if arrived and intro and not self._intro_shown(conversation, intro):
            notes.append(self.message(intro))
        return self._ask(conversation, notes, event=event)

    def _intro_shown(self, conversation: Conversation, intro: str) -> bool:
        """An intro ("First, a quick safety check") is said once, before the first question
        that carries it."""
        return any(
            (question := self.dialog.questions.get(state)) is not None and question.intro == intro
            for state, _ in conversation.history
        )


_SIGN_RANK = {"mentioned": 4, "confirmed": 4, "unsure": 3, "doubted": 2, "no": 1, "dismissed": 1}


def _rank(value: str | None) -> int:
    """How much a warning sign's value says it applies (a raised sign is never lowered)."""
    return _SIGN_RANK.get(value or "", 0)
