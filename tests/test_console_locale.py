"""The console passes the person's language on as `Incoming.locale`: `kneebot chat --lang`, or
the terminal's locale (LC_ALL, LC_MESSAGES, LANG) as a BCP 47 tag. The engine may ignore it for
now; what is tested is that the adapter passes it."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest

from adapters import cli
from adapters.console.chat import language_tag, locale_from_env, run_chat
from bot.engine import Engine
from bot.messages import Incoming, Reply


@pytest.mark.parametrize(
    ("env", "tag"),
    [
        ({"LANG": "es_ES.UTF-8"}, "es-ES"),
        ({"LANG": "de_DE.UTF-8@euro"}, "de-DE"),
        ({"LANG": "pt_BR"}, "pt-BR"),
        ({"LANG": "fr"}, "fr"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_MX.UTF-8"}, "es-MX"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_MX.UTF-8", "LC_ALL": "it_IT.UTF-8"}, "it-IT"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LC_ALL": "POSIX", "LANG": "es_ES.UTF-8"}, None),
        ({}, None),
        ({"LANG": ""}, None),
        ({"LANG": "not a locale"}, None),
    ],
)
def test_the_terminals_locale_becomes_a_language_tag(env: dict[str, str], tag: str | None) -> None:
    assert locale_from_env(env) == tag


@pytest.mark.parametrize(
    ("typed", "tag"), [("es", "es"), ("en_GB", "en-GB"), ("zh-Hant-TW", "zh-Hant-TW"), ("x", None)]
)
def test_language_tags_as_people_type_them(typed: str, tag: str | None) -> None:
    assert language_tag(typed) == tag


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Incoming]]:
    """Every Incoming any engine is handed in this test (each still runs)."""
    incomings: list[Incoming] = []
    handle = Engine.handle

    def recording(self: Engine, incoming: Incoming) -> list[Reply]:
        incomings.append(incoming)
        return handle(self, incoming)

    monkeypatch.setattr(Engine, "handle", recording)
    yield incomings


def test_a_console_session_passes_its_locale_on_every_turn(engine: Engine, seen: list[Incoming]) -> None:
    out = io.StringIO()
    run_chat(engine, user="pat", stdin=io.StringIO("hola\nnone\n"), stdout=out, locale="es-ES")
    assert [i.locale for i in seen] == ["es-ES", "es-ES", "es-ES"]  # the opening turn and two lines
    assert out.getvalue().startswith(engine.dialog.messages["greeting"])


def _chat(monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str]) -> int:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "REDIS_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\n"))
    return cli.main(["chat", "--memory", "--user", "pat", *args])


def test_kneebot_chat_lang_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, seen: list[Incoming], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _chat(monkeypatch, "--lang", "es", env={"LANG": "de_DE.UTF-8"}) == 0
    assert {i.locale for i in seen} == {"es"}


def test_kneebot_chat_takes_the_terminals_locale_by_default(
    monkeypatch: pytest.MonkeyPatch, seen: list[Incoming], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _chat(monkeypatch, env={"LANG": "es_ES.UTF-8"}) == 0
    assert seen and {i.locale for i in seen} == {"es-ES"}
    assert _chat(monkeypatch, env={"LANG": "C.UTF-8"}) == 0
    assert seen[-1].locale is None


def test_a_lang_that_is_no_language_tag_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _chat(monkeypatch, "--lang", "spanish please", env={})
    assert stopped.value.code == 2
    assert "is not a language tag such as es or en-GB" in capsys.readouterr().err
