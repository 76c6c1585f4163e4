"""`kneebot chat` in a terminal or with piped input, on the embedded SQLite default; and
`kneebot check`, which validates the dialog the chat (or any adapter) would run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.dialog.loader import load_dialog
from bot.engine import default_dialog_path

ROOT = Path(__file__).resolve().parents[1]


def _kneebot(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, **(env or {}), "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def _chat(tmp_path: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return _kneebot(tmp_path, "chat", "--user", "pat", *extra, stdin="".join(f"{line}\n" for line in lines))


def test_a_piped_conversation_reaches_a_result_and_exits_cleanly(tmp_path: Path) -> None:
    # an option's number, words, several numbers on a pick-all-that-apply question, yes and no
    done = _chat(tmp_path, ["I'm a runner", "4", "none", "behind", "1 and 5", "yes"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Hi, I'm kneebot.")
    assert "  4. None of these" in done.stdout
    assert "you> I'm a runner" in done.stdout
    dialog = load_dialog(default_dialog_path())
    names = [dialog.causes[cause].name for cause in ("hamstring_tendonitis", "gastrocnemius_tendonitis")]
    assert dialog.labels["two_causes"].format(first=names[0], second=names[1]) in done.stdout
    assert "not a diagnosis" in done.stdout
    assert done.stderr == ""
    assert (tmp_path / "kneebot.sqlite3").exists()  # the embedded default: a local SQLite file


def test_quitting_and_starting_again_resumes_where_the_person_was(tmp_path: Path) -> None:
    dialog = load_dialog(default_dialog_path())
    first = _chat(tmp_path, ["I'm a cyclist", "none"])
    assert first.returncode == 0
    second = _chat(tmp_path, ["none", "behind", "1 and 5", "no", "no"])
    assert second.stdout.startswith(dialog.messages["resumed"])
    assert dialog.questions["screen_urgent"].text in second.stdout.split("you>")[0]
    assert dialog.questions["bike_fit"].text in second.stdout  # the check went on...
    for running_or_activity in ("activity", "long_runs"):  # ...knowing they cycle
        assert dialog.questions[running_or_activity].text not in second.stdout
    cycles = dialog.facts["activity"].value("cycling")
    assert cycles is not None and f"  • {cycles.note}" in second.stdout  # in the summary


def test_the_database_path_is_configurable(tmp_path: Path) -> None:
    done = _chat(tmp_path, ["hi"], "--db", str(tmp_path / "elsewhere" / "chat.db"))
    assert done.returncode == 0
    assert (tmp_path / "elsewhere" / "chat.db").exists()
    assert not (tmp_path / "kneebot.sqlite3").exists()


def test_a_bad_setting_stops_with_a_readable_message(tmp_path: Path) -> None:
    done = _chat(tmp_path, [], "--redis-url", "localhost:6379")
    assert done.returncode == 2
    assert "--redis-url must start with redis://" in done.stderr  # named as typed
    assert "Traceback" not in done.stderr


def _broken_dialog(tmp_path: Path) -> Path:
    """The shipped dialog with its flow's first step misspelt, next to its language file."""
    shipped = default_dialog_path().read_text(encoding="utf-8")
    assert "  - ask: screen_emergency\n" in shipped
    path = tmp_path / "draft.yaml"
    path.write_text(shipped.replace("  - ask: screen_emergency\n", "  - ask: screen_emergencyy\n", 1))
    _copy_language(tmp_path)
    return path


def _copy_language(folder: Path) -> None:
    """A dialog file names its language file relative to itself: copy it alongside."""
    shutil.copytree(default_dialog_path().parent / "language", folder / "language", dirs_exist_ok=True)


def test_kneebot_check_with_no_file_checks_the_dialog_the_bot_would_run(tmp_path: Path) -> None:
    """A maintainer who runs the bot with KNEEBOT_DIALOG (or --dialog) and types `kneebot check`
    must see that dialog's problems, not a pass for the shipped one."""
    _broken_dialog(tmp_path)
    expected = "draft.yaml:"
    problem = "unknown question 'screen_emergencyy'"
    by_env = _kneebot(tmp_path, "check", env={"KNEEBOT_DIALOG": "draft.yaml"})
    assert by_env.returncode == 1
    assert expected in by_env.stderr and problem in by_env.stderr
    by_flag = _kneebot(tmp_path, "check", "--dialog", "draft.yaml")
    assert by_flag.returncode == 1
    assert expected in by_flag.stderr and problem in by_flag.stderr
    shipped = _kneebot(tmp_path, "check")
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.startswith(f"{default_dialog_path()}: ok (")


def test_kneebot_check_with_files_checks_those_files(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(default_dialog_path().read_text(encoding="utf-8"))
    _copy_language(tmp_path)
    done = _kneebot(tmp_path, "check", "good.yaml", env={"KNEEBOT_DIALOG": str(_broken_dialog(tmp_path))})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("good.yaml: ok (")
