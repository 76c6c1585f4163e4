"""Real bot processes sharing a durable store: `kneebot chat` processes taking turns on one
conversation, a process killed with kill -9 mid-conversation, and one killed while it holds
a conversation's lock. Nothing the person already answered may be lost, and no dead process
may block the conversation for longer than the lock's own timeout.
"""

from __future__ import annotations

import threading
import time

from bot.keys import conversation_key


def _kneebot_chat(spawn, durable, user: str = "ann"):
    return spawn(["-m", "adapters.cli", "chat", *durable.cli_args, "--user", user])


def _console_key(user: str = "ann") -> str:
    return conversation_key("console", "local", "terminal", user)


def test_three_bot_processes_take_turns_on_one_conversation(durable, spawn, dialog, check):
    parts = [check.typed[:3], check.typed[3:5], check.typed[5:]]
    outputs = []
    for lines in parts:
        bot = _kneebot_chat(spawn, durable)
        for line in lines:
            bot.send(line)
        outputs.append(bot.finish())

    first, second, third = outputs
    questions = [dialog.questions[question].text for question in check.questions]
    assert first.count(dialog.messages["greeting"]) == 1
    assert questions[3] in _last_answer(first)
    for later in (second, third):
        assert dialog.messages["greeting"] not in later
        assert later.startswith(dialog.messages["resumed"])
    assert questions[3] in second.split("\n\n")[1]
    assert questions[5] in third.split("\n\n")[1]
    assert _fits_best(dialog, check.cause) in _last_answer(third)
    kept = durable.store().load(_console_key(), now=time.time())
    assert (kept.state, kept.answers) == ("assess", check.facts)


def _fits_best(dialog, cause: str) -> str:
    """How a result names the cause that fits best ("... fit hamstring tendonitis best")."""
    return f"{dialog.causes[cause].name} best"


def _last_answer(output: str) -> str:
    """What the bot said to the last line it was sent."""
    return output.split("you> ")[-1]


def test_kill_9_mid_conversation_then_resume_in_a_new_process(durable, spawn, dialog, check):
    bot = _kneebot_chat(spawn, durable)
    for line in check.typed[:3]:
        bot.send(line)
    asked_next = dialog.questions[check.questions[3]].text
    bot.expect(asked_next[:40])
    bot.kill9()

    again = _kneebot_chat(spawn, durable)
    again.expect(dialog.messages["resumed"])
    again.expect(asked_next[:40])
    for line in check.typed[3:]:
        again.send(line)
    output = again.finish()
    assert _fits_best(dialog, check.cause) in output
    assert dialog.messages["greeting"] not in output
    kept = durable.store().load(_console_key(), now=time.time())
    assert (kept.state, kept.answers) == ("assess", check.facts)


def test_a_process_killed_holding_the_lock_does_not_block_the_conversation(
    durable, driver, make_engine, chat
):
    """A process dies in the middle of a turn, holding the conversation's lock (for SQLite,
    with a half-written change). Another process's turn waits for it, then goes ahead on the
    last saved state as soon as the lock is gone: at once for SQLite (the OS drops a dead
    process's file locks and its transaction is never committed), after the lock's own
    lease for Redis."""
    store = durable.store()
    ann = chat(make_engine(store))
    ann.say("hi")
    ann.click("none")
    before = ann.stored(store)

    dirty = ["dirty"] if durable.name == "sqlite" else []
    holder = driver("hold", durable.spec, ann.key, "default", *dirty)
    holder.expect("holding")
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (ann.click("none"), done.set()))
    waiter.start()
    assert not done.wait(0.3), "a turn went ahead while another process held the lock"
    holder.kill9()
    waiter.join(timeout=20)

    assert done.is_set()
    assert ann.question() == "location"
    after = ann.stored(store)
    urgent_signs = dict.fromkeys(ann.engine.dialog.questions["screen_urgent"].facts, "no")
    assert (after.step, after.answers) == (before.step + 1, {**before.answers, **urgent_signs})
