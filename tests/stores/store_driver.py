"""A tiny bot process for the store tests: the real Engine on a real store, driven from stdin.

    python store_driver.py hammer STORE PEOPLE_JSON ANSWERS_JSON
        Print "ready", wait for "go", then for each [key, person] in turn click the answer to
        whatever question that conversation is at, as fast as possible, until it reaches a
        result. Other processes do the same at the same time. Print one JSON line: the clicks
        that were applied, each as [key, question, step] as this process saw them plus the
        state the engine applied it to, and how many were turned away.

    python store_driver.py hold STORE KEY LEASE [dirty]
        Take the conversation's lock (as a turn does), optionally write a changed copy of the
        conversation inside it, print "holding" and wait to be killed with kill -9. LEASE is
        the Redis lock's lease in seconds, or "default" for the store's own.

    python store_driver.py stall STORE KEY LEASE
        Take the lock and load the conversation, print "holding", then wait for a line "save"
        (the test stops and resumes this process meanwhile, as a long pause would) and try to
        save a copy with step 99: print "saved", or "refused" when the store refused it.

STORE is sqlite:PATH or redis:URL. Kept apart from the tests so it runs as its own process.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

from bot.dialog.loader import load_dialog
from bot.engine import Engine, TurnRecord, default_dialog_path
from bot.messages import Incoming, Reply
from bot.replies import PICKS, picks_token
from bot.store import SQLiteStore, Store, StoreUnavailable
from bot.store.redis import RedisStore


def open_store(spec: str, lease: str = "default") -> Store:
    kind, _, where = spec.partition(":")
    if kind == "sqlite":
        return SQLiteStore(where)
    return RedisStore(where) if lease == "default" else RedisStore(where, lock_lease=float(lease))


def _token(question: Reply, value: str) -> str:
    """The token of the button for `value`; "a+b" picks options a and b of a multi-select
    question together, as checkboxes send them."""
    tokens = {choice.value: choice.token for choice in question.choices}
    picks = value.split(PICKS)
    if len(picks) == 1:
        return tokens[value]
    if not question.multi or any(pick not in tokens for pick in picks):
        raise SystemExit(f"{question.question} does not offer {value}")
    return picks_token([tokens[pick] for pick in picks])


def hammer(store: Store, people: list[list[str]], answers: dict[str, str]) -> None:
    records: list[TurnRecord] = []
    engine = Engine(load_dialog(default_dialog_path()), store, observers=[records.append])
    applied: list[list[object]] = []
    stale = 0
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("expected go")
    for key, person in people:
        while True:
            seen = store.load(key, now=time.time())
            if seen is None or seen.state not in engine.dialog.questions:
                break
            question = engine.dialogue.question_reply(seen)
            token = _token(question, answers[seen.state])
            engine.handle(Incoming(key=key, user=person, button=token))
            record = records[-1]
            if record.event in ("answer", "result"):
                applied.append([key, seen.state, seen.step, record.state_before])
            elif record.event in ("stale_button", "finished"):
                stale += 1  # drawn for a question already answered, or a check already finished
            else:
                raise SystemExit(f"unexpected turn {record.event}")
    print(json.dumps({"applied": applied, "stale": stale}), flush=True)


def hold(store: Store, key: str, dirty: bool) -> None:
    with store.lock(key):
        if dirty:
            conversation = store.load(key, now=time.time())
            assert conversation is not None
            store.save(dataclasses.replace(conversation, step=conversation.step + 100, answers={}))
        print("holding", flush=True)
        time.sleep(120)


def stall(store: Store, key: str) -> None:
    try:
        with store.lock(key):
            conversation = store.load(key, now=time.time())
            assert conversation is not None
            print("holding", flush=True)
            if sys.stdin.readline().strip() != "save":
                raise SystemExit("expected save")
            store.save(dataclasses.replace(conversation, step=99))
    except StoreUnavailable:
        print("refused", flush=True)
    else:
        print("saved", flush=True)


def main(argv: list[str]) -> None:
    mode, spec = argv[:2]
    if mode == "hammer":
        hammer(open_store(spec), json.loads(argv[2]), json.loads(argv[3]))
    elif mode == "stall":
        stall(open_store(spec, argv[3]), argv[2])
    else:
        hold(open_store(spec, argv[3]), argv[2], dirty=argv[4:] == ["dirty"])


if __name__ == "__main__":
    main(sys.argv[1:])
