"""Discord like the best bots on it: one message per turn, `/kneepain` offering help and forget,
each interaction's locale passed on to the engine, and a server that removes kneebot taking
every conversation started there with it (on SQLite, memory and a real Redis server)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from discord_world import GUILD, MASON, SERVER_CHANNEL, DiscordWorld, another_person, buttons

from bot.engine import Engine
from bot.keys import conversation_key
from bot.messages import Incoming, Reply
from bot.store import MemoryStore, SQLiteStore, Store

OTHER_GUILD = 81384788765712384


def dm_key(world: DiscordWorld, user: dict = MASON) -> str:
    return conversation_key("discord", "dm", world.fake.dm_channel(user)["id"], user["id"])


# ----- one message per turn ----------------------------------------------------------------------
def test_a_turn_is_one_message_notes_and_question_together(world: DiscordWorld) -> None:
    words = world.engine.dialog.messages  # type: ignore[union-attr]
    (first,) = world.type("hi")
    content = first.data["content"]
    assert content.startswith(words["greeting"] + "\n\n"), "the greeting, then what follows it"
    assert buttons(first), "the question's buttons on that same message"


# ----- /kneepain's options -----------------------------------------------------------------------
def test_the_command_offers_help_and_forget_worded_by_the_dialog(world: DiscordWorld) -> None:
    words = world.engine.dialog.messages  # type: ignore[union-attr]
    (_, commands), *_ = world.fake.command_syncs
    (kneepain,) = commands
    (option,) = kneepain["options"]
    assert option["name"] == words["discord_option_name"] and option["required"] is False
    assert option["description"] == words["discord_option_description"]
    assert [(c["name"], c["value"]) for c in option["choices"]] == [
        (words["discord_option_help"], "help"),
        (words["discord_option_forget"], "forget"),
    ]


def test_the_command_speaks_every_language_the_dialog_has(world: DiscordWorld) -> None:
    """Discord shows each person /kneepain in their client's language: Spanish clients get the
    Spanish dialog's wording (Spain and Latin America alike)."""
    spanish = world.engine.languages.dialogues["es"].dialog.messages  # type: ignore[union-attr]
    (_, commands), *_ = world.fake.command_syncs
    (kneepain,) = commands
    (option,) = kneepain["options"]
    for locale in ("es-ES", "es-419"):
        assert kneepain["description_localizations"][locale] == spanish["discord_command_description"]
        assert option["name_localizations"][locale] == spanish["discord_option_name"]
        assert option["description_localizations"][locale] == spanish["discord_option_description"]
        assert [c["name_localizations"][locale] for c in option["choices"]] == [
            spanish["discord_option_help"],
            spanish["discord_option_forget"],
        ]
    assert "fr" not in kneepain.get("description_localizations", {})  # no French dialog


def test_help_from_a_server_is_answered_privately_in_the_dm(world: DiscordWorld) -> None:
    words = world.engine.dialog.messages  # type: ignore[union-attr]
    note, answer = world.slash_with(words["discord_option_name"], "help")
    assert note.ephemeral and "/channels/@me/" in note.data["content"]
    assert answer.data["content"].startswith(words["help"])
    assert world.fake.public_in(SERVER_CHANNEL) == []


def test_help_during_a_check_repeats_its_question(world: DiscordWorld) -> None:
    words = world.engine.dialog.messages  # type: ignore[union-attr]
    (question,) = world.type("hi")
    asked = question.data["content"].rsplit("\n\n", 1)[-1]
    (answer,) = world.slash_with(words["discord_option_name"], "help", where="dm")
    assert answer.data["content"] == f"{words['help']}\n\n{asked}"


@pytest.mark.parametrize("where", ["server", "dm"])
def test_forget_deletes_everything_and_says_so_only_to_the_person(world: DiscordWorld, where: str) -> None:
    words = world.engine.dialog.messages  # type: ignore[union-attr]
    neighbour = another_person(80351110224678912, "nelly")
    world.type("hi")
    world.type("hi", user=neighbour)

    (done,) = world.slash_with(words["discord_option_name"], "forget", where=where)

    assert done.data["content"] == words["forgotten"]
    assert done.ephemeral == (where == "server"), "in a server, only the person sees it"
    assert list(world.engine.store.keys()) == [dm_key(world, neighbour)]  # type: ignore[union-attr]
    assert world.fake.public_in(SERVER_CHANNEL) == []


# ----- locale ------------------------------------------------------------------------------------
@pytest.fixture
def seen(world: DiscordWorld) -> Iterator[list[Incoming]]:
    """Every Incoming the adapter hands the engine (the engine still runs each one)."""
    engine: Engine = world.engine  # type: ignore[assignment]
    incomings: list[Incoming] = []
    handle = engine.handle

    def recording(incoming: Incoming) -> list[Reply]:
        incomings.append(incoming)
        return handle(incoming)

    engine.handle = recording  # type: ignore[method-assign]
    yield incomings


def test_each_interactions_locale_reaches_the_engine_and_dm_messages_reuse_it(
    world: DiscordWorld, seen: list[Incoming]
) -> None:
    nelly = another_person(80351110224678913, "nelly")
    world.type("hola", user=nelly)  # a DM before any interaction: Discord sends no locale
    *_, question = world.slash(user=nelly, locale="es-ES")
    world.click(question, buttons(question)[-1][0], user=nelly, locale="es-419")
    world.type("no", user=nelly)  # a DM after: the latest interaction's locale

    assert [i.locale for i in seen] == [None, "es-ES", "es-419", "es-419"]


# ----- leaving a server --------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "memory", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Stores for the bot, as each start of it would open them (memory: the same one)."""
    made: list[Store] = []
    shared = MemoryStore()
    prefix = f"kneebot-{uuid.uuid4().hex}:"

    def make() -> Store:
        if request.param == "memory":
            return shared
        if request.param == "sqlite":
            store: Store = SQLiteStore(tmp_path / "kneebot.sqlite3")
        else:
            from bot.store.redis import RedisStore

            store = RedisStore(request.getfixturevalue("redis_url"), prefix=prefix)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def test_leaving_a_server_deletes_the_conversations_started_there_and_no_other(
    make_world: Callable[..., DiscordWorld], make_store: Callable[[], Store]
) -> None:
    world = make_world(store_factory=make_store)
    world.join_guild(GUILD)
    world.join_guild(OTHER_GUILD)
    mason_dm = dm_key(world)
    nelly = another_person(80351110224678914, "nelly")
    olga = another_person(80351110224678915, "olga")
    pete = another_person(80351110224678916, "pete")

    world.slash()  # mason: /kneepain in the server, the check in his DM
    world.fake.dm_closed.add(int(nelly["id"]))
    world.slash(user=nelly)  # nelly: DMs refused, the check kept in the server itself
    world.slash(user=olga, guild=OTHER_GUILD)  # olga: /kneepain in another server
    world.type("hi", user=pete)  # pete: just wrote to the bot in a DM
    store = world.engine.store  # type: ignore[union-attr]
    nelly_here = conversation_key("discord", GUILD, SERVER_CHANNEL, nelly["id"])
    assert sorted(store.keys()) == sorted([mason_dm, nelly_here, dm_key(world, olga), dm_key(world, pete)])

    world.leave_guild(GUILD)

    assert sorted(store.keys()) == sorted([dm_key(world, olga), dm_key(world, pete)])
    assert world.type("hi", user=pete), "the bot carries on for everyone else"


def test_a_server_outage_is_not_a_removal(make_world: Callable[..., DiscordWorld]) -> None:
    """GUILD_DELETE with `unavailable: true` is Discord's outage, not kneebot being removed."""
    world = make_world()
    world.join_guild(GUILD)
    world.slash()
    world.run(world.fake.gateway.dispatch("GUILD_DELETE", {"id": str(GUILD), "unavailable": True}))
    world.run(world._settle())
    assert list(world.engine.store.keys()) == [dm_key(world)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("discord_option_name", "What To Do", "must be one lowercase word of at most 32 characters"),
        ("discord_option_help", "h" * 101, "discord_option_help is longer than Discord's 100 characters"),
    ],
)
def test_option_wording_discord_would_refuse_stops_the_start(key: str, value: str, said: str) -> None:
    from adapters.discord.app import check_sentences
    from bot.config import ConfigError
    from bot.dialog.loader import load_dialog
    from bot.engine import default_dialog_path

    messages = {**load_dialog(default_dialog_path()).messages, key: value}
    with pytest.raises(ConfigError, match=said):
        check_sentences(messages)
