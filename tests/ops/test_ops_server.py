"""/healthz and /metrics over real loopback HTTP, as an orchestrator and Prometheus see them."""

from __future__ import annotations

import shutil
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from adapters.ops import OpsServer, start_ops_server
from bot.config import ConfigError, Settings
from bot.dialog import Dialog
from bot.engine import Engine, conversation_id
from bot.metrics import Metrics
from bot.store.redis import RedisStore

if TYPE_CHECKING:
    from tests.ops.conftest import Chat, RedisServer, Response, Secrets

Fetch = Callable[..., "Response"]


def test_healthz_is_ok_when_the_platform_and_the_store_are_up(ops: OpsServer, fetch: Fetch) -> None:
    answer = fetch(f"{ops.url}/healthz")

    assert (answer.status, answer.body) == (200, "ok\n")
    assert answer.content_type.startswith("text/plain")


def test_healthz_is_503_naming_the_platform_until_it_connects(
    ops: OpsServer, fetch: Fetch, platform_up: threading.Event
) -> None:
    platform_up.clear()

    answer = fetch(f"{ops.url}/healthz")

    assert (answer.status, answer.body) == (503, "platform: down\n")
    platform_up.set()
    assert fetch(f"{ops.url}/healthz").status == 200


def test_healthz_is_503_naming_the_store_while_it_is_down(
    ops: OpsServer, fetch: Fetch, ops_engine: Engine, sqlite_path: Path
) -> None:
    assert fetch(f"{ops.url}/healthz").status == 200
    shutil.rmtree(sqlite_path.parent)
    ops_engine.store.close()  # drop open connections: the next ping must reopen the file

    down = fetch(f"{ops.url}/healthz")
    sqlite_path.parent.mkdir()
    back = fetch(f"{ops.url}/healthz")

    assert (down.status, down.body) == (503, "store: down\n")
    assert (back.status, back.body) == (200, "ok\n")


def test_healthz_names_both_when_both_are_down_and_never_a_secret(
    ops_engine: Engine, metrics: Metrics, fetch: Fetch, sqlite_path: Path
) -> None:
    def broken_probe() -> bool:
        raise RuntimeError("xoxb-not-a-real-token")

    settings = Settings(health_host="127.0.0.1", health_port=0, slack_bot_token="xoxb-not-a-real-token")
    shutil.rmtree(sqlite_path.parent)
    ops_engine.store.close()
    with start_ops_server(settings, ops_engine, metrics, platform_ready=broken_probe) as ops:  # type: ignore[union-attr]
        answer = fetch(f"{ops.url}/healthz")

    assert (answer.status, answer.body) == (503, "platform: down\nstore: down\n")


def test_metrics_are_served_in_prometheus_text_format(ops: OpsServer, chat: Chat, fetch: Fetch) -> None:
    chat.say("hello")
    chat.finish()

    answer = fetch(f"{ops.url}/metrics")

    assert answer.status == 200
    assert answer.content_type.startswith("text/plain")
    lines = answer.body.splitlines()
    assert 'kneebot_conversations_started_total{language="en",platform="slack"} 1.0' in lines
    assert 'kneebot_turns_total{event="start",platform="slack"} 1.0' in lines
    assert any(line.startswith('kneebot_results_total{cause="') for line in lines)
    assert "# TYPE kneebot_turn_seconds histogram" in lines
    assert any(line.startswith("process_resident_memory_bytes ") for line in lines)


def test_metrics_speak_openmetrics_when_asked(ops: OpsServer, chat: Chat, fetch: Fetch) -> None:
    chat.say("hello")

    answer = fetch(f"{ops.url}/metrics", accept="application/openmetrics-text; version=1.0.0")

    assert answer.content_type.startswith("application/openmetrics-text")
    assert answer.body.endswith("# EOF\n")


def test_metrics_never_name_a_person_a_channel_or_what_they_said(
    ops: OpsServer, chat: Chat, fetch: Fetch, secrets: Secrets
) -> None:
    chat.say(f"hi, I'm {secrets.text}")
    chat.say(f"{secrets.text} blorp")  # not understood: the text must not become a label
    assert chat.last[0].name == "not_understood"
    chat.click("none")
    chat.say(f"{secrets.text} my calf is swollen")  # a red flag in free text

    body = fetch(f"{ops.url}/metrics").body

    assert 'red_flag="calf_clot"' in body  # the turns above were counted...
    said = (secrets.text, secrets.user, secrets.channel, secrets.workspace, conversation_id(chat.key))
    for secret in said:
        assert secret not in body  # ...without saying who or what


def test_other_paths_are_404(ops: OpsServer, fetch: Fetch) -> None:
    assert fetch(f"{ops.url}/").status == 404
    assert fetch(f"{ops.url}/healthz/../admin").status == 404


def test_no_health_port_means_no_server(ops_engine: Engine, metrics: Metrics) -> None:
    assert start_ops_server(Settings(), ops_engine, metrics, platform_ready=lambda: True) is None


def test_a_port_in_use_is_a_readable_configuration_error(ops_engine: Engine, metrics: Metrics) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(health_host="127.0.0.1", health_port=port)
        with pytest.raises(ConfigError, match=rf"127\.0\.0\.1:{port} \(HEALTH_HOST, HEALTH_PORT\)"):
            start_ops_server(settings, ops_engine, metrics, platform_ready=lambda: True)


def test_stop_closes_the_port(ops_engine: Engine, metrics: Metrics) -> None:
    settings = Settings(health_host="127.0.0.1", health_port=0)
    ops = start_ops_server(settings, ops_engine, metrics, platform_ready=lambda: True)
    assert ops is not None
    url = f"{ops.url}/healthz"

    ops.stop()

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)


def test_healthz_follows_a_redis_outage_and_never_shows_the_redis_url(
    redis_server: RedisServer, dialog: Dialog, metrics: Metrics, fetch: Fetch
) -> None:
    store = RedisStore(redis_server.url)
    engine = Engine(dialog, store, observers=[metrics.observe])
    settings = Settings(health_host="127.0.0.1", health_port=0, redis_url=redis_server.url)
    with start_ops_server(settings, engine, metrics, platform_ready=lambda: True) as ops:  # type: ignore[union-attr]
        up = fetch(f"{ops.url}/healthz")
        redis_server.stop()
        down = fetch(f"{ops.url}/healthz")
        redis_server.start()
        back = fetch(f"{ops.url}/healthz")
    store.close()

    assert (up.status, down.status, back.status) == (200, 503, 200)
    assert down.body == "store: down\n"
    assert redis_server.password not in down.body
