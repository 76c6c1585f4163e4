"""Small things a first-time user meets: the terminal chat wraps its text to the terminal's
width (no word broken in the middle), `./dev foo` says the command is unknown, and every
`kneebot COMMAND --help` page opens with what the command does."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from adapters import cli
from bot.dialog import Dialog

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 44
WAIT_SECONDS = 30.0


def _chat_in_a_terminal(tmp_path: Path, typed: str) -> str:
    """`kneebot chat` in a real pseudo-terminal COLUMNS wide; what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_", "COLUMNS"))
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "chat", "--user", "pat"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), "TERM": "dumb"},
        close_fds=True,
    )
    os.close(slave)
    received = b""
    deadline = time.monotonic() + WAIT_SECONDS
    sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed: the chat has ended
                    break
                if not chunk:
                    break
                received += chunk
            if not sent and b"you> " in received:
                os.write(master, typed.encode())
                sent = True
            if process.poll() is not None and not ready:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_SECONDS)
        os.close(master)
    return received.decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_the_terminal_chat_wraps_its_text_to_the_terminal_width(tmp_path: Path, dialog: Dialog) -> None:
    shown = _chat_in_a_terminal(tmp_path, "help\nquit\n")

    printed = [line for line in shown.splitlines() if not line.startswith("you> ")]
    assert [line for line in printed if len(line) > COLUMNS] == []
    flowing = " ".join(shown.split())  # undo the wrapping: every sentence is there, whole
    for sentence in (
        dialog.messages["greeting"],
        dialog.messages["console_help"],
        dialog.messages["console_left"],
    ):
        assert " ".join(sentence.split()) in flowing


def test_wrapping_never_splits_a_word_and_keeps_a_choices_indent() -> None:
    from adapters.console.chat import fit

    text = "Do any of these apply to you right now?\n  1. Short of breath, chest pain or coughing blood"
    wrapped = fit(text, 24)
    assert wrapped.split() == text.split()
    assert wrapped.splitlines()[-1].startswith("     ")  # under the text of choice 1, not its number
    assert fit(text, None) == text  # a pipe or a file gets the text as it is


def test_dev_with_an_unknown_command_says_so() -> None:
    done = subprocess.run([str(ROOT / "dev"), "foo"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("dev: unknown command 'foo'")
    assert "./dev chat" in done.stderr
    helped = subprocess.run(
        [str(ROOT / "dev"), "help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert helped.returncode == 0 and "./dev test" in helped.stdout and helped.stderr == ""


@pytest.mark.parametrize("command", ["chat", "check", "graph", "replay", "slack", "discord"])
def test_every_command_help_page_opens_with_what_it_does(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = capsys.readouterr().out.splitlines()
    start = next(n for n, line in enumerate(listed) if re.match(rf"^\s+{command}(\s|$)", line))
    summary = listed[start].split(command, 1)[1]
    for line in listed[start + 1 :]:  # argparse wraps a long summary onto indented lines
        if not re.match(r"^\s{8,}\S", line):
            break
        summary += " " + line

    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    page = capsys.readouterr().out
    description = page.split("\n\n")[1].strip()
    assert " ".join(description.split()).lower().rstrip(".") == " ".join(summary.split()).lower()
