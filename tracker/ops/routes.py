"""Health checks: cheap, anonymous, without a session, and left out of the request log."""

from typing import Any

from flask import current_app, jsonify
from sqlalchemy import text

from tracker.extensions import db
from tracker.ops import bp


@bp.get("/healthz")
def healthz():
    """Answer that the process runs (nothing else is checked)."""
    return current_app.response_class("ok\n", mimetype="text/plain")


@bp.get("/readyz")
def readyz():
    """Answer whether this process can serve: database, migrations, Redis when configured."""
    checks: dict[str, Any] = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "redis": _check(_redis),
    }
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return jsonify(ready=ready, checks=checks), 200 if ready else 503


def _check(probe) -> str:
    try:
        return probe()
    except Exception as error:  # the answer says what failed, the log has the rest
        current_app.logger.warning("readiness check %s failed: %s", probe.__name__, error)
        return f"failed: {type(error).__name__}"
    finally:
        db.session.rollback()


def _database() -> str:
    db.session.execute(text("SELECT 1"))
    return "ok"


def _migrations() -> str:
    current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    head = _head_revision()
    return "ok" if current == head else f"at {current}, code expects {head}"


def _head_revision() -> str:
    heads = current_app.extensions.setdefault("tracker_migration_head", [])
    if not heads:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", current_app.extensions["migrate"].directory)
        heads.append(ScriptDirectory.from_config(config).get_current_head())
    return heads[0]


def _redis() -> str:
    # The job queue and the rate limit may use one Redis server, or two.
    urls = {current_app.config.get("REDIS_URL") or ""}
    storage = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith("redis"):
        urls.add(storage)
    urls.discard("")
    if not urls:
        return "not configured"
    from redis import Redis

    for url in urls:
        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    return "ok"
