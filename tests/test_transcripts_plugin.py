"""The pytest plugin shipped in the package: a project gets transcript tests from plain `pytest`
and one ini line, and a project that does not ask for them is left alone.

Each test runs pytest itself (pytester, in-process) on a small project of its own, the way a
fork or a project with a new dialog would use kneebot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.dialog.loader import load_dialog
from bot.engine import default_dialog_path
from bot.reading.reader import Reader

pytest_plugins = ["pytester"]

GREETS = 'name: greets\nturns: [{user: "hi", bot: ["First, a quick safety check."]}]\n'
FAILS = """\
name: expects another question
turns:
  - user: "hi"
  - click: "None of these"
    bot: [{text: "And do any of these apply now?"}]
"""


ROOT = Path(__file__).resolve().parents[1]
OPT_IN = '[tool.pytest.ini_options]\nkneebot_transcripts = ["tests/transcripts"]\n'


@pytest.fixture(scope="module", autouse=True)
def _reader_loaded_outside_the_runs() -> None:
    """pytester's in-process runs drop every module a run imported; spaCy's compiled modules
    cannot be imported afresh (their registrations would be lost), so the reader's libraries
    are loaded once here, outside the runs, as a long-lived test process would have them."""
    Reader(load_dialog(default_dialog_path())).pipeline  # noqa: B018 (the property loads it)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "tests" / "transcripts" / "red_flags").mkdir(parents=True)
    (pytester.path / "tests" / "fixtures").mkdir()
    pytester.makefile(".toml", pyproject=f'[project]\nname = "fork"\n{OPT_IN}')
    return pytester


def _write(project: pytest.Pytester, relative: str, text: str) -> None:
    (project.path / relative).write_text(text, encoding="utf-8")


def test_each_transcript_under_tests_transcripts_is_one_test_named_after_its_file(
    project: pytest.Pytester,
) -> None:
    _write(project, "tests/transcripts/greets.yaml", GREETS)
    _write(project, "tests/transcripts/red_flags/calf.yml", 'turns: [{user: "my calf is swollen"}]\n')
    _write(project, "tests/fixtures/payload.yaml", "not: [a transcript]\n")
    result = project.runpytest("--collect-only", "-q")
    assert result.ret == 0
    assert [line for line in result.outlines if "::" in line] == [
        "tests/transcripts/greets.yaml::greets",
        "tests/transcripts/red_flags/calf.yml::calf",
    ]


def test_a_project_that_does_not_opt_in_is_left_alone(pytester: pytest.Pytester) -> None:
    """Any project in the same environment loads the plugin; its own YAML files, even under a
    tests/transcripts/ folder, must not turn into failing kneebot tests."""
    (pytester.path / "tests" / "transcripts").mkdir(parents=True)
    pytester.makefile(".toml", pyproject='[project]\nname = "other"\n')
    _write(pytester, "tests/transcripts/greets.yaml", GREETS)
    _write(pytester, "tests/transcripts/recorded_call.yaml", "request: {method: GET}\n")
    _write(pytester, "tests/test_other.py", "def test_other():\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    collected = pytester.runpytest("--collect-only", "-q")
    assert [line for line in collected.outlines if "::" in line] == ["tests/test_other.py::test_other"]


def test_a_failing_transcript_reports_the_turn_and_the_diff_without_a_traceback(
    project: pytest.Pytester,
) -> None:
    _write(project, "tests/transcripts/greets.yaml", GREETS)
    _write(project, "tests/transcripts/expects_another_question.yaml", FAILS)
    result = project.runpytest("-q", "tests")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*transcript expects_another_question*",
            '*expects_another_question.yaml:4: turn 2 of 2: you click "None of these"',
            "  expected message 1 of 1 (line 5) was not found in what the bot said",
            "    --- expected",
            "    +++ bot said",
            "    -And do any of these apply now?",
            "    +And do any of these apply?",
            "*FAILED tests/transcripts/expects_another_question.yaml::expects_another_question*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "runner.py" not in result.stdout.str()


def test_a_broken_file_fails_as_its_own_test_and_the_others_still_run(project: pytest.Pytester) -> None:
    _write(project, "tests/transcripts/greets.yaml", GREETS)
    _write(project, "tests/transcripts/broken.yaml", 'turns:\n  - user: "hi"\n    bot: [{contians: "x"}]\n')
    result = project.runpytest("-q")
    result.assert_outcomes(passed=1, failed=1)
    assert (
        "  tests/transcripts/broken.yaml:3 (turns[0].bot[0].contians): unknown field; did you mean 'contains'?"
        in result.stdout.str()
    )


def test_ini_options_choose_the_folders_and_the_dialog(project: pytest.Pytester) -> None:
    """A fork with its own dialog and its own folder layout needs only two lines of config."""
    dialog = default_dialog_path().read_text(encoding="utf-8")
    (project.path / "dialogs").mkdir()
    _write(
        project,
        "dialogs/fork.yaml",
        dialog.replace('safety_intro: "First, a quick safety check."', 'safety_intro: "Safety first."'),
    )
    shutil.copytree(default_dialog_path().parent / "language", project.path / "dialogs" / "language")
    (project.path / "conversations").mkdir()
    _write(project, "conversations/reworded.yaml", 'turns: [{user: "hi", bot: ["Safety first."]}]\n')
    _write(project, "tests/transcripts/greets.yaml", GREETS)
    project.makefile(
        ".toml",
        pyproject=(
            '[project]\nname = "fork"\n[tool.pytest.ini_options]\n'
            'kneebot_transcripts = ["conversations"]\nkneebot_dialog = "dialogs/fork.yaml"\n'
        ),
    )
    result = project.runpytest("-q", "conversations", "tests")
    result.assert_outcomes(passed=1)


def test_the_shipped_transcripts_run_in_a_copy_of_the_project(project: pytest.Pytester) -> None:
    """A fork: this repository's own pyproject.toml and transcripts, then plain `pytest`."""
    shutil.copy(ROOT / "pyproject.toml", project.path / "pyproject.toml")
    shipped = ROOT / "tests" / "transcripts"
    target = project.path / "tests" / "transcripts"
    for path in sorted(shipped.glob("*.yaml"))[:5]:
        shutil.copy(path, target)
    result = project.runpytest("-q")
    result.assert_outcomes(passed=5)
