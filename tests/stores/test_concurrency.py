"""Events racing on one conversation: double clicks, retries racing the original, several
engines (threads here, processes at the end) hammering the same check.

The rule every store must keep: turns on one conversation apply one after the other, each on
the state it loaded. So a click is applied at most once, every applied click moved the check
from exactly the state its button was drawn for, and no answer is lost.
"""

from __future__ import annotations

import json
import threading

from bot.messages import Incoming

THREADS = 4
CONVERSATIONS = 10
APPLIED = ("answer", "result")
TURNED_AWAY = ("stale_button", "finished")
"""A click drawn for a question already answered is stale; after the last answer, the check
is finished. Either way nothing changes."""


def _run_together(count: int, work) -> list:
    """Run `work(i)` in `count` threads released at the same instant; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_a_multiple_click_on_each_question_is_applied_once(backend, make_engine, chat, check):
    """Every question is clicked by four engines at once, as a person hammering a button with
    their bot served by four workers: each time exactly one click counts."""
    engines = [make_engine(backend.store()) for _ in range(THREADS)]
    ann = chat(engines[0])
    clickers = [chat(engine) for engine in engines]
    ann.say("hi")
    rounds = 0
    while (question := ann.question()) is not None:
        token = ann.token(check.answers[question])

        def click(i: int, token: str = token) -> list:
            return clickers[i].engine.handle(Incoming(key=ann.key, user=ann.user, button=token))

        replies = _run_together(THREADS, click)
        events = [clicker.records[-1].event for clicker in clickers]
        applied = [i for i, event in enumerate(events) if event in APPLIED]
        assert len(applied) == 1, events
        assert all(event in TURNED_AWAY for i, event in enumerate(events) if i != applied[0]), events
        ann.last = replies[applied[0]]
        rounds += 1

    assert ann.result().result.cause == check.cause
    kept = ann.stored(backend.store())
    assert (kept.step, kept.answers) == (rounds, check.facts)


def _check_race(applied: list[list], people: list, check) -> None:
    """Each conversation's steps 0..n-1 were taken by exactly one click each, on the state
    the clicker saw."""
    assert all(state == state_before for _, state, _, state_before in applied), applied
    for person in people:
        steps = sorted((step, state) for key, state, step, _ in applied if key == person.key)
        assert [step for step, _ in steps] == list(range(len(check.answers))), (person.key, steps)
        assert {state for _, state in steps} == set(check.answers)


def test_racing_clickers_never_apply_a_click_twice_or_lose_one(backend, make_engine, chat, check):
    """Four engines go through the same conversations in the same order, each reading where
    a check stands and clicking its answer as fast as it can. Whatever the interleaving, each
    step of each check is taken by exactly one click."""
    store = backend.store()
    people = [chat(make_engine(store), user=f"runner{n}") for n in range(CONVERSATIONS)]
    for person in people:
        person.say("hi")
    engines = [make_engine(backend.store()) for _ in range(THREADS)]

    def click_until_done(i: int) -> tuple[list, int]:
        applied, turned_away = [], 0
        for person in people:
            me = chat(engines[i], user=person.key.rsplit(":", 1)[1])
            while (seen := me.stored(store)) is not None and seen.state in check.answers:
                token = me.token(check.answers[seen.state], [me.engine.dialogue.question_reply(seen)])
                me.engine.handle(Incoming(key=me.key, user=me.user, button=token))
                record = me.records[-1]
                if record.event in APPLIED:
                    applied.append([me.key, seen.state, seen.step, record.state_before])
                else:
                    assert record.event in TURNED_AWAY, record
                    turned_away += 1
            engines[i].observers.clear()  # drop this person's observer before the next
        return applied, turned_away

    results = _run_together(THREADS, click_until_done)
    _check_race([a for done, _ in results for a in done], people, check)
    for person in people:
        final = person.stored(store)
        assert (final.step, final.answers) == (len(check.answers), check.facts)
    print(f"{backend.name}: {sum(t for _, t in results)} clicks turned away")


def test_a_retry_racing_the_original_is_answered_once(backend, make_engine, chat):
    engines = [make_engine(backend.store()) for _ in range(2)]
    ann = chat(engines[0])
    ann.say("hi")
    delivery = Incoming(key=ann.key, user=ann.user, text="none", event_id="Ev-race")

    replies = _run_together(2, lambda i: engines[i].handle(delivery))
    assert sorted(len(r) for r in replies)[0] == 0, "one of the two deliveries must be dropped"
    assert sum(1 for r in replies if r) == 1
    assert ann.stored(backend.store()).state == "screen_urgent"


def test_bot_processes_racing_on_one_conversation(durable, make_engine, chat, check, driver):
    """Three bot processes share the store and click through the same checks at once."""
    store = durable.store()
    people = [chat(make_engine(store), user=f"runner{n}") for n in range(CONVERSATIONS)]
    for person in people:
        person.say("hi")
    order = json.dumps([[person.key, person.user] for person in people])
    bots = [driver("hammer", durable.spec, order, json.dumps(check.answers)) for _ in range(3)]
    for bot in bots:
        bot.expect("ready")
    for bot in bots:
        bot.send("go")
    applied, stale = [], 0
    for bot in bots:
        outcome = json.loads(bot.expect('"applied"')[-1])
        applied += outcome["applied"]
        stale += outcome["stale"]
    _check_race(applied, people, check)
    for person in people:
        final = person.stored(store)
        assert (final.step, final.answers) == (len(check.answers), check.facts)
    print(f"{durable.name}: 3 processes, {stale} clicks turned away")
