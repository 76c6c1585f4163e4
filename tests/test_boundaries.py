"""The architecture's promises: a platform-free core, and no medical wording in Python."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "discord")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_nothing_under_bot_imports_a_platform_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(PLATFORM_LIBRARIES))
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_engine_and_console_load_no_platform_library_at_run_time() -> None:
    code = (
        "import sys, pkgutil, importlib, bot\n"
        "for m in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    importlib.import_module(m.name)\n"
        "import adapters.cli, adapters.console\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {PLATFORM_LIBRARIES!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_no_medical_wording_lives_in_python() -> None:
    medical = re.compile(r"hamstring|baker|menisc|gastroc|tendon|cyst|fever|chest pain", re.IGNORECASE)
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("bot", "adapters")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if medical.search(line) and not line.lstrip().startswith("#")
    ]
    assert hits == []
