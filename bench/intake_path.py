"""The way in alone: CPU, transactions and SQL statements per answered update.

``bench/updates.py`` times whole processes; this runs the intake in-process so that the
cost of taking an update in (parse, redelivery check, staff check, the interview
transaction) is measured apart from the sender's (printed beside it, with the in-process
fake's share of each call): the real ``Application`` and ``Intake`` of ``copro-bot run``,
against the in-tree fake Bot API, batches handed to ``process_batch`` as polling hands them.
Contributors are brought mid-interview first (not measured); then every chat answers
``--rounds`` times, one batch per round (text answers, or the first button of the bot's last
message). Printed per database: CPU ms per update inside ``process_batch`` and in the
sender, transactions and statements per update (``--statements`` lists them; ``--profile FILE``
writes a cProfile of the measured ``process_batch`` calls). Asserts nothing.

    .venv/bin/python bench/intake_path.py --databases sqlite,postgresql --chats 100 --rounds 6
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from bench.updates import ANSWER, scratch_database  # noqa: E402

TOKEN = "123456:BENCH-TOKEN-intake-0123456789"
JSON = dict[str, Any]


def next_action(user: Any, last: JSON | None) -> None:
    """What a contributor does next: the first forward button of the bot's last message,
    else a text answer."""
    rows = ((last or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [b for row in rows for b in row if "callback_data" in b]
    for button in buttons:
        label = str(button["text"])
        if label in ("Skip", "⬅ Back", "Back") or label.startswith(("✅", "✖", "✏")):
            continue
        user.press(last, str(button["callback_data"]))
        return
    user.send_text(ANSWER)


async def run(
    database: str,
    chats: int,
    rounds: int,
    folder: Path,
    show: bool = False,
    profiler: cProfile.Profile | None = None,
) -> tuple[float, float, float, float]:
    from bot.intake import Intake
    from bot.settings import load_settings
    from bot.telegram_app import ContributorHandlers, build_application, process_batch, sender_of
    from bot.wiring import build_service, open_database
    from tests.e2e.fake_bot_api import FakeBotApi

    async with FakeBotApi(TOKEN) as fake, scratch_database(database, folder) as url:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": fake.url,
                "DATABASE_URL": url,
                "SEND_RATE_LIMIT": "1000",
                "LOG_LEVEL": "WARNING",
            }
        )
        db = await open_database(settings)
        service = build_service(settings, db)
        application = build_application(settings, service)
        sender = sender_of(application)
        contributors = ContributorHandlers(settings, service, sender)

        async def apology(_update: Any) -> str:
            return "sorry"

        intake = Intake(
            application,
            db,
            service.clock,
            apology,
            owe=contributors.owe,
            fast=contributors.take_action,  # as ``copro-bot run`` takes updates in
            staff=settings.staff_user_ids | settings.admin_user_ids,
        )
        intake.install()
        users = [fake.user(user_id=5000 + n, first_name=f"P{n}") for n in range(chats)]
        counts = {"statements": 0, "begins": 0, "on": 0}
        sending = [0.0]  # CPU seconds the sender took delivering the measured rounds' replies
        kinds: dict[str, int] = {}

        def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
            if not counts["on"]:
                return
            counts["statements"] += 1
            key = " ".join(statement.split())[:70]
            kinds[key] = kinds.get(key, 0) + 1

        def began(_connection: object) -> None:
            counts["begins"] += counts["on"]

        async def settle() -> None:
            """Let the sender deliver everything owed (the bot's last messages), then stop
            it, so that what is counted below is the intake's alone."""
            stop = asyncio.Event()
            sending = asyncio.create_task(sender.run(stop))
            while True:
                async with db.engine.connect() as connection:
                    pending = text("SELECT count(*) FROM outbox WHERE state = 'pending'")
                    if not (await connection.execute(pending)).scalar():
                        break
                sender.wake()
                await asyncio.sleep(0.01)
            stop.set()
            sender.wake()
            with contextlib.suppress(asyncio.CancelledError):
                await sending

        async def one_round(first: bool, *, counted: bool = False) -> float:
            with fake.capture_updates() as batch:
                for user in users:
                    if first:
                        user.send_command("start")
                    else:
                        sent = fake.sent_messages(user.chat_id)
                        next_action(user, sent[-1] if sent else None)
            counts["on"] = int(counted)
            if counted and profiler is not None:
                profiler.enable()
            started = time.process_time()
            await process_batch(intake, batch)
            spent = time.process_time() - started
            if counted and profiler is not None:
                profiler.disable()
            counts["on"] = 0
            started = time.process_time()
            await settle()
            if counted:
                sending[0] += time.process_time() - started
            return spent

        async with application:
            await one_round(True)
            for _ in range(2):  # consent, the project: mid-interview from here
                await one_round(False)
            event.listen(db.engine.sync_engine, "before_cursor_execute", record)
            event.listen(db.engine.sync_engine, "begin", began)
            spent = 0.0
            statements = begins = 0
            for _ in range(rounds):
                counts.update(statements=0, begins=0)
                spent += await one_round(False, counted=True)
                statements += counts["statements"]
                begins += counts["begins"]
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
            event.remove(db.engine.sync_engine, "begin", began)
        await db.dispose()
    updates = chats * rounds
    if show:
        for key, count in sorted(kinds.items(), key=lambda item: -item[1]):
            print(f"  {count / updates:6.2f}  {key}")
    return (
        spent * 1000 / updates,
        sending[0] * 1000 / updates,
        begins / updates,
        statements / updates,
    )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(
            "database    chats  CPU ms/upd (process_batch)  (sender)  transactions/upd"
            "  statements/upd"
        )
        for database in args.databases.split(","):
            profiler = cProfile.Profile(time.process_time) if args.profile else None
            cpu, sender_cpu, begins, statements = await run(
                database, args.chats, args.rounds, Path(folder), args.statements, profiler
            )
            if profiler is not None:
                profiler.dump_stats(f"{args.profile}.{database}")
            print(
                f"{database:<10} {args.chats:>6}  {cpu:>25.2f}  {sender_cpu:>8.2f}  {begins:>16.2f}"
                f"  {statements:>14.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile of process_batch, to FILE.<database>"
    )
    parser.add_argument(
        "--statements", action="store_true", help="list the statements run per update"
    )
    asyncio.run(main(parser.parse_args()))
