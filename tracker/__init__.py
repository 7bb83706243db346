"""The mobility plan tracker: create_app() builds the Flask application."""

import logging
import os
from pathlib import Path

from flask import Flask, has_request_context, render_template, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config
from tracker import sqlite  # noqa: F401 - its engine events apply to every SQLite connection
from tracker.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Create and configure an app; ``config_class`` defaults to TRACKER_ENV's class."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("TRACKER_ENV", "development")]
    logging.basicConfig(level=logging.INFO)  # before the check, which may warn
    config_class.check()

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.config["CONFIG_CLASS"] = config_class
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite'}"
        )
    _trust_proxies(app)

    db.init_app(app)
    from tracker import pool

    pool.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from tracker import jobs, reads, requestlog, web

    reads.init_app(app)
    requestlog.init_app(app)  # first of all: it times the whole request
    web.init_app(app)
    jobs.init_app(app)
    _register_blueprints(app)
    _register_error_pages(app)

    from tracker.cli import register_cli

    register_cli(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the headers of TRACKER_PROXY_HOPS proxies."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Each trusted proxy appends one entry; entries further left came from the client
        # and are ignored. The Host header is passed on by the proxy itself, so a client's
        # X-Forwarded-Host is never trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def select_locale() -> str | None:
    """Pick the user's saved language, else the browser's best match."""
    from flask import current_app

    if not has_request_context():
        return None  # the CLI and cron jobs use the default locale
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return browser_locale(languages)


# Browsers may ask for Norwegian in general ("no") or for nynorsk ("nn"): bokmål serves both.
_LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}


def browser_locale(languages: tuple[str, ...]) -> str | None:
    """Return the browser's most preferred language among ``languages``, regions ignored."""
    for tag, quality in request.accept_languages:  # most preferred first
        primary = tag.replace("_", "-").split("-")[0].lower()
        primary = _LANGUAGE_ALIASES.get(primary, primary)
        if quality > 0 and primary in languages:
            return primary
    return None


def _register_blueprints(app: Flask) -> None:
    from tracker.admin import bp as admin_bp
    from tracker.api import bp as api_bp
    from tracker.auth import bp as auth_bp
    from tracker.coordinator import bp as coordinator_bp
    from tracker.main import bp as main_bp
    from tracker.ops import bp as ops_bp
    from tracker.plans import bp as plans_bp
    from tracker.privacy import bp as privacy_bp
    from tracker.reports import bp as reports_bp
    from tracker.review import bp as review_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(review_bp)


def _register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)

    def concurrent_change(_error: StaleDataError):
        # Someone else changed the record between reading and writing it: never a 500.
        db.session.rollback()
        return render_template("errors/error.html", code=409), 409

    app.register_error_handler(StaleDataError, concurrent_change)
