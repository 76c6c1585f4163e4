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
    parts = [check.typed[:4], check.typed[4:8], check.typed[8:]]
    outputs = []
    for lines in parts:
        bot = _kneebot_chat(spawn, durable)
        for line in lines:
            bot.send(line)
        outputs.append(bot.finish())

    first, second, third = outputs
    assert first.count(dialog.messages["greeting"]) == 1
    assert dialog.questions["long_runs"].text in _last_answer(first)
    for later in (second, third):
        assert dialog.messages["greeting"] not in later
        assert later.startswith(dialog.messages["resumed"])
    assert dialog.questions["long_runs"].text in second.split("\n\n")[1]
    assert dialog.questions["giving_way"].text in third.split("\n\n")[1]
    assert "hamstring tendonitis best" in _last_answer(third)
    kept = durable.store().load(_console_key(), now=time.time())
    assert (kept.state, kept.answers) == ("assess", check.answers)


def _last_answer(output: str) -> str:
    """What the bot said to the last line it was sent."""
    return output.split("you> ")[-1]


def test_kill_9_mid_conversation_then_resume_in_a_new_process(durable, spawn, dialog, check):
    bot = _kneebot_chat(spawn, durable)
    for line in check.typed[:3]:
        bot.send(line)
    bot.expect(dialog.questions["start_stiffness"].text[:40])
    bot.kill9()

    again = _kneebot_chat(spawn, durable)
    again.expect(dialog.messages["resumed"])
    again.expect(dialog.questions["start_stiffness"].text[:40])
    for line in check.typed[3:]:
        again.send(line)
    output = again.finish()
    assert "hamstring tendonitis best" in output
    assert dialog.messages["greeting"] not in output


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
    assert ann.question() == "activity"
    after = ann.stored(store)
    assert (after.step, after.answers) == (before.step + 1, {**before.answers, "screen_urgent": "none"})
