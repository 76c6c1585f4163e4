"""The transcript `Driver` for Slack: every transcript replayed through the real adapter.

A turn becomes a signed `message.im` event or a `block_actions` click sent to the adapter's
HTTP endpoint; what the bot "said" is read back from the fake Slack: each new message posted to
the person's DM, and each ephemeral one, as a Slack client would show it (the blocks' words,
the buttons' labels, the outcome from the result's block id). Edits of clicked questions
(chat.update) are not new messages, so they are not part of what was said.

(Named slack_driver.py rather than driver.py: test folders are not packages, so helper modules
need names no other folder uses.)
"""

from __future__ import annotations

from slack_fake_api import Call, FakeSlack
from slack_harness import (
    LoopThread,
    SlackPerson,
    SlackRig,
    checkboxes_of,
    labels_of,
    outcome_of,
    replies_in,
    visible_text,
)

from bot.engine import Engine
from bot.transcripts.driver import Said


def said_from_call(call: Call) -> list[Said]:
    """One Said per engine reply the message carries."""
    return [
        Said(
            text=visible_text(part.blocks, part.args.get("text", "")),
            choices=labels_of(part),
            outcome=outcome_of(part),
        )
        for part in replies_in(call)
    ]


class SlackDriver:
    """Implements `bot.transcripts.driver.Driver` over a running Slack adapter."""

    def __init__(self, *, loop: LoopThread, fake: FakeSlack, engine: Engine, user: str) -> None:
        self.loop = loop
        self.fake = fake
        self.rig = SlackRig(loop, fake, engine)
        self.person = SlackPerson(self.rig, user)

    def _said(self, calls: list[Call]) -> list[Said]:
        shown = [
            c
            for c in calls
            if c.channel == self.person.dm and c.method in ("chat.postMessage", "chat.postEphemeral")
        ]
        return [said for c in shown for said in said_from_call(c)]

    def say(self, text: str) -> list[Said]:
        return self._said(self.person.say(text))

    def click(self, label: str, *, stale: bool = False) -> list[Said]:
        """A button, or one box of a multi-select question ticked and sent alone."""
        boxes = [
            c
            for c in self.person.offered()
            if label in {o["text"]["text"] for g in checkboxes_of(c) for o in g["options"]}
        ]
        if boxes and not stale and boxes[-1] is self.person.offered()[-1]:
            return self._said(self.person.pick((label,)))
        return self._said(self.person.click(label, stale=stale))

    def pick(self, labels: tuple[str, ...]) -> list[Said]:
        return self._said(self.person.pick(labels))

    def restart_process(self) -> None:
        """A new engine and a new adapter (new AsyncApp, new HTTP endpoint) on the same store."""
        old = self.rig.engine
        self.rig.close()
        engine = Engine(old.dialog, old.store, clock=old.clock)
        self.rig = SlackRig(self.loop, self.fake, engine)
        self.person.rig = self.rig

    def close(self) -> None:
        self.rig.close()
        self.rig.engine.store.close()
