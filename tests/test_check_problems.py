"""`kneebot check` reports the first real problem, with its line: a mis-indented line is found
and named (not the place, lines further down, where YAML gave up), an empty or unrelated YAML
file is one problem rather than sixty, a missing or mis-indented section is reported once,
every problem carries a line, and a folder is checked like `kneebot replay` reads one.

The broken dialogs are made from the shipped one by changing a single line, picked by the
file's structure (the first entry under a section), never by a question's name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dialog.loader import DialogError, load_dialog
from bot.engine import default_dialog_path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = default_dialog_path().read_text(encoding="utf-8").split("\n")


def _entries_under(section: str) -> list[int]:
    """0-based numbers of the entry lines (`key:`) inside a top-level section, in order."""
    start = SHIPPED.index(f"{section}:")
    found = []
    for number in range(start + 1, len(SHIPPED)):
        line = SHIPPED[number]
        if line and not line.startswith((" ", "#")):
            break
        if re.match(r"^\s+[\w\"']+\s*:", line):
            found.append(number)
    return found


def _shifted(number: int, by: int) -> list[str]:
    lines = SHIPPED[:]
    line = lines[number]
    indent = len(line) - len(line.lstrip(" "))
    lines[number] = " " * max(0, indent + by) + line.lstrip(" ")
    return lines


def _problems(tmp_path: Path, lines: list[str] | str) -> list:
    if not (tmp_path / "language").exists():  # the language file the dialog names, beside it
        shutil.copytree(ROOT / "dialogs" / "language", tmp_path / "language")
    path = tmp_path / "draft.yaml"
    path.write_text(lines if isinstance(lines, str) else "\n".join(lines), encoding="utf-8")
    with pytest.raises(DialogError) as refused:
        load_dialog(path)
    return refused.value.problems


FIRST_MESSAGE = _entries_under("messages")[0]
A_LATER_MESSAGE = _entries_under("messages")[6]
FIRST_QUESTION = _entries_under("questions")[0]
A_LATER_QUESTION = next(n for n in _entries_under("questions")[5:] if re.match(r"^  \w+:$", SHIPPED[n]))


@pytest.mark.parametrize(
    ("number", "by"),
    [
        (FIRST_MESSAGE, 1),  # YAML itself complains lines further down
        (FIRST_MESSAGE, -1),
        (A_LATER_MESSAGE, -2),  # read as a new top-level key; the next message cannot belong anywhere
        (FIRST_QUESTION, -2),  # `questions:` left empty; YAML gives up at the next question
        (FIRST_QUESTION, -1),
        (A_LATER_QUESTION, -1),
        (A_LATER_QUESTION, 1),
    ],
    ids=[
        "message+1",
        "message-1",
        "later-message-2",
        "question-2",
        "question-1",
        "later-question-1",
        "later-question+1",
    ],
)
def test_a_mis_indented_line_is_the_one_problem_and_is_named_by_its_line(
    tmp_path: Path, number: int, by: int
) -> None:
    problems = _problems(tmp_path, _shifted(number, by))
    assert len(problems) == 1, problems
    assert problems[0].line == number + 1, problems
    assert "indented" in problems[0].message


def test_a_field_dedented_out_of_its_entry_is_named_as_such(tmp_path: Path) -> None:
    number = next(  # the last field of an answer of a choice question
        n
        for n, line in enumerate(SHIPPED)
        if n > SHIPPED.index("questions:")
        and line.strip().startswith("note:")
        and line.startswith(" " * 8)
        and not line.startswith(" " * 9)
        and not SHIPPED[n + 1].startswith(" " * 8)
    )
    problems = _problems(tmp_path, _shifted(number, -2))
    assert [p.line for p in problems] == [number + 1]
    assert (
        "'note' looks like a field of the entry above it, indented one level too little"
        in problems[0].message
    )


@pytest.mark.parametrize("by", [-2, -1, 1, 2])
def test_every_problem_of_a_mis_indented_question_field_has_a_line(tmp_path: Path, by: int) -> None:
    fields = [
        n
        for n in _entries_under("questions")
        if SHIPPED[n].startswith("    ") and not SHIPPED[n].startswith("     ")
    ]
    refused = 0
    for number in fields[:5]:
        path = tmp_path / "draft.yaml"
        path.write_text("\n".join(_shifted(number, by)), encoding="utf-8")
        try:
            load_dialog(path)
        except DialogError as exc:
            refused += 1
            assert all(p.line for p in exc.problems), (number + 1, exc.problems)
    assert refused  # the test did look at some broken dialogs


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a list\n- of things\n", "expected a dialog"),
        ("just some words\n", "expected a dialog"),
        ((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"), "this is not a dialog file"),
        (
            (ROOT / "deploy" / "slack" / "manifest.yaml").read_text(encoding="utf-8"),
            "this is not a dialog file",
        ),
        (
            next((ROOT / "tests" / "transcripts").glob("*.yaml")).read_text(encoding="utf-8"),
            "it looks like a transcript: check it with `kneebot replay`",
        ),
    ],
    ids=["empty", "comments-only", "a-list", "a-scalar", "compose-file", "slack-manifest", "a-transcript"],
)
def test_an_empty_or_unrelated_yaml_file_is_one_problem(tmp_path: Path, text: str, said: str) -> None:
    problems = _problems(tmp_path, text)
    assert len(problems) == 1, problems
    assert said in problems[0].message and problems[0].line


def test_a_missing_section_is_reported_once_without_its_fields(tmp_path: Path) -> None:
    start = SHIPPED.index("outcomes:")
    end = next(
        n for n in range(start + 1, len(SHIPPED)) if SHIPPED[n] and not SHIPPED[n].startswith((" ", "#"))
    )
    problems = _problems(tmp_path, SHIPPED[:start] + SHIPPED[end:])
    about = [p for p in problems if "outcomes" in p.place or "outcomes" in p.message]
    assert [p.message for p in about] == ["missing required field 'outcomes'"]


def test_a_section_indented_under_another_is_named_where_it_went(tmp_path: Path) -> None:
    start = next(n for n, line in enumerate(SHIPPED) if line.startswith("reminder:"))
    end = next(
        n for n in range(start + 1, len(SHIPPED)) if SHIPPED[n] and not SHIPPED[n].startswith((" ", "#"))
    )
    lines = SHIPPED[:start] + ["  " + line if line else line for line in SHIPPED[start:end]] + SHIPPED[end:]
    problems = _problems(tmp_path, lines)
    assert problems[0].line == start + 1
    assert "'reminder' is a top-level section, but this line indents it under" in problems[0].message


# ----- folders ---------------------------------------------------------------------------------
def _check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def test_a_folder_is_checked_file_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.yaml").write_text("\n".join(SHIPPED), encoding="utf-8")
    shutil.copytree(ROOT / "dialogs" / "language", folder / "language")  # the language file it names
    (folder / "nested" / "empty.yml").write_text("", encoding="utf-8")
    (folder / "notes.txt").write_text("not yaml at all", encoding="utf-8")

    done = _check(tmp_path, "drafts")

    assert done.returncode == 1
    assert f"{Path('drafts') / 'good.yaml'}: ok (" in done.stdout
    assert f"{Path('drafts') / 'language' / 'en.yaml'}: ok (language file" in done.stdout
    assert f"{Path('drafts') / 'nested' / 'empty.yml'}:1: the file is empty" in done.stderr
    assert "notes.txt" not in done.stdout + done.stderr
    assert _check(tmp_path, "drafts/good.yaml").returncode == 0


def test_a_folder_without_yaml_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    done = _check(tmp_path, "nothing")
    assert done.returncode == 1
    assert done.stderr.strip() == "kneebot: no .yaml or .yml files in nothing"
