"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

from tracker import create_app, heap

app = create_app()
# Each worker imports this module once: what it builds to serve is scanned by no
# garbage collection (tracker.heap).
heap.freeze_when_warm(app)
