"""The `kneebot` command. Each sub-command imports only what it needs, so `kneebot chat`
starts without loading Slack or Discord libraries."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.config import SETTINGS, ConfigError, Settings, settings_from_env
from bot.dialog import Dialog
from bot.dialog.loader import DialogError, load_dialog
from bot.engine import Engine, Observer, default_dialog_path
from bot.logs import configure_logging
from bot.store import StoreUnavailable, open_store

log = logging.getLogger("kneebot")

FLAGS: dict[str, str] = {}
"""The flag each setting can be given with (`db_path` -> `--db`), so a problem with a value
given on the command line is reported by the flag the person typed."""

LOGGING = frozenset({"log_level", "log_format"})
STORE = frozenset({"db_path", "redis_url", "memory", "ttl_hours", "log_key", "dialog_path"})
OPS = frozenset({"health_port", "health_host"})
USES: dict[str, frozenset[str]] = {
    "check": LOGGING | {"dialog_path"},
    "graph": LOGGING | {"dialog_path"},
    "replay": LOGGING | {"dialog_path"},
    "chat": LOGGING | STORE,
    "slack": LOGGING
    | STORE
    | OPS
    | {
        "port",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "slack_api_url",
        "slack_client_id",
        "slack_client_secret",
        "docs_url",
    },
    "discord": LOGGING
    | STORE
    | OPS
    | {"discord_token", "discord_guild_id", "discord_shard_id", "discord_shard_count"},
}
"""The settings each command reads, and so validates: nothing else can stop it."""


def _option(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *flags: str, **options: Any) -> None:
    action = parser.add_argument(*flags, **options)
    if action.dest in SETTINGS:
        FLAGS[action.dest] = action.option_strings[0]


def _store_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("conversation store (default: SQLite file)")
    _option(
        group, "--db", type=Path, dest="db_path", help="SQLite file (env KNEEBOT_DB; default kneebot.sqlite3)"
    )
    _option(group, "--redis-url", help="use Redis instead, e.g. redis://localhost:6379/0 (env REDIS_URL)")
    _option(group, "--memory", action="store_true", default=None, help="keep conversations in memory only")
    _option(
        group,
        "--ttl-hours",
        type=float,
        help="forget idle conversations after this long (env KNEEBOT_TTL_HOURS; default 24)",
    )
    _dialog_flag(parser)
    _log_flags(parser)


def _log_flags(parser: argparse.ArgumentParser) -> None:
    _option(parser, "--log-level", help="DEBUG, INFO, WARNING or ERROR (env LOG_LEVEL)")
    _option(parser, "--log-format", choices=["text", "json"], help="log line format (env LOG_FORMAT)")


def _dialog_flag(
    parser: argparse.ArgumentParser,
    help: str = "dialog YAML file (env KNEEBOT_DIALOG; default: the shipped knee-pain dialog)",
) -> None:
    _option(parser, "--dialog", type=Path, dest="dialog_path", help=help)


def _platform_flags(parser: argparse.ArgumentParser) -> None:
    """What every long-running platform command takes: the store, and the ops endpoint."""
    _store_flags(parser)
    _option(
        parser, "--health-port", type=int, help="serve /healthz and /metrics on this port (env HEALTH_PORT)"
    )


def _command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A sub-command whose `--help` page opens with the same one line `kneebot --help` lists."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=f"{summary[0].upper()}{summary[1:]}."
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kneebot",
        description="A careful chat companion for pain behind the knee. Not a diagnosis; not for emergencies.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = _command(commands, "chat", "talk to kneebot in this terminal (no tokens needed)")
    _store_flags(chat)
    chat.add_argument(
        "--user", default=None, help="who is chatting (default: your login name; in a --record file: someone)"
    )
    chat.add_argument("--record", type=Path, help="also write this session as a replayable transcript")
    chat.add_argument(
        "--lang",
        type=_language,
        help="your language as a BCP 47 tag, e.g. es or en-GB (default: the terminal's, from LC_ALL, "
        "LC_MESSAGES or LANG)",
    )
    chat.add_argument("--force", action="store_true", help="with --record: overwrite the file if it exists")

    check = _command(commands, "check", "validate dialog files and report every problem")
    check.add_argument(
        "files", nargs="*", type=Path, help="dialog files or folders (default: the dialog the bot would run)"
    )
    _dialog_flag(
        check, "check this dialog when no file is given (env KNEEBOT_DIALOG; default: the shipped dialog)"
    )

    graph = _command(commands, "graph", "print the dialog as a Mermaid state diagram")
    _dialog_flag(graph)

    replay = _command(commands, "replay", "replay transcripts and print a pass/fail summary")
    replay.add_argument("files", nargs="+", type=Path, help="transcript files or folders")
    _dialog_flag(replay)

    slack = _command(commands, "slack", "run on Slack (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    _platform_flags(slack)
    _option(slack, "--port", type=int, help="HTTP port for Slack events (env PORT; default 3000)")

    discord = _command(commands, "discord", "run on Discord (needs DISCORD_TOKEN)")
    _platform_flags(discord)
    _option(
        discord,
        "--sync-guild",
        type=int,
        dest="discord_guild_id",
        help="sync the slash command to this server only, instantly (for testing)",
    )
    return parser


EXTRAS: dict[str, str] = {
    "slack": "slack-bolt, slack-sdk and aiohttp",
    "discord": "discord.py",
    "redis": "redis",
}
"""kneebot's optional extras (`./dev chat` installs none of them), and the packages in each."""
OPTIONAL = frozenset({"slack_bolt", "slack_sdk", "aiohttp", "discord", "redis"})
"""The top-level modules of those packages (aiohttp also comes with discord.py)."""


@contextmanager
def _needs_extra(what: str, command: str, extra: str) -> Iterator[None]:
    """Turn a missing optional library into one line naming what to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0]
        if module not in OPTIONAL:
            raise
        raise ConfigError(
            f"{what} needs {EXTRAS[extra]}, and {module} is not installed: in the kneebot folder, run "
            f"it as ./dev kneebot {command} (which installs everything first), or pip install -e '.[{extra}]'"
        ) from None


def make_engine(settings: Settings, command: str = "chat") -> Engine:
    """The dialog, the store and the engine, with Metrics observing every turn of a server.

    The dialog is loaded first: a broken dialog file stops the start before any store (say, a
    new SQLite file) exists. Adapters reach the metrics with `bot.metrics.metrics_for(engine)`.
    The console serves no /metrics, so it never imports prometheus_client (~40 ms of start-up).
    """
    from bot.dialog.loader import check_translation
    from bot.languages import translations_of

    path = Path(settings.dialog_path or default_dialog_path())
    dialog = load_dialog(path)
    translations: list[Dialog | Future[Dialog]]
    if command == "chat":  # loaded while the greeting is shown; not needed before a first answer
        loading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kneebot-translations")
        translations = [loading.submit(check_translation, dialog, p) for p in translations_of(path)]
        loading.shutdown(wait=False)
    else:  # a server refuses to start on a broken translation
        translations = [check_translation(dialog, p) for p in translations_of(path)]
    with _needs_extra(f"the Redis store ({settings.name('redis_url')})", f"{command} …", "redis"):
        store = open_store(
            redis_url=settings.redis_url,
            sqlite_path=settings.db_path,
            memory=settings.memory,
            ttl_seconds=settings.ttl_seconds,
        )
    observers: list[Observer] = []
    if command != "chat":
        from bot.metrics import Metrics

        observers.append(Metrics().observe)
    engine = Engine(
        dialog,
        store,
        observers=observers,
        log_key=settings.log_key.encode() if settings.log_key else None,
        translations=translations,
    )
    if command != "chat":  # a server reads its first message seconds from now; the console warms
        engine.warm()  # after its greeting is shown
    log.info(
        "kneebot ready: dialog %s v%s (%s), store %s",
        engine.dialog.id,
        engine.dialog.version,
        ", ".join(engine.languages.dialogues),
        store.describe(),
    )
    return engine


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the flags given on top, validated for this command only
    (a variable a flag overrides is not even read)."""
    uses = USES[args.command]
    flags = {k: v for k, v in vars(args).items() if k in SETTINGS and v is not None}
    from_env = settings_from_env(uses=uses - flags.keys())
    return from_env.overridden(names=FLAGS, **flags).validated(uses)


def _check(files: Sequence[Path], settings: Settings) -> int:
    """Validate the files given or, with none, the dialog `chat`, `slack` and `discord` would
    load with the same settings (`--dialog`, `KNEEBOT_DIALOG`), so a check before a deploy
    checks what will run."""
    from bot.yaml_lines import yaml_files

    paths = yaml_files(files) if files else [settings.dialog_path or default_dialog_path()]
    if not paths:
        print(f"kneebot: no .yaml or .yml files in {', '.join(map(str, files))}", file=sys.stderr)
        return 1
    from bot.dialog.loader import check_translation, is_language_file, load_language
    from bot.languages import translations_of

    failed = 0
    for path in paths:
        if is_language_file(path):
            try:
                language = load_language(path)
            except DialogError as exc:
                print(exc, file=sys.stderr)
                failed += 1
            else:
                print(
                    f"{path}: ok (language file: {language.name}, {len(language.context)} groups of context cues)"
                )
            continue
        try:
            dialog = load_dialog(path)
        except DialogError as exc:
            print(exc, file=sys.stderr)
            failed += 1
            continue
        print(
            f"{path}: ok ({len(dialog.questions)} questions, {len(dialog.red_flags)} red flags, "
            f"{len(dialog.causes)} causes)"
        )
        for translation in translations_of(Path(path)):
            try:
                translated = check_translation(dialog, translation)
            except DialogError as exc:
                print(exc, file=sys.stderr)
                failed += 1
            else:
                print(f"{translation}: ok (agrees with {Path(path).name}; {translated.language.name})")
    return 1 if failed else 0


def _graph(settings: Settings) -> int:
    from bot.machine import mermaid

    print(mermaid(load_dialog(settings.dialog_path or default_dialog_path())), end="")
    return 0


def _language(text: str) -> str:
    from adapters.console.chat import language_tag

    tag = language_tag(text)
    if tag is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a language tag such as es or en-GB")
    return tag


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from adapters.console import run_chat
    from adapters.console.chat import locale_from_env

    locale = args.lang or locale_from_env(os.environ)
    if args.record:
        from adapters.console.record import RECORDED_USER, check_recording_path, record_chat

        check_recording_path(args.record, force=args.force)  # before the chat, not after it
        engine = make_engine(settings, "chat")
        user = args.user or RECORDED_USER
        return record_chat(engine, user=user, path=args.record, force=args.force, locale=locale)
    engine = make_engine(settings, "chat")
    engine.store.check()  # a chat without its memory is useless: say so now, not in every reply
    return run_chat(engine, user=args.user or getpass.getuser(), locale=locale)


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from bot.transcripts.runner import replay_main

    return replay_main(args.files, dialog_path=settings.dialog_path)


def _serve(run: Callable[[Settings, Engine], int], settings: Settings, command: str) -> int:
    """Run a platform for as long as it lasts, forgetting idle conversations on time meanwhile."""
    engine = make_engine(settings, command)
    housekeeping = engine.start_housekeeping()
    try:
        return run(settings, engine)
    finally:
        housekeeping.set()


def _slack(settings: Settings) -> int:
    with _needs_extra("kneebot slack", "slack", "slack"):
        from adapters.slack import run_slack
        from adapters.slack.serve import check_settings

    check_settings(settings)  # tokens first: nothing is opened, created or logged as ready before
    return _serve(run_slack, settings, "slack")


def _discord(settings: Settings) -> int:
    settings.require("discord_token")  # first: nothing is opened, created or logged as ready before
    with _needs_extra("kneebot discord", "discord", "discord"):
        from adapters.discord import run_discord

    return _serve(run_discord, settings, "discord")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        quiet_default = args.command in ("chat", "check", "graph", "replay") and not args_level(args)
        configure_logging("WARNING" if quiet_default else settings.log_level, settings.log_format)
        if args.command == "check":
            return _check(args.files, settings)
        if args.command == "graph":
            return _graph(settings)
        if args.command == "replay":
            return _replay(args, settings)
        if args.command == "chat":
            return _chat(args, settings)
        if args.command == "slack":
            return _slack(settings)
        return _discord(settings)
    except (ConfigError, DialogError) as exc:
        print(f"kneebot: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"kneebot: the conversation store is unavailable: {exc}", file=sys.stderr)
        return 3


def args_level(args: argparse.Namespace) -> bool:
    """True when the person asked for a log level, so the chat should show logs after all."""
    import os

    return bool(getattr(args, "log_level", None) or os.environ.get("LOG_LEVEL"))


if __name__ == "__main__":
    sys.exit(main())
