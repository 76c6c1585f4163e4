"""A maintainer's broken dialog fails at load, naming the file, the line, the place and the fix.

Each test copies the shipped dialog and its language file to a temporary folder, breaks one
thing the way a maintainer might, and reads the report."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialog.loader import DialogError, load_dialog
from bot.engine import default_dialog_path

SHIPPED_PATH = Path(str(default_dialog_path()))
SHIPPED = SHIPPED_PATH.read_text(encoding="utf-8")
LANGUAGE = SHIPPED_PATH.parent / "language" / "en.yaml"


def _copy(tmp_path: Path, dialog: str, language: str | None = None) -> Path:
    (tmp_path / "language").mkdir(exist_ok=True)
    (tmp_path / "language" / "en.yaml").write_text(
        language if language is not None else LANGUAGE.read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(dialog, encoding="utf-8")
    return path


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED, f"test setup: {old!r} is not in the shipped dialog"
    return _copy(tmp_path, SHIPPED.replace(old, new, 1))


def _broken_language(tmp_path: Path, old: str, new: str) -> Path:
    text = LANGUAGE.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} is not in the language file"
    return _copy(tmp_path, SHIPPED, text.replace(old, new, 1))


def _line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def _problems(path: Path) -> str:
    with pytest.raises(DialogError) as caught:
        load_dialog(path)
    return str(caught.value)


def test_the_shipped_dialog_loads_with_the_four_causes_and_both_urgent_levels() -> None:
    dialog = load_dialog(default_dialog_path())
    assert set(dialog.causes) == {
        "hamstring_tendonitis",
        "bakers_cyst",
        "torn_meniscus",
        "gastrocnemius_tendonitis",
    }
    assert {f.urgency for f in dialog.red_flags.values()} == {"emergency", "urgent"}
    assert dialog.flow[-1].kind == "result"


def test_a_copy_without_its_language_file_says_where_it_looked(tmp_path: Path) -> None:
    path = tmp_path / "alone.yaml"
    shutil.copy(SHIPPED_PATH, path)
    report = _problems(path)
    assert f"{path}:{_line_of(path, 'language: language/en.yaml')} (language): no language file at" in report


def test_an_unknown_question_in_the_flow_names_the_line_and_a_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  - ask: key_signs\n", "  - ask: key_sign\n")
    report = _problems(path)
    line = _line_of(path, "- ask: key_sign")
    assert f"{path}:{line} (flow[" in report
    assert "unknown question 'key_sign'; did you mean 'key_signs'?" in report


def test_one_typo_in_the_flow_is_reported_once_not_as_a_cascade(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  - ask: key_signs\n", "  - ask: key_sign\n")
    report = _problems(path)
    assert report.startswith(f"{path}: 1 problem(s)")
    assert "no flow step asks" not in report


def test_a_question_no_flow_step_asks_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, "questions:\n", 'questions:\n  orphan:\n    kind: yesno\n    text: "Lonely?"\n')
    report = _problems(path)
    assert (
        f"{path}:{_line_of(path, '  orphan:')} (questions.orphan): no flow step asks this question" in report
    )


def test_an_outcome_no_step_leads_to_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  - outcome: claudication\n", "")
    assert "(outcomes.claudication): no flow step leads to this outcome" in _problems(path)


def test_a_cause_that_can_never_be_named_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "    threshold: 3\n    possible_threshold: 1\n",
        "    threshold: 30\n    possible_threshold: 1\n",
    )
    report = _problems(path)
    assert "(causes.hamstring_tendonitis): this cause can never be named" in report
    assert "below its threshold 30" in report


def test_a_condition_on_an_answer_a_fact_does_not_have_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        '      - when: {lump: ["yes"]}\n        key: true',
        '      - when: {lump: ["yess"]}\n        key: true',
    )
    report = _problems(path)
    assert "'lump' has no answer 'yess' (it has: yes, no, unsure, unknown); did you mean 'yes'?" in report


def test_an_unquoted_yes_is_explained(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        '      "yes": "Soft swelling or lump behind the knee."',
        '      yes: "Soft swelling or lump behind the knee."',
    )
    report = _problems(path)
    line = _line_of(path, 'yes: "Soft swelling')
    assert f"{path}:{line}" in report
    assert 'put the word in quotes, e.g. "yes"' in report


def test_a_misspelt_field_gets_a_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    only_if_useful: true\n", "    only_if_usefull: true\n")
    assert "unknown field; did you mean 'only_if_useful'?" in _problems(path)


def test_a_duplicate_key_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, '  nothing_to_undo: "', '  undone: "again"\n  nothing_to_undo: "')
    assert "duplicate key 'undone'" in _problems(path)


def test_invalid_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  lump:\n    kind: yesno\n", "  lump:\n    kind: [yesno\n")
    report = _problems(path)
    assert "not valid YAML" in report
    assert f"{path}:" in report


def test_a_broken_phrase_names_its_own_line_and_what_to_write(tmp_path: Path) -> None:
    path = _broken(tmp_path, '      - "dvt|dvts"\n', '      - "(dvt|dvts"\n')
    report = _problems(path)
    assert (
        f"{path}:{_line_of(path, '(dvt|dvts')} (red_flags.calf_clot.patterns[0]): '(dvt|dvts': a ( without its )"
        in report
    )


def test_an_unknown_word_group_gets_a_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, '      - ["@calf", "@swollen"]', '      - ["@calves", "@swollen"]')
    assert "unknown word group @calves (define it under `words:`); did you mean @calf?" in _problems(path)


def test_a_problem_in_the_language_file_is_reported_against_that_file(tmp_path: Path) -> None:
    path = _broken_language(
        tmp_path,
        "  - category: uncertain\n    direction: forward",
        "  - category: uncertian\n    direction: forward",
    )
    report = _problems(path)
    language = tmp_path / "language" / "en.yaml"
    assert f"{language}:{_line_of(language, 'uncertian')}" in report
    assert "unknown category 'uncertian'; did you mean 'uncertain'?" in report


def test_a_cue_listed_in_two_groups_is_reported(tmp_path: Path) -> None:
    path = _broken_language(tmp_path, '"i thought", "i suspect"', '"maybe", "i thought", "i suspect"')
    assert "cue 'maybe' is also in" in _problems(path)


def test_a_multi_select_option_must_be_a_yes_no_question(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        "    options: [start_stiffness, lump, injury, giving_way, toes_up]",
        "    options: [start_stiffness, lump, injury, giving_way, location]",
    )
    assert "'location' is not a yes/no question" in _problems(path)


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
        tmp_path,
        '      - when: {toes_up: ["yes"]}\n        key: true\n',
        '      - when: {toes_up: ["yes"]}\n',
    )
    assert "(causes.gastrocnemius_tendonitis.signs): mark at least one sign `key: true`" in _problems(path)


def test_kneebot_check_reports_the_problem_and_fails(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  - ask: key_signs\n", "  - ask: key_sign\n")
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "unknown question 'key_sign'; did you mean 'key_signs'?" in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and ": ok (" in ok.stdout
