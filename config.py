"""Configuration classes, read from ``TRACKER_*`` environment variables."""

import logging
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"TRACKER_{name}", default)


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool = False) -> bool:
    return (_env(name) or ("1" if default else "0")).strip().lower() in {"1", "true", "yes", "on"}


def _body_limit(upload_mb: int) -> int:
    # The extra 64 KiB leave room for the form around a file of the full size.
    return upload_mb * 1024 * 1024 + 64 * 1024


log = logging.getLogger("tracker")


DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    # None means: a SQLite file in the instance folder (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    # No ping on every checkout: tracker.pool pings connections that sat unused.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    # How many connections one request may read the statistics on at once (PostgreSQL;
    # tracker.queries.together); 1: one statement after another on its own.
    QUERY_CONNECTIONS = max(1, _env_int("QUERY_CONNECTIONS", 3))

    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_FROM = _env("MAIL_FROM", "mobility-tracker@localhost")
    # An undelivered message is retried with backoff, then failed after this many hours.
    MAIL_GIVE_UP_HOURS = _env_int("MAIL_GIVE_UP_HOURS", 48)
    # "json": every log line (the request log included) is a JSON object.
    LOG_FORMAT = (_env("LOG_FORMAT") or "text").strip().lower()
    # Background jobs (e-mail, large PDFs) on RQ; without it they run in-process.
    REDIS_URL = _env("REDIS_URL")
    # "smtp" sends through MAIL_SERVER; "log" writes each message to the log with its
    # set-password links hidden. Unset: smtp with a server, else log (production refuses that).
    MAIL_BACKEND = (_env("MAIL_BACKEND") or "").strip().lower() or None
    # Development only: also print whole messages, links included, to the terminal.
    MAIL_ECHO = False

    # Counting rules of the targets (DESIGN §4).
    HOME_COUNTRY = (_env("HOME_COUNTRY", "NO") or "NO").upper()
    MIN_STAY_DAYS = _env_int("MIN_STAY_DAYS", 28)
    PHD_TARGET_PERCENT = _env_int("PHD_TARGET_PERCENT", 40)
    POSTDOC_TARGET_PERCENT = _env_int("POSTDOC_TARGET_PERCENT", 30)
    # New permanent staff complete a stay within three years "as a rule": everyone.
    STAFF_TARGET_PERCENT = _env_int("STAFF_TARGET_PERCENT", 100)
    PLAN_DUE_DAYS = _env_int("PLAN_DUE_DAYS", 30)
    ACTIVITY_TARGET_PERCENT = _env_int("ACTIVITY_TARGET_PERCENT", 100)
    # A historical figure to show next to each target, written "25 % in 2012"; unset: none.
    PHD_BASELINE = _env("PHD_BASELINE")
    POSTDOC_BASELINE = _env("POSTDOC_BASELINE")
    STAFF_BASELINE = _env("STAFF_BASELINE")
    ANY_SUPERVISOR_MAY_APPROVE = _env_bool("ANY_SUPERVISOR_MAY_APPROVE")

    # Links in e-mails are built outside requests (CLI, cron) from this base.
    BASE_URL = (_env("BASE_URL", "http://127.0.0.1:5000") or "").rstrip("/")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105
    PASSWORD_TOKEN_MAX_AGE = _env_int("PASSWORD_TOKEN_MAX_AGE", 3 * 24 * 3600)

    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # How many reverse proxies in front of the app append to X-Forwarded-For/-Proto; with 0
    # those headers are ignored, as anyone can send them.
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Enforced server-side from times kept in the signed session (tracker.web).
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 120)
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
    # Larger request bodies are refused with 413 before they are read.
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 5)
    MAX_CONTENT_LENGTH = _body_limit(MAX_UPLOAD_MB)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    # The institution's time zone: every time a person reads is shown in it, zone named.
    TIMEZONE = (_env("TIMEZONE") or "Europe/Oslo").strip()
    LANGUAGES = ("en", "nb")
    PER_PAGE = 50
    # Larger summaries are made by a background job, with a page that shows the progress:
    # one of 1,000 candidates takes about 8 s to make (docs/PERFORMANCE.md).
    PDF_BACKGROUND_OVER = _env_int("PDF_BACKGROUND_OVER", 1_000)
    HSTS = False
    # A CSV import of more data rows is refused without reading the rest (DESIGN §5).
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 50_000)

    # Log-in with the institution's account (OpenID Connect); off without an issuer.
    OIDC_ISSUER = (_env("OIDC_ISSUER") or "").strip() or None
    OIDC_CLIENT_ID = _env("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET")
    OIDC_SCOPES = " ".join((_env("OIDC_SCOPES") or "openid email profile").split())
    # The claim that names the person; "email" links only a verified address.
    OIDC_USER_CLAIM = (_env("OIDC_USER_CLAIM") or "email").strip()
    # The button's text (e.g. "Log in with Feide"), and in bokmål; unset: a general text.
    OIDC_LABEL = _env("OIDC_LABEL")
    OIDC_LABEL_NB = _env("OIDC_LABEL_NB")
    OIDC_CREATE_USERS = _env_bool("OIDC_CREATE_USERS")
    # Off: no password log-in for anyone; administrators get in with `flask login-link`.
    LOCAL_LOGIN = _env_bool("LOCAL_LOGIN", default=True)
    # Shown to people the tracker does not know, as whom to ask for an account.
    SUPPORT_EMAIL = _env("SUPPORT_EMAIL")
    # Personal data (README "Personal data"): who answers for it, whom to ask, how long
    # it is kept after a person's last enrolment ends (`flask privacy retention`).
    RETENTION_YEARS = _env_int("RETENTION_YEARS", 5)
    CONTROLLER_NAME = _env("CONTROLLER_NAME")
    PRIVACY_CONTACT = _env("PRIVACY_CONTACT")
    ACCESSIBILITY_CONTACT = _env("ACCESSIBILITY_CONTACT")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that cannot work, with a message naming the variable."""
        if cls.OIDC_ISSUER and not (cls.OIDC_CLIENT_ID and cls.OIDC_CLIENT_SECRET):
            raise RuntimeError(
                "TRACKER_OIDC_ISSUER needs TRACKER_OIDC_CLIENT_ID and TRACKER_OIDC_CLIENT_SECRET."
            )
        if cls.OIDC_ISSUER and "openid" not in cls.OIDC_SCOPES.split():
            raise RuntimeError("TRACKER_OIDC_SCOPES must include openid.")
        if not cls.LOCAL_LOGIN and not cls.OIDC_ISSUER:
            raise RuntimeError(
                "TRACKER_LOCAL_LOGIN=0 needs TRACKER_OIDC_ISSUER: nobody could log in otherwise."
            )
        try:
            ZoneInfo(cls.TIMEZONE)
        except (ValueError, ZoneInfoNotFoundError):
            raise RuntimeError(
                f"TRACKER_TIMEZONE: {cls.TIMEZONE!r} is no time zone (e.g. Europe/Oslo)."
            ) from None
        if cls.MAIL_BACKEND not in (None, "smtp", "log"):
            raise RuntimeError("TRACKER_MAIL_BACKEND must be smtp or log.")
        if cls.MAIL_BACKEND == "smtp" and not cls.MAIL_SERVER:
            raise RuntimeError("TRACKER_MAIL_BACKEND=smtp needs TRACKER_MAIL_SERVER.")
        if cls.PROXY_HOPS < 0:
            raise RuntimeError("TRACKER_PROXY_HOPS must be 0 or more.")
        # The one parser of a baseline; imported here, when the app starts, not with config.
        from tracker.domain.targets import parse_baseline

        for name in ("PHD_BASELINE", "POSTDOC_BASELINE", "STAFF_BASELINE"):
            try:
                parse_baseline(getattr(cls, name))
            except ValueError as bad:
                raise RuntimeError(f"TRACKER_{name}: {bad}.") from None
        positive = ("MAX_UPLOAD_MB", "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "RETENTION_YEARS")
        for name in positive:
            if getattr(cls, name) <= 0:
                raise RuntimeError(f"TRACKER_{name} must be more than 0.")


class DevelopmentConfig(Config):
    """Local development: `make run`."""

    DEBUG = False
    # Whoever runs `make run` needs the set-password links the log hides.
    MAIL_ECHO = True


class ProductionConfig(Config):
    """Production behind HTTPS; refuses to start without a real secret key."""

    # "__Host-" makes browsers refuse the cookie unless it is Secure, for the whole site
    # (Path=/) and without a Domain, so no subdomain can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    # Log-in offers no "remember me"; should it ever, its cookie is bound the same way.
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @classmethod
    def check(cls) -> None:
        """Refuse to run with the development secret key or without a way to send e-mail."""
        super().check()
        key = cls.SECRET_KEY
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "Set TRACKER_SECRET_KEY to a random string of at least 32 characters."
            )
        if not cls.MAIL_SERVER and cls.MAIL_BACKEND != "log":
            raise RuntimeError(
                "Set TRACKER_MAIL_SERVER, or TRACKER_MAIL_BACKEND=log to write e-mails to the "
                "log instead of sending them."
            )
        if cls.OIDC_ISSUER and not cls.OIDC_ISSUER.startswith("https://"):
            raise RuntimeError("TRACKER_OIDC_ISSUER must be an https:// address.")
        if cls.MAIL_BACKEND == "log":
            log.warning(
                "TRACKER_MAIL_BACKEND=log: e-mails are written to the log, not sent, and "
                "set-password links are hidden there; nobody receives invitations or resets."
            )


class TestConfig(Config):
    """The test suite: its own database, no e-mail server, CSRF checked in its own tests."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL")
    WTF_CSRF_ENABLED = False
    MAIL_SERVER = None
    REDIS_URL = None  # the in-process default; the RQ tests point at Redis themselves
    MAIL_BACKEND = None
    PROXY_HOPS = 0
    MAX_UPLOAD_MB = 5
    MAX_CONTENT_LENGTH = _body_limit(MAX_UPLOAD_MB)
    SESSION_IDLE_MINUTES = 120
    SESSION_MAX_HOURS = 12
    HOME_COUNTRY = "NO"
    MIN_STAY_DAYS = 28
    PHD_TARGET_PERCENT = 40
    POSTDOC_TARGET_PERCENT = 30
    STAFF_TARGET_PERCENT = 100
    PLAN_DUE_DAYS = 30
    ACTIVITY_TARGET_PERCENT = 100
    PHD_BASELINE = None
    POSTDOC_BASELINE = None
    STAFF_BASELINE = None
    ANY_SUPERVISOR_MAY_APPROVE = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Fast hashing keeps the suite quick.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    IMPORT_MAX_ROWS = 50_000
    # The log-in tests point these at their own provider.
    OIDC_ISSUER = None
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_SCOPES = "openid email profile"
    OIDC_USER_CLAIM = "email"
    OIDC_LABEL = None
    OIDC_LABEL_NB = None
    OIDC_CREATE_USERS = False
    LOCAL_LOGIN = True
    SUPPORT_EMAIL = None
    RETENTION_YEARS = 5
    TIMEZONE = "Europe/Oslo"
    CONTROLLER_NAME = None
    PRIVACY_CONTACT = None
    ACCESSIBILITY_CONTACT = None


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}
