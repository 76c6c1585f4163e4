"""Metrics count what real engine turns did, by labels an operator can act on."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from adapters.cli import make_engine
from bot.config import Settings
from bot.dialog import Dialog
from bot.engine import Engine, default_dialog_path
from bot.keys import conversation_key, person_ref
from bot.languages import load_translations
from bot.messages import Incoming
from bot.metrics import Metrics, metrics_for
from bot.store import MemoryStore

if TYPE_CHECKING:
    from tests.ops.conftest import Chat, ChatFactory


def value(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_a_full_check_counts_turns_start_finish_result_and_latency(chat: Chat, metrics: Metrics) -> None:
    chat.say("hi")
    result = chat.finish({"location": "behind", "key_signs": "start_stiffness+toes_up"}).result
    assert result is not None and result.kind == "cause"
    answers = value(metrics, "kneebot_turns_total", platform="slack", event="answer")
    turns = 1 + answers + value(metrics, "kneebot_turns_total", platform="slack", event="result")

    assert value(metrics, "kneebot_turns_total", platform="slack", event="start") == 1
    assert chat.clicks >= 5
    assert answers == chat.clicks - 1  # every click but the last, which brought the result
    assert value(metrics, "kneebot_turns_total", platform="slack", event="result") == 1
    assert value(metrics, "kneebot_conversations_started_total", platform="slack", language="en") == 1
    assert value(metrics, "kneebot_conversations_finished_total", platform="slack", outcome="cause") == 1
    assert (
        value(
            metrics,
            "kneebot_results_total",
            kind="cause",
            cause=str(result.cause),
            urgency=result.urgency,
        )
        == 1
    )
    assert value(metrics, "kneebot_turn_seconds_count", platform="slack") == turns
    assert value(metrics, "kneebot_turn_seconds_sum", platform="slack") > 0
    assert value(metrics, "kneebot_errors_total", kind="error") == 0


def test_red_flags_count_by_flag_and_urgency_from_a_button_and_from_free_text(
    dialog: Dialog, ops_engine: Engine, metrics: Metrics, new_chat: ChatFactory
) -> None:
    clicked = new_chat(ops_engine, user="U1")
    clicked.say("start")
    clicked.click("clot_lungs")
    written = new_chat(ops_engine, user="U2")
    written.say("start")
    written.click("none")
    written.say("and my calf is swollen and red")

    emergency = dialog.red_flags["clot_lungs"].urgency
    urgent = dialog.red_flags["calf_clot"].urgency
    assert value(metrics, "kneebot_red_flags_total", red_flag="clot_lungs", urgency=emergency) == 1
    assert value(metrics, "kneebot_red_flags_total", red_flag="calf_clot", urgency=urgent) == 1
    assert value(metrics, "kneebot_conversations_finished_total", platform="slack", outcome="red_flag") == 2
    assert value(metrics, "kneebot_results_total", kind="red_flag", cause="none", urgency=urgent) == 1
    assert value(metrics, "kneebot_conversations_started_total", platform="slack", language="en") == 2


def test_a_store_outage_counts_as_store_unavailable(
    chat: Chat, ops_engine: Engine, metrics: Metrics, sqlite_path: Path
) -> None:
    chat.say("hi")
    shutil.rmtree(sqlite_path.parent)
    ops_engine.store.close()  # the next turn must open the file again, and cannot

    replies = chat.say("no")

    assert [r.text for r in replies] == [ops_engine.dialog.messages["unavailable"]]
    assert value(metrics, "kneebot_errors_total", kind="store_unavailable") == 1
    assert value(metrics, "kneebot_turns_total", platform="slack", event="store_unavailable") == 1


class _BrokenSave(MemoryStore):
    """A store with a bug: saving fails with an unexpected exception."""

    def save(self, conversation: object) -> None:
        raise RuntimeError("bug in save")


def test_an_unexpected_failure_counts_as_error(
    dialog: Dialog, metrics: Metrics, new_chat: ChatFactory
) -> None:
    engine = Engine(dialog, _BrokenSave(), observers=[metrics.observe])

    replies = new_chat(engine).say("hello")

    assert [r.text for r in replies] == [dialog.messages["error"]]
    assert value(metrics, "kneebot_errors_total", kind="error") == 1
    assert value(metrics, "kneebot_errors_total", kind="store_unavailable") == 0


def test_each_metrics_has_its_own_registry(dialog: Dialog, new_chat: ChatFactory) -> None:
    first, second = Metrics(), Metrics()
    new_chat(Engine(dialog, MemoryStore(), observers=[first.observe])).say("hi")

    assert value(first, "kneebot_conversations_started_total", platform="slack", language="en") == 1
    assert value(second, "kneebot_conversations_started_total", platform="slack", language="en") == 0


@pytest.mark.parametrize("command", ["slack", "discord"])
def test_engines_built_by_the_kneebot_command_carry_their_metrics(
    new_chat: ChatFactory, command: str
) -> None:
    engine = make_engine(Settings(memory=True), command)
    observers = len(engine.observers)

    metrics = metrics_for(engine)
    new_chat(engine, platform="discord").say("hi")

    assert len(engine.observers) == observers, "metrics_for attached a second Metrics"
    assert value(metrics, "kneebot_conversations_started_total", platform="discord", language="en") == 1
    assert metrics_for(engine) is metrics
    engine.store.close()


def test_the_console_serves_no_metrics_and_so_keeps_none() -> None:
    """`kneebot chat` has no /metrics; skipping prometheus_client keeps its first prompt quick."""
    engine = make_engine(Settings(memory=True), "chat")

    assert engine.observers == []
    engine.store.close()


def test_metrics_for_attaches_metrics_to_an_engine_without_any(dialog: Dialog, new_chat: ChatFactory) -> None:
    engine = Engine(dialog, MemoryStore())

    metrics = metrics_for(engine)
    new_chat(engine).say("hi")

    assert value(metrics, "kneebot_turns_total", platform="slack", event="start") == 1
    assert metrics_for(engine) is metrics


def test_checks_are_counted_by_the_language_they_are_held_in(dialog: Dialog) -> None:
    metrics = Metrics()
    engine = Engine(
        dialog,
        MemoryStore(),
        translations=load_translations(default_dialog_path()),
        observers=[metrics.observe],
    )
    for n, (text, locale) in enumerate([("hola", "es-ES"), ("hi", "en-US"), ("me duele la corva", None)]):
        key = conversation_key("slack", "T1", f"D{n}", f"U{n}")
        engine.handle(Incoming(key=key, user=person_ref("slack", "T1", f"U{n}"), text=text, locale=locale))
    assert value(metrics, "kneebot_conversations_started_total", platform="slack", language="es") == 2
    assert value(metrics, "kneebot_conversations_started_total", platform="slack", language="en") == 1
