"""Transcript files: what a maintainer writes is read as meant, and every mistake comes back
with the file, the line and the place, all at once."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.dialog import Dialog
from bot.transcripts.format import TranscriptError, load_transcript
from bot.transcripts.runner import check_ids


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(TranscriptError) as caught:
        load_transcript(path)
    return str(caught.value).splitlines()


def test_every_form_of_the_format_is_read_as_documented(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        name: every form
        context: {platform: console, user: alice}
        turns:
          - user: "hi"
            bot:
              - "First, a quick safety check."
              - text: "Do any of these apply to you right now?"
                choices: ["None of these", "Not sure"]
          - click: "None of these"
            any: [{contains: ["And do", "apply"]}]
            not: [{matches: "EMERGENCY|URGENT"}]
          - click: {label: "Not sure", stale: true}
            bot: []
          - restart: true
          - user: 4
            outcome: none
        outcome: {cause: null, urgency: urgent, red_flag: calf_clot}
        """,
    )
    transcript = load_transcript(path)
    assert (transcript.name, transcript.platform, transcript.user) == ("every form", "console", "alice")
    say, click, stale, restart, number = transcript.turns
    assert (say.action, say.value, say.line) == ("say", "hi", 4)
    assert say.bot is not None and say.bot[0].contains == ("First, a quick safety check.",)
    assert say.bot[1].text == "Do any of these apply to you right now?"
    assert say.bot[1].choices == ("None of these", "Not sure")
    assert click.bot is None, "a turn without bot: is not checked"
    assert click.any[0].contains == ("And do", "apply")
    assert click.never[0].matches is not None and click.never[0].matches.pattern == "EMERGENCY|URGENT"
    assert (stale.action, stale.value, stale.stale, stale.bot) == ("click", "Not sure", True, ())
    assert restart.action == "restart"
    assert (number.value, number.number) == ("4", 5), "a bare number is what the person typed"
    assert number.outcome is not None and number.outcome.none
    outcome = transcript.outcome
    assert outcome is not None
    assert (outcome.cause, outcome.check_cause, outcome.urgency, outcome.red_flag) == (
        None,
        True,
        "urgent",
        "calf_clot",
    )


def test_name_and_context_default_from_the_file(tmp_path: Path) -> None:
    transcript = load_transcript(_write(tmp_path, 'turns: [{user: "hi"}]\n', name="stale_button.yaml"))
    assert (transcript.name, transcript.platform, transcript.user) == ("stale button", "transcript", "tester")
    assert transcript.outcome is None, "no outcome: line means the outcome is not checked"


def test_every_mistake_is_reported_at_once_with_its_line_and_place(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        name: mistakes
        context: {platfrom: slack}
        turns:
          - user: yes
            bot:
              - text: "Do any of these apply?"
                choices: [Yes, No, "Not sure"]
              - mathces: "("
              - matches: "("
          - click: "None of these"
            user: "none"
          - restart: false
          - restart: true
            bot: ["anything"]
          - user:
          - {}
        outcome: {cause: hamstring_tendonitis, urgency: sooon}
        """,
    )
    source = str(path)
    assert _problems(path) == [
        f"{source}: 12 problem(s) in the transcript",
        f"  {source}:2 (context.platfrom): unknown field; did you mean 'platform'? (expected one of: platform, user, locale)",
        f'  {source}:4 (turns[0].user): got True: YAML reads unquoted yes/no/on/off/true/false as a boolean here; put the word in quotes, e.g. "yes"',
        f'  {source}:7 (turns[0].bot[0].choices[0]): got True: YAML reads unquoted yes/no/on/off/true/false as a boolean here; put the word in quotes, e.g. "yes"',
        f'  {source}:7 (turns[0].bot[0].choices[1]): got False: YAML reads unquoted yes/no/on/off/true/false as a boolean here; put the word in quotes, e.g. "yes"',
        f"  {source}:8 (turns[0].bot[1].mathces): unknown field; did you mean 'matches'? (expected one of: text, contains, matches, choices)",
        f"  {source}:9 (turns[0].bot[2].matches): not a valid regular expression: missing ), unterminated subpattern at position 0",
        f"  {source}:10 (turns[1]): a turn needs exactly one of user:, click:, pick: or restart: (it has user, click)",
        f"  {source}:12 (turns[2].restart): write restart: true (the bot process restarts here)",
        f"  {source}:14 (turns[3].bot): a restart turn says nothing; put the checks on the next turn",
        f'  {source}:15 (turns[4].user): is empty; write user: "" for an empty message',
        f"  {source}:16 (turns[5]): a turn needs exactly one of user:, click:, pick: or restart: (it has none)",
        f"  {source}:17 (outcome.urgency): unknown urgency 'sooon'; did you mean 'soon'? (use one of emergency, urgent, soon)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("turns: [{user: 'hi'}\n", ":2: not valid YAML"),
        (
            "turns:\n  - user: 'hi'\n    user: 'again'\n",
            ":3: not valid YAML: duplicate key 'user' (first at line 2)",
        ),
        ("name: no turns\n", ":1: missing required field 'turns' (is this a transcript? it has name)"),
        ("turns: []\n", ":1 (turns): expected a non-empty list of turns, got a list"),
        ("- user: hi\n", ":1: expected a mapping (key: value), got a list"),
        (
            "turns: [{user: hi, bot: }]\n",
            ":1 (turns[0].bot): is empty; write bot: [] if the bot must say nothing, or leave it out",
        ),
        (
            "turns: [{user: hi}]\noutcome: {}\n",
            ":2 (outcome): is empty; write outcome: none if the bot must show no result",
        ),
    ],
)
def test_structural_mistakes_say_what_to_write(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    report = "\n".join(_problems(path))
    assert f"{path}{expected}" in report, report


def test_a_missing_file_is_a_transcript_error_naming_it(tmp_path: Path) -> None:
    problems = _problems(tmp_path / "nowhere.yaml")
    assert problems[0].startswith(f"{tmp_path / 'nowhere.yaml'}: 1 problem(s)")
    assert "cannot read the file" in problems[1]


def test_outcome_ids_the_dialog_lacks_are_typos_with_a_suggestion(tmp_path: Path, dialog: Dialog) -> None:
    path = _write(
        tmp_path,
        """
        turns:
          - user: "hi"
            outcome: {cause: null, urgency: urgent, red_flag: calf_clott}
        outcome: {cause: hamstring_tendinitis, causes: [hamstring_tendinitis, bakers_cyst], urgency: soon}
        """,
    )
    with pytest.raises(TranscriptError) as caught:
        check_ids(load_transcript(path), dialog)
    lines = str(caught.value).splitlines()
    assert lines[1:] == [
        f"  {path}:3 (turns[0].outcome): the dialog has no red flag 'calf_clott'; did you mean 'calf_clot'?",
        f"  {path}:4 (outcome): the dialog has no cause 'hamstring_tendinitis'; did you mean 'hamstring_tendonitis'?",
        f"  {path}:4 (outcome): the dialog has no cause 'hamstring_tendinitis'; did you mean 'hamstring_tendonitis'?",
    ]


def test_the_example_in_the_docs_is_a_shipped_transcript_word_for_word() -> None:
    """The docs show a real, passing file (the plugin replays it), not a sketch that drifts."""
    root = Path(__file__).resolve().parents[1]
    docs = (root / "docs" / "transcripts.md").read_text(encoding="utf-8")
    example = re.search(r"## An example\n\n```yaml\n(.*?)```", docs, re.DOTALL)
    assert example is not None
    shipped = root / "tests" / "transcripts" / "facts_in_passing_cyclist_twisted_it_last_week.yaml"
    assert example.group(1) == shipped.read_text(encoding="utf-8")
