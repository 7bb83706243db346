"""A short run of bench/sqlite_writers_bench.py: SQLite under gunicorn and concurrent writers.

The full run (20 writers for 60 s) is the benchmark's; here 8 writers for 5 s must
already show no "database is locked", no server error and no lost update.
"""

import sys

from tracker import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import sqlite_writers_bench  # noqa: E402


def test_concurrent_writers_on_sqlite_lose_nothing_and_never_see_a_lock(app):
    figures = sqlite_writers_bench.run(writers=8, seconds=5, workers=4)
    assert figures["saved"] > 0, figures
    assert figures["lost"] == 0, figures
    assert figures["locked"] == 0 and figures["errors"] == 0, figures
