"""The server's heap is kept out of the garbage collector's way (tracker.heap, wsgi.py)."""

import os
import subprocess
import sys
from pathlib import Path

from tracker.heap import WARM_UP_REQUESTS

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter, as gunicorn starts a worker: what the app holds is frozen once it
# is built, and what the process keeps from its first requests once they are served.
CHILD = f"""
import gc
from wsgi import app

built = gc.get_freeze_count()
client = app.test_client()
for _ in range({WARM_UP_REQUESTS} - 1):
    assert client.get("/healthz").status_code == 200
kept = [[] for _ in range(1000)]
before = gc.get_freeze_count()
assert client.get("/healthz").status_code == 200
after = gc.get_freeze_count()
assert client.get("/healthz").status_code == 200
print(built, before, after, gc.get_freeze_count())
"""


def test_the_server_freezes_its_heap_when_built_and_once_warm(tmp_path):
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path)}
    env.pop("TRACKER_ENV", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHILD],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    built, before, after, later = map(int, result.stdout.split()[-4:])
    # The app's modules, models and extensions: many thousands of objects.
    assert built > 50_000
    # Nothing more until the warm-up requests are served (a frozen object that nothing
    # refers to any more is still freed); then what they kept, once.
    assert before <= built
    assert after >= before + 1000
    assert later <= after
