"""A server process's Python heap: what it builds once kept out of the collector's way.

A worker builds the app when it starts and, on its first requests, the templates, SQL
statements and message catalogues it serves with: about 200,000 Python objects that live
as long as the process. Python's cyclic garbage collector scans all of them in every full
collection, which took about 100 ms each time and fell on whatever request was running
(one dashboard in ten or so). :func:`gc.freeze` moves the objects alive at that moment to
a generation no collection scans; what requests make is collected as before.
"""

import gc
import itertools

from flask import Flask

# The first requests of a process fill its template and statement caches.
WARM_UP_REQUESTS = 50


def freeze() -> None:
    """Collect what is garbage now, then leave every object still alive out of later
    collections (they are still freed when nothing refers to them)."""
    gc.collect()
    gc.freeze()


def freeze_when_warm(app: Flask, requests: int = WARM_UP_REQUESTS) -> None:
    """Freeze the heap now, and once more after the process's first ``requests`` requests.

    For the server's entry point (wsgi.py), once per process: a process that builds many
    apps, such as the tests, would keep every one of them.
    """
    freeze()
    served = itertools.count(1)

    @app.teardown_request
    def _freeze_once_warm(_error: BaseException | None) -> None:
        if next(served) == requests:
            freeze()
