"""A maintainer's broken dialog fails at load, naming the file, the line, the place and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialog.loader import DialogError, load_dialog
from bot.engine import default_dialog_path

SHIPPED = Path(str(default_dialog_path())).read_text(encoding="utf-8")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED, f"test setup: {old!r} is not in the shipped dialog"
    path = tmp_path / "broken.yaml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def _problems(path: Path) -> str:
    with pytest.raises(DialogError) as caught:
        load_dialog(path)
    return str(caught.value)


def test_the_shipped_dialog_loads_and_has_the_four_causes() -> None:
    dialog = load_dialog(default_dialog_path())
    assert set(dialog.causes) == {
        "hamstring_tendonitis",
        "bakers_cyst",
        "torn_meniscus",
        "gastrocnemius_tendonitis",
    }
    assert {f.urgency for f in dialog.red_flags.values()} == {"emergency", "urgent"}


def test_an_unknown_state_in_a_transition_names_the_line_and_a_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    next: bend_straighten\n", "    next: bend_straighen\n")
    report = _problems(path)
    line = _line_of(path, "bend_straighen")
    assert f"{path}:" in report
    assert (
        f"{path}:{line} (questions.lump.next): unknown state 'bend_straighen'; did you mean 'bend_straighten'?"
        in report
    )


def test_one_typo_in_a_shared_next_is_reported_once_not_as_a_cascade(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    next: bend_straighten\n", "    next: bend_straighen\n")
    report = _problems(path)
    assert report.startswith(f"{path}: 1 problem(s)")
    assert "no path" not in report


def test_a_question_nobody_reaches_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "questions:\n",
        'questions:\n  orphan:\n    kind: yesno\n    text: "Lonely?"\n    next: assess\n',
    )
    report = _problems(path)
    assert (
        f"{path}:{_line_of(path, '  orphan:')} (questions.orphan): no path from the start reaches this question"
        in report
    )


def test_a_cause_no_path_can_reach_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "    threshold: 3\n    signs:\n      - when: {start_stiffness",
        "    threshold: 30\n    signs:\n      - when: {start_stiffness",
    )
    report = _problems(path)
    assert "(causes.hamstring_tendonitis): no path reaches this cause" in report
    assert "below its threshold 30" in report


def test_a_choice_with_no_next_state_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        '        label: "Foot cold, pale, numb or tingling"\n        next: blood_supply\n',
        '        label: "Foot cold, pale, numb or tingling"\n',
    )
    report = _problems(path)
    assert "questions.screen_emergency.answers.blood_supply" in report
    assert "this choice has no next state" in report


def test_an_unquoted_yes_is_explained(tmp_path: Path) -> None:
    path = _broken(tmp_path, '      "yes": {next: clot_lungs}', "      yes: {next: clot_lungs}")
    report = _problems(path)
    assert f"{path}:{_line_of(path, 'yes: {next: clot_lungs}')}" in report
    assert 'put the word in quotes, e.g. "yes"' in report


def test_an_unquoted_word_in_a_list_is_explained(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'words: ["no", "nope", "nah"', 'words: [no, "nope", "nah"')
    report = _problems(path)
    assert "vocabulary.no.words[0]" in report and "got False" in report


def test_a_misspelt_field_gets_a_suggestion(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, "    ask_if: {activity: [cycling, both]}", "    ask_iff: {activity: [cycling, both]}"
    )
    report = _problems(path)
    assert "(questions.bike_fit.ask_iff): unknown field; did you mean 'ask_if'?" in report


def test_a_duplicate_key_is_reported_with_both_lines(tmp_path: Path) -> None:
    path = _broken(tmp_path, '  nothing_to_undo: "', '  undone: "again"\n  nothing_to_undo: "')
    report = _problems(path)
    assert "duplicate key 'undone'" in report


def test_invalid_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  lump:\n    kind: yesno\n", "  lump:\n    kind: [yesno\n")
    report = _problems(path)
    assert "not valid YAML" in report
    assert f"{path}:" in report


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        '    urgency: emergency\n    title: "These can',
        '    urgency: critical\n    title: "These can',
    )
    path.write_text(
        path.read_text().replace("  lump:\n    kind: yesno\n", "  lump:\n    kind: yes_or_no\n", 1)
    )
    report = _problems(path)
    assert "2 problem(s)" in report
    assert "unknown urgency 'critical'" in report
    assert "(questions.lump.kind): unknown kind 'yes_or_no'" in report


def test_kneebot_check_reports_the_problem_and_fails(tmp_path: Path) -> None:
    path = _broken(tmp_path, "start: screen_emergency", "start: screen_emergencyy")
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "(start): unknown question 'screen_emergencyy'; did you mean 'screen_emergency'?" in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and ": ok (" in ok.stdout


def test_a_message_the_engine_needs_cannot_be_left_out(tmp_path: Path) -> None:
    path = _broken(tmp_path, '  hello_again: "Hello again! Here\'s where we are:"\n', "")
    assert "(messages): missing required field 'hello_again'" in _problems(path)


def test_an_unknown_placeholder_is_caught_before_it_crashes_a_reply(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, "Please pick a number from 1 to {count}", "Please pick a number from 1 to {total}"
    )
    report = _problems(path)
    assert (
        f"{path}:{_line_of(path, '{total}')} (messages.out_of_range): unknown placeholder {{total}}" in report
    )
    assert "(this text can use: {count})" in report


def test_a_cause_without_a_key_sign_is_refused(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, '      - when: {toes_up: "yes"}\n        key: true\n', '      - when: {toes_up: "yes"}\n'
    )
    assert "(causes.gastrocnemius_tendonitis.signs): mark at least one sign `key: true`" in _problems(path)
