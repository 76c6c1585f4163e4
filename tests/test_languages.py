"""A second language from one more dialog file (dialogs/knee_pain_es.yaml): which language a
person gets, switching, warning signs told in the other language, and the check that a
translation is the same dialog. The Spanish conversations themselves are transcripts
(tests/transcripts/es/), replayed through the engine, Slack and Discord."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.patients import load_patients, run
from bot.dialog import Dialog
from bot.dialog.loader import DialogError, check_translation, load_dialog
from bot.engine import Engine, TurnRecord, default_dialog_path
from bot.languages import load_translations
from bot.messages import Incoming, Reply
from bot.store import MemoryStore, SQLiteStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spanish() -> Dialog:
    (translation,) = load_translations(default_dialog_path())
    return translation


@pytest.fixture
def engine(dialog: Dialog, spanish: Dialog) -> Engine:
    return Engine(dialog, MemoryStore(), translations=[spanish])


def say(engine: Engine, text: str, *, locale: str | None = None, key: str = "test:k") -> list[Reply]:
    return engine.handle(Incoming(key=key, user="test:u", text=text, locale=locale))


def named(replies: list[Reply], name: str) -> Reply:
    return next(r for r in replies if r.name == name)


@pytest.mark.parametrize("locale", ["es", "es-ES", "es-419", "es_MX"])
def test_a_spanish_locale_gets_the_check_in_spanish(engine: Engine, spanish: Dialog, locale: str) -> None:
    replies = say(engine, "hi", locale=locale)
    assert named(replies, "greeting").text == spanish.messages["greeting"]
    assert replies[-1].text == spanish.questions["screen_emergency"].text


@pytest.mark.parametrize("locale", [None, "en-GB", "fr-FR", "zz"])
def test_any_other_locale_gets_the_main_dialog(engine: Engine, dialog: Dialog, locale: str | None) -> None:
    replies = say(engine, "hi", locale=locale)
    assert named(replies, "greeting").text == dialog.messages["greeting"]


def test_a_first_message_written_in_spanish_starts_in_spanish(engine: Engine, spanish: Dialog) -> None:
    replies = say(engine, "hola, me duele detrás de la rodilla cuando corro", locale="en-US")
    assert named(replies, "greeting").text == spanish.messages["greeting"]


def test_a_check_opened_before_anyone_typed_follows_the_language_of_the_first_message(
    engine: Engine, spanish: Dialog
) -> None:
    """The console greets before anyone types; a first message in Spanish still sets the
    language, with everything it said kept (here, where it hurts)."""
    engine.open("test:k", "test:u")
    replies = say(engine, "hola, me duele detrás de la rodilla")
    assert replies[0].text == spanish.messages["language_switched"]
    assert replies[-1].text == spanish.questions["screen_emergency"].text
    stored = engine.store.load("test:k", now=engine.clock())
    assert stored is not None and stored.language == "es" and stored.answers["location"] == "behind"


def test_a_check_that_has_learnt_something_keeps_its_language(engine: Engine, dialog: Dialog) -> None:
    engine.open("test:k", "test:u")
    say(engine, "none of these")
    replies = say(engine, "ninguna de estas")  # Spanish, mid-check: a note on how to switch instead
    assert named(replies, "non_english")
    assert replies[-1].text == dialog.questions["screen_urgent"].text


def test_a_check_keeps_its_language_and_switches_only_when_asked(
    engine: Engine, dialog: Dialog, spanish: Dialog
) -> None:
    say(engine, "hola", locale="es")
    say(engine, "ninguna")
    assert say(engine, "no")[-1].text == spanish.questions["location"].text  # "no" is Spanish too
    switched = say(engine, "English")
    assert [r.text for r in switched] == [
        dialog.messages["language_switched"],
        dialog.questions["location"].text,
    ]
    assert say(engine, "behind the knee")[-1].question == "key_signs"
    back = say(engine, "¡Español!")
    assert back[0].text == spanish.messages["language_switched"]
    assert back[-1].text.startswith(spanish.questions["key_signs"].text)


def test_a_check_keeps_its_language_across_a_restart(dialog: Dialog, spanish: Dialog, tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "kb.sqlite3")
    say(Engine(dialog, store, translations=[spanish]), "hola", locale="es")
    again = Engine(dialog, SQLiteStore(tmp_path / "kb.sqlite3"), translations=[spanish])
    assert say(again, "ninguna")[-1].text == spanish.questions["screen_urgent"].text  # no locale now


def test_a_warning_sign_told_in_spanish_is_answered_in_spanish(engine: Engine, spanish: Dialog) -> None:
    say(engine, "hi")
    replies = say(engine, "no puedo respirar y me duele el pecho")
    (result,) = [r.result for r in replies if r.result is not None]
    assert result.red_flag == "clot_lungs" and result.urgency == "emergency"
    assert result.title == spanish.red_flags["clot_lungs"].title
    assert replies[0].result is result, "nothing before the emergency advice"


def test_another_language_gets_the_note_with_how_to_switch(
    engine: Engine, dialog: Dialog, spanish: Dialog
) -> None:
    say(engine, "hi")
    replies = say(engine, "Мне больно за коленом")
    note = named(replies, "non_english")
    assert note.text == dialog.messages["non_english"].format(others=spanish.language.switch_hint)
    assert "{others}" not in note.text


def test_turns_are_recorded_with_their_language(dialog: Dialog, spanish: Dialog) -> None:
    records: list[TurnRecord] = []
    engine = Engine(dialog, MemoryStore(), translations=[spanish], observers=[records.append])
    say(engine, "hola", locale="es")
    say(engine, "hi", key="test:other")
    assert [r.language for r in records] == ["es", "en"]


@pytest.mark.parametrize(
    "expect", ["hamstring_tendonitis", "bakers_cyst", "torn_meniscus", "gastrocnemius_tendonitis"]
)
def test_patients_clicking_buttons_reach_each_cause_in_spanish(
    dialog: Dialog, spanish: Dialog, expect: str
) -> None:
    """Buttons carry the same answers in every language: the simulated patients who click
    through the English check reach the same result in the Spanish one."""
    english, translated = Engine(dialog, MemoryStore()).dialogue, Engine(spanish, MemoryStore()).dialogue
    patients = [p for p in load_patients() if p.expect == expect]
    assert patients
    for patient in patients:
        there = run(translated, patient, "clicking")
        assert there.label in patient.acceptable, (patient.id, there.label)
        assert there.label == run(english, patient, "clicking").label


# ----- kneebot check: a translation must be the same dialog ---------------------------------------
def _translation_with(tmp_path: Path, old: str, new: str) -> tuple[Dialog, Path]:
    shutil.copytree(ROOT / "dialogs" / "language", tmp_path / "language")
    main = tmp_path / "knee_pain.yaml"
    shutil.copy(default_dialog_path(), main)
    text = (ROOT / "dialogs" / "knee_pain_es.yaml").read_text(encoding="utf-8")
    assert old in text, "test setup: the Spanish dialog has changed"
    translation = tmp_path / "knee_pain_es.yaml"
    translation.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_dialog(main), translation


def test_the_shipped_translation_agrees(dialog: Dialog) -> None:
    assert check_translation(dialog, ROOT / "dialogs" / "knee_pain_es.yaml").language.code == "es"


def test_a_translation_with_another_urgency_is_refused_at_its_line(tmp_path: Path) -> None:
    main, path = _translation_with(
        tmp_path, "  calf_clot:\n    urgency: urgent", "  calf_clot:\n    urgency: soon"
    )
    with pytest.raises(DialogError) as refused:
        check_translation(main, path)
    (problem,) = refused.value.problems
    line = path.read_text(encoding="utf-8").split("\n").index("  calf_clot:") + 1
    assert (problem.line, problem.place) == (line, "red_flags.calf_clot")
    assert "urgency soon; in knee_pain.yaml, urgent" in problem.message


def test_a_translation_missing_an_answer_is_refused(tmp_path: Path) -> None:
    main, path = _translation_with(tmp_path, "      from_thigh:", "      desde_el_muslo:")
    with pytest.raises(DialogError) as refused:
        check_translation(main, path)
    assert any("from_thigh" in p.message for p in refused.value.problems), refused.value.problems


def test_kneebot_check_checks_the_translations_beside_a_dialog(tmp_path: Path) -> None:
    _, path = _translation_with(tmp_path, "  - ask: hills\n    only_if_useful: true", "  - ask: hills")
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check", str(tmp_path / "knee_pain.yaml")],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "knee_pain.yaml: ok" in done.stdout
    assert f"{path}:" in done.stderr and "the flow differs from knee_pain.yaml's from here on" in done.stderr


def test_a_translation_with_a_message_the_main_dialog_lacks_is_refused(tmp_path: Path) -> None:
    main, path = _translation_with(
        tmp_path, "\nmessages:\n", '\nmessages:\n  solo_aqui: "Solo en español."\n'
    )
    with pytest.raises(DialogError) as refused:
        check_translation(main, path)
    (problem,) = refused.value.problems
    assert problem.place == "messages.solo_aqui" and "is not in knee_pain.yaml" in problem.message


def test_a_warning_sign_told_in_english_in_a_spanish_check_is_answered(
    engine: Engine, dialog: Dialog
) -> None:
    """Spanish word lists hold many English words, so English can look like Spanish to the
    Spanish reader: a message it cannot read at all is also tried in the other languages."""
    say(engine, "hola", locale="es")
    (result,) = [r.result for r in say(engine, "my calf is swollen and hot") if r.result is not None]
    assert result.red_flag == "calf_clot" and result.title == dialog.red_flags["calf_clot"].title
