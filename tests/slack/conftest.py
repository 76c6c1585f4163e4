"""Fixtures for the Slack adapter tests: one loop thread and one fake Slack for the session,
a fresh adapter on a fresh engine for each test, and people with their own user ids."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

import pytest
from slack_fake_api import FakeSlack
from slack_harness import LoopThread, SlackPerson, SlackRig

from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.engine import Engine, default_dialog_path
from bot.store import MemoryStore

_users = itertools.count(1)


@pytest.fixture(scope="session")
def slack_dialog() -> Dialog:
    return load_dialog(default_dialog_path())


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def fake_slack(loop_thread: LoopThread) -> Iterator[FakeSlack]:
    fake = FakeSlack()
    loop_thread.run(fake.start())
    yield fake
    loop_thread.run(fake.stop())


@pytest.fixture
def fake(fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.reset()
    return fake_slack


@pytest.fixture
def rig(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[SlackRig]:
    running = SlackRig(loop_thread, fake, Engine(slack_dialog, MemoryStore()))
    yield running
    running.close()


def new_user() -> str:
    return f"U0T{next(_users):06d}"


@pytest.fixture
def person(rig: SlackRig) -> SlackPerson:
    return SlackPerson(rig, new_user())


@pytest.fixture
def other_person(rig: SlackRig) -> SlackPerson:
    return SlackPerson(rig, new_user())


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at every level, to prove no message text reaches a log."""
    caplog.set_level(logging.DEBUG)
    return caplog
