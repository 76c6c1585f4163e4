"""One turn of a conversation, as a pure function of (conversation, input, time).

No I/O happens here: the engine loads the conversation, calls `Dialogue.turn`, and saves or
deletes what comes back. That keeps the whole dialog behaviour testable without a store and
identical under every adapter, sync or async.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.assess import assessment, red_flag_result
from bot.conversation import Conversation
from bot.dialog import ASSESS, Dialog, Question
from bot.machine import DialogMachine
from bot.messages import Incoming, Reply, Result
from bot.reading import Reader, Reading
from bot.replies import Replies, parse_token


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
        self.question_reply = self.replies.question

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
        if command:
            return self._command(command, conversation, incoming, now, notes)
        if conversation is None:
            if button is not None:
                notes.append(self.message("button_after_end"))
            return self._start(incoming, now, notes, reading)
        if self.dialog.is_terminal(conversation.state):
            if reading.red_flags:
                return self._start(incoming, now, notes, reading)
            if reading.number == 1:  # the result's one numbered choice: start a new check
                return self._command("restart", conversation, incoming, now, notes)
            kept = replace(conversation, updated_at=now)
            return Turn(
                replies=(*notes, self.replies.offer_start("finished")),
                conversation=kept,
                event="finished",
            )
        question = self.dialog.questions[conversation.state]
        if button is not None:
            drawn = (button.check, button.state, button.step)
            if (
                drawn != (conversation.check, question.id, conversation.step)
                or question.answer(button.value) is None
            ):
                notes.append(self.message("stale_button"))
                return self._ask(conversation, notes, now, event="stale_button")
            return self._advance(conversation, question, button.value, {}, now, notes)
        if reading.red_flags:
            return self._escalate(conversation, reading, now, notes)
        answer = reading.answer_to(question)
        if answer is None:
            noted, facts = self._note_mentions(conversation, reading)
            if facts:
                notes.append(self.message("noted", facts=" ".join(facts)))
            else:
                notes.append(self._not_understood(question, reading))
            return self._ask(noted, notes, now, event="not_understood")
        return self._advance(conversation, question, answer, reading.mentions, now, notes)

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

    # ----- steps ---------------------------------------------------------------------------
    def _still_valid(self, conversation: Conversation) -> bool:
        """A conversation from an older dialog file restarts if its states no longer exist."""
        return (
            conversation.dialog == self.dialog.id
            and self.machine.knows(conversation.state)
            and all(self.machine.knows(entry[0]) for entry in conversation.history)
        )

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
                return self._ask(conversation, notes, now, event="hello")
            return self._start(incoming, now, notes, Reading())
        if command == "help":
            notes.append(self.message("help"))
            if conversation is not None and active:
                return self._ask(conversation, notes, now, event="help")
            notes[-1] = self.replies.offer_start("help")
            return Turn(replies=tuple(notes), conversation=conversation, event="help")
        # back
        if conversation is None or not conversation.history:
            if conversation is not None and active:
                notes.append(self.message("nothing_to_undo"))
                return self._ask(conversation, notes, now, event="back")
            notes.append(self.replies.offer_start("nothing_to_undo"))
            return Turn(replies=tuple(notes), conversation=conversation, event="back")
        *history, (state, added) = conversation.history
        answers = {k: v for k, v in conversation.answers.items() if k not in added}
        previous = replace(
            conversation,
            state=state,
            answers=answers,
            history=history,
            step=conversation.step + 1,
            updated_at=now,
        )
        undone = "undone_red_flag" if conversation.state in self.dialog.red_flags else "undone"
        notes.append(self.message(undone))
        return self._ask(previous, notes, now, event="back")

    def _note_mentions(self, conversation: Conversation, reading: Reading) -> tuple[Conversation, list[str]]:
        """Keep facts given in passing even when the question asked went unanswered, as a turn
        of their own (so `back` undoes them), and return their summary lines to say back."""
        fresh = self._facts(conversation, reading.mentions, skip=conversation.state)
        facts = [note for q, v in fresh.items() if (note := self._note_of(q, v))]
        if not facts:
            return conversation, []
        noted = replace(
            conversation,
            answers={**conversation.answers, **fresh},
            history=[*conversation.history, [conversation.state, list(fresh)]],
            step=conversation.step + 1,
        )
        return noted, facts

    def _facts(
        self, conversation: Conversation, mentions: dict[str, str], *, skip: str = ""
    ) -> dict[str, str]:
        """The facts in passing a message adds: new ones, and corrections of yes/no facts noted
        in passing before ("actually, there is a lump"). A choice noted before is kept ("I do
        like cycling" does not mean "I don't run"), and an answer the person gave to the
        question itself is never overridden by a passing mention."""
        answered = {entry[0] for entry in conversation.history if entry[0] in entry[1]}

        def adds(question: str, value: str) -> bool:
            known = conversation.answers.get(question)
            if question not in self.dialog.questions or question == skip or known == value:
                return False
            return known is None or (
                question not in answered and self.dialog.questions[question].kind == "yesno"
            )

        return {q: v for q, v in mentions.items() if adds(q, v)}

    def _note_of(self, question: str, value: str) -> str | None:
        answer = self.dialog.questions[question].answer(value)
        return answer.note if answer is not None else None

    def _not_understood(self, question: Question, reading: Reading) -> Reply:
        """The most helpful way to say "I didn't get that" for this particular message."""
        if reading.empty:
            return self.message("empty")
        if reading.foreign:
            return self.message("non_english")
        if reading.number is not None:
            return self.message("out_of_range", count=len(question.answers))
        if question.kind == "choice" and reading.affirmative:
            return self.message("yes_to_choice")
        return self.message("not_understood")

    def _start(
        self, incoming: Incoming, now: float, notes: list[Reply], reading: Reading, *, greet: bool = True
    ) -> Turn:
        conversation = Conversation(
            key=incoming.key,
            user=incoming.user,
            dialog=self.dialog.id,
            version=self.dialog.version,
            state=self.dialog.start,
            answers={q: v for q, v in reading.mentions.items() if q in self.dialog.questions},
            started_at=now,
            updated_at=now,
        )
        if greet:
            notes.append(self.message("greeting"))
        if reading.foreign:  # a first message in another language gets the note at once
            notes.append(self.message("non_english"))
        if reading.red_flags:
            turn = self._escalate(conversation, reading, now, notes)
        else:
            state, passed = self._settle(conversation.state, conversation.answers)
            turn = self._present(replace(conversation, state=state), notes, event="start", passed=passed)
        return replace(turn, started=True)

    def _escalate(self, conversation: Conversation, reading: Reading, now: float, notes: list[Reply]) -> Turn:
        facts = self._facts(conversation, reading.mentions)
        answers = {**conversation.answers, **facts}
        added = list(facts)
        escalated = replace(
            conversation,
            state=reading.red_flags[0],
            answers=answers,
            history=[*conversation.history, [conversation.state, added]],
            step=conversation.step + 1,
            updated_at=now,
        )
        return self._present(escalated, notes, event="red_flag")

    def _advance(
        self,
        conversation: Conversation,
        question: Question,
        answer: str,
        mentions: dict[str, str],
        now: float,
        notes: list[Reply],
    ) -> Turn:
        facts = self._facts(conversation, mentions, skip=question.id)
        answers = {**conversation.answers, **facts, question.id: answer}
        added = [question.id, *facts]
        state, passed = self._settle(self.machine.next_state(question.id, answer), answers)
        advanced = replace(
            conversation,
            state=state,
            answers=answers,
            history=[*conversation.history, [question.id, added]],
            step=conversation.step + 1,
            updated_at=now,
        )
        return self._present(advanced, notes, event="answer", passed=passed)

    def _settle(self, state: str, answers: dict[str, str]) -> tuple[str, list[str]]:
        """Move past questions already answered in passing, or whose ask_if does not hold.

        Returns where the conversation lands and the questions passed on the way (their intros
        still belong to the conversation even though they were not asked)."""
        passed: list[str] = []
        for _ in range(len(self.dialog.questions) + 1):
            question = self.dialog.questions.get(state)
            if question is None:
                break
            known = answers.get(state)
            if known is not None and question.answer(known) is not None:
                passed.append(state)
                state = self.machine.next_state(state, known)
            elif not _applies(question, answers):
                passed.append(state)
                state = self.machine.skip(state)
            else:
                break
        return state, passed

    def _ask(self, conversation: Conversation, notes: list[Reply], now: float, *, event: str) -> Turn:
        kept = replace(conversation, updated_at=now)
        return Turn(replies=(*notes, self.question_reply(kept)), conversation=kept, event=event)

    def _present(
        self, conversation: Conversation, notes: list[Reply], *, event: str, passed: list[str] | None = None
    ) -> Turn:
        state = conversation.state
        if state in self.dialog.red_flags or state == ASSESS:
            result = (
                red_flag_result(self.dialog, self.dialog.red_flags[state], conversation.answers)
                if state != ASSESS
                else assessment(self.dialog, conversation.answers)
            )
            return Turn(
                replies=(*notes, self.replies.result(result)),
                conversation=conversation,
                event=event if event == "red_flag" else "result",
                result=result,
            )
        for name in (*(passed or ()), state):
            intro = self.dialog.questions[name].intro
            if intro:
                notes.append(self.message(intro))
        return Turn(
            replies=(*notes, self.question_reply(conversation)), conversation=conversation, event=event
        )


def _applies(question: Question, answers: dict[str, str]) -> bool:
    """A question applies unless an answer it depends on rules it out (unknown: ask)."""
    return all(
        answers.get(other) is None or answers[other] in values for other, values in question.ask_if.items()
    )
