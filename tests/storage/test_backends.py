"""A run without a reachable PostgreSQL reports its PostgreSQL variants as skipped, with
the reason, instead of silently collecting fewer tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ONE_TEST = "tests/storage/test_migrate.py::test_empty_database_has_no_revision"


def run_pytest(test_database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    if test_database_url is not None:
        env["TEST_DATABASE_URL"] = test_database_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_TEST, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (None, "set TEST_DATABASE_URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "unreachable"),
    ],
    ids=["unset", "unreachable"],
)
def test_postgresql_variants_are_reported_as_skipped_with_the_reason(
    url: str | None, reason: str
) -> None:
    result = run_pytest(url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1 and reason in skipped[0], result.stdout
