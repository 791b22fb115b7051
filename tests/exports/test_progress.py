"""The terminal progress bar counts exported examples."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from storage.exports import ExportFilters, export
from storage.exports.progress import rich_progress
from tests.exports.factories import make_example, source


async def test_rich_progress_shows_the_running_count(tmp_path: Path) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=False, width=100)

    with rich_progress("Exporting csv", total=3, console=console) as progress:
        await export(
            source([make_example(n) for n in range(3)]),
            "csv",
            tmp_path / "out.csv",
            filters=ExportFilters(),
            progress=progress,
        )

    assert "Exporting csv" in screen.getvalue()
    assert "3/3" in screen.getvalue()
