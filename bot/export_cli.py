"""``copro-bot export`` and ``copro-bot stats``: the admin's exports and the staff figures
from the command line.

Bad arguments end in one line on stderr and exit code 2, like every other command. Dates
are days in the organisation's ``TIMEZONE``; ``--until`` includes the day it names.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from bot.settings import Settings
from storage.exports.model import STATUSES, ExportFilters

EXIT_USAGE = 2
# For --help without loading the writers; a test checks it against EXPORT_FORMATS.
FORMATS: tuple[str, ...] = ("csv", "jsonl", "json", "md", "xlsx", "docx", "docx-zip")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Exports hold personal data: by default they go to a folder that git ignores wherever it is
# (its own ``.gitignore`` says ``*``), so they are not committed by accident.
EXPORTS_FOLDER = Path("exports")


class UsageError(ValueError):
    """An argument that cannot be used; the message is the one line shown."""


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        dest="fmt",
        default="csv",
        metavar="FORMAT",
        help=f"one of {', '.join(FORMATS)} (default: csv)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help=(
            "file or folder to write (default: exports/copro-examples-<UTC time>.<ext>; "
            "that folder is git-ignored, as exports hold personal data)"
        ),
    )
    parser.add_argument(
        "--status",
        action="append",
        default=None,
        metavar="STATUS",
        help=f"only these statuses: repeat it or give a comma list ({', '.join(STATUSES)})",
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="submitted on or after this day")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="submitted on or before this day")
    parser.add_argument("--script", metavar="ID", help="only this interview script, e.g. spotted")
    parser.add_argument(
        "--include-raw",
        action="store_true",
        help="also export raw answers (never those of contributors who erased their data)",
    )


def parse_day(text: str, option: str) -> date:
    if not _DAY.match(text):
        raise UsageError(f"{option}: expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date") from None


def parse_statuses(values: list[str] | None) -> frozenset[str] | None:
    if not values:
        return None
    chosen = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(chosen - set(STATUSES))
    if unknown:
        raise UsageError(
            f"--status: unknown {', '.join(unknown)}; choose from {', '.join(STATUSES)}"
        )
    return frozenset(chosen)


def filters_from(args: argparse.Namespace, timezone: tzinfo) -> ExportFilters:
    """The export filters the arguments ask for (raises :class:`UsageError`)."""
    from storage.exports import EXPORT_FORMATS

    if args.fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format: unknown {args.fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    since = until = None
    if args.since:
        since = datetime.combine(parse_day(args.since, "--since"), time(), tzinfo=timezone)
    if args.until:
        last = parse_day(args.until, "--until")
        until = datetime.combine(last + timedelta(days=1), time(), tzinfo=timezone)
    if since is not None and until is not None and since >= until:
        raise UsageError("--since is after --until")
    return ExportFilters(
        status=parse_statuses(args.status),
        since=since,
        until=until,
        script=args.script or None,
        include_raw=bool(args.include_raw),
    )


def run_export(settings: Settings, args: argparse.Namespace, now: datetime) -> int:
    """Export as ``args`` ask; prints one summary line (a progress bar too, on a terminal)."""
    try:
        filters = filters_from(args, settings.timezone)
    except UsageError as error:
        return _fail(f"export {error}")
    from storage.exports import default_file_name

    output: Path = args.output or exports_folder() / default_file_name(args.fmt, now)
    if output.is_dir():
        output = output / default_file_name(args.fmt, now)
    if not output.parent.is_dir():
        return _fail(f"export --output: no such folder {str(output.parent)!r}")
    try:
        count = asyncio.run(_export(settings, args.fmt, output, filters, now))
    except PermissionError as error:
        return _fail(f"export: cannot write {str(output)!r}: {error.strerror}")
    print(f"exported {count} {'example' if count == 1 else 'examples'} to {output}")
    if args.output is None:
        print(f"({EXPORTS_FOLDER}/ is git-ignored: exports hold personal data)")
    return 0


def exports_folder() -> Path:
    """``exports/`` in the working folder, made on first use with a ``.gitignore`` of ``*``."""
    EXPORTS_FOLDER.mkdir(exist_ok=True)
    ignore = EXPORTS_FOLDER / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Exports hold personal data: never commit them.\n*\n")
    return EXPORTS_FOLDER


async def _export(
    settings: Settings, fmt: str, output: Path, filters: ExportFilters, now: datetime
) -> int:
    from rich.console import Console

    from bot.wiring import open_database
    from storage.export_parallel import export_database
    from storage.export_source import count_examples
    from storage.exports.progress import rich_progress

    database = await open_database(settings)
    try:
        if sys.stderr.isatty():
            total = await count_examples(database, filters)
            with rich_progress("Exporting", total, Console(stderr=True)) as progress:
                result = await export_database(
                    database, fmt, output, filters=filters, progress=progress, exported_at=now
                )
        else:
            result = await export_database(database, fmt, output, filters=filters, exported_at=now)
        return result.count
    finally:
        await database.dispose()


def run_stats(settings: Settings) -> int:
    """Print what ``/stats`` shows staff."""
    print(asyncio.run(_stats(settings)))
    return 0


async def _stats(settings: Settings) -> str:
    from bot.wiring import open_database
    from storage.intake import parked_count
    from storage.stats import collect_stats

    database = await open_database(settings)
    try:
        text = (await collect_stats(database, settings.timezone)).text()
        parked = await parked_count(database)
        if parked:  # for the operator: updates that could not be used, kept with their error
            text += f"\nParked updates (see the parked_updates table): {parked}"
        return text
    finally:
        await database.dispose()


def _fail(message: str) -> int:
    print(f"copro-bot: {message}", file=sys.stderr)
    return EXIT_USAGE
