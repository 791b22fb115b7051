"""The ``copro-bot`` command: the one entry point that reads configuration.

Every expected failure (a bad setting, an invalid script, no token) ends in one line on
stderr and exit code 2; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from dotenv import dotenv_values
from sqlalchemy.exc import DBAPIError

from bot.settings import Settings, SettingsError, load_settings
from storage.database import DatabaseUrlError, scrub_password

EXIT_USAGE = 2
NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: message @BotFather on Telegram, send /newbot, and put the "
    "token in .env (or try the bot now with `copro-bot chat`)."
)


class CliParser(argparse.ArgumentParser):
    """Usage errors in one line (``copro-bot export: argument --x: ...``), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def add_command(
    commands: argparse._SubParsersAction[Any], name: str, summary: str
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` opens with the same line the command list shows."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:]
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="copro-bot",
        description="Collect examples of co-production by chatting with contributors.",
    )
    parser.add_argument(
        "--env-file", default=None, help="settings file (default: .env here, if there is one)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = add_command(commands, "run", "run the Telegram bot (long polling or webhook)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")

    chat = add_command(commands, "chat", "interview yourself in the terminal (no token needed)")
    chat.add_argument("--script", default=None, help="script id, e.g. spotted")
    chat.add_argument(
        "--user",
        type=int,
        default=1,
        help="local contributor id (default 1); another id is another person",
    )
    chat.add_argument(
        "--lang",
        choices=("en", "cy", "gd", "pl"),
        default=None,
        help="language of a new interview: en, cy (Welsh), gd (Gaelic), pl (Polish)",
    )

    hook = add_command(commands, "webhook", "register, show or remove the bot's webhook")
    hook_commands = hook.add_subparsers(dest="webhook_command", required=True, metavar="ACTION")
    add_command(hook_commands, "set", "point Telegram at WEBHOOK_URL with WEBHOOK_SECRET")
    add_command(hook_commands, "info", "what Telegram has: URL, updates waiting, last error")
    delete = add_command(hook_commands, "delete", "remove the webhook (to poll again)")
    delete.add_argument(
        "--drop-pending", action="store_true", help="also drop the updates Telegram holds"
    )

    db = add_command(commands, "db", "database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    add_command(db_commands, "upgrade", "apply database migrations")

    script = add_command(commands, "script", "interview scripts")
    script_commands = script.add_subparsers(dest="script_command", required=True, metavar="ACTION")
    check = add_command(script_commands, "check", "validate a script file")
    check.add_argument("file", type=Path)

    from bot.export_cli import add_export_arguments

    add_export_arguments(add_command(commands, "export", "export collected examples to a file"))
    add_command(commands, "stats", "examples by status, script and month; completion rate")

    digest = add_command(commands, "digest", "preview the staff digest, or send it now")
    digest_mode = digest.add_mutually_exclusive_group(required=True)
    digest_mode.add_argument(
        "--preview", action="store_true", help="print the next digest; send and record nothing"
    )
    digest_mode.add_argument(
        "--send", action="store_true", help="send the digest to the staff chat now (for cron)"
    )
    return parser


def read_environment(env_file: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The process environment over the ``.env`` file: real variables win."""
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(environ)
    return values


def adopt_new_duration_types(environ: MutableMapping[str, str]) -> None:
    """Durations as ``timedelta`` in python-telegram-bot (its next major version's type, which
    our code reads): without this opt-in every flood-control error warns of the change."""
    environ.setdefault("PTB_TIMEDELTA", "true")


def fail(message: str) -> int:
    print(f"copro-bot: {message}", file=sys.stderr)
    return EXIT_USAGE


async def _chat(
    settings: Settings, script_id: str | None, user_id: int, lang: str | None = None
) -> None:
    from rich.console import Console

    from bot.privacy import privacy_text
    from bot.terminal import TerminalChat
    from bot.wiring import build_service, open_database
    from conversations.model import Person

    database = await open_database(settings)
    try:
        service = build_service(settings, database)
        person = Person(user_id=user_id, chat_id=user_id, name="Terminal user", language=lang)
        privacy = privacy_text(settings)
        await TerminalChat(
            service, Console(), person=person, script_id=script_id, privacy=privacy
        ).run()
    finally:
        await database.dispose()


def _digest(settings: Settings, *, send: bool) -> int:
    if send and settings.telegram_bot_token is None:
        return fail(NO_TOKEN)
    if send and settings.staff_chat_id is None:
        return fail("setting STAFF_CHAT_ID: required for `copro-bot digest --send`")
    from bot.scheduler import digest_command

    ok, text = asyncio.run(digest_command(settings, send=send))
    if not ok:
        return fail(text)
    print(text)
    return 0


def _check_script(path: Path) -> int:
    from conversations.script import check_script_file

    problems = check_script_file(path)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    print(f"{path}: OK")
    return 0


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    adopt_new_duration_types(os.environ)
    if args.env_file is not None and not Path(args.env_file).is_file():
        return fail(f"--env-file: no such file {args.env_file!r}")
    if args.command == "script":
        return _check_script(args.file)
    try:
        settings = load_settings(read_environment(args.env_file or ".env", environ or os.environ))
    except SettingsError as error:
        return fail(f"setting {error}")
    from bot.log_format import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    # Third-party chatter (each HTTP request, each migration step) only when debugging.
    if settings.log_level != "DEBUG":
        for noisy in ("httpx", "alembic", "aiohttp.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.command == "chat":
            if args.script is not None:
                from bot.wiring import build_catalog

                catalog = build_catalog(settings)
                if catalog.get(args.script) is None:
                    known = ", ".join(sorted(catalog.ids))
                    return fail(f"unknown script {args.script!r}; choose from {known}")
            asyncio.run(_chat(settings, args.script, args.user, args.lang))
            return 0
        if args.command in ("export", "stats"):
            from bot.export_cli import run_export, run_stats
            from bot.wiring import utc_now

            if args.command == "stats":
                return run_stats(settings)
            return run_export(settings, args, utc_now())
        if args.command == "digest":
            return _digest(settings, send=args.send)
        if args.command == "webhook":
            if settings.telegram_bot_token is None:
                return fail(NO_TOKEN)
            from bot.webhook_cli import run_webhook_command

            ok, text = asyncio.run(run_webhook_command(settings, args))
            if not ok:
                return fail(text)
            print(text)
            return 0
        if args.command == "db":
            from storage.migrate import upgrade

            asyncio.run(upgrade(settings.database_url))
            print("database is up to date")
            return 0
        if args.command == "run":
            if settings.telegram_bot_token is None:
                return fail(NO_TOKEN)
            if args.webhook:
                for name, value in (
                    ("WEBHOOK_URL", settings.webhook_url),
                    ("WEBHOOK_SECRET", settings.webhook_secret),
                ):
                    if value is None:
                        return fail(f"setting {name}: required for `copro-bot run --webhook`")
            from bot.telegram_app import run_bot

            asyncio.run(run_bot(settings, webhook=args.webhook))
            return 0
    except SettingsError as error:
        return fail(f"setting {error}")
    except (OSError, DBAPIError, DatabaseUrlError) as error:
        message = f"cannot open the database ({settings.database_url}): {error}".splitlines()[0]
        return fail(scrub_password(message, settings.database_url))
    except ModuleNotFoundError as error:
        if error.name != "asyncpg":
            raise
        return fail(
            "PostgreSQL needs the asyncpg driver: pip install 'copro-bot[postgres]' "
            "(or pip install asyncpg)"
        )
    except KeyboardInterrupt:
        return 0
    return fail(f"unknown command {args.command!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
