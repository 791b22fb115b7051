"""A terminal progress bar for exports (rich), shaped as the ``progress`` callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def rich_progress(
    description: str = "Exporting",
    total: int | None = None,
    console: Console | None = None,
) -> Iterator[Callable[[int], None]]:
    """Show a bar while the block runs; yields the callback to pass to ``export``.

    ``total`` may be unknown (a streamed query): the bar then pulses and counts.
    """
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(count: int) -> None:
            bar.update(task, completed=count)

        yield update
