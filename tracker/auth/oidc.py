"""The institution's OpenID Provider, reached through Authlib's Flask client.

Authlib runs the authorization code flow with PKCE (S256), state and nonce, keeps them
in the session until the callback, and checks the ID token: its signature against the
keys of the provider's JWKS (fetched again, once, when a token names a key it does not
know), issuer, audience, expiry and nonce. Around it this module keeps one client per
set of settings, turns every way a log-in can fail into one typed error, joins the
userinfo answer to the token's claims, and builds the end-session address for log-out.
"""

import enum
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import current_app, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from tracker.mail import external_url

# The registered client's name; Authlib keeps each log-in's state under "_state_<name>_…".
CLIENT_NAME = "provider"
_STATE_PREFIX = f"_state_{CLIENT_NAME}_"
_CLIENTS = "tracker.oidc"
TIMEOUT_SECONDS = 10
# How far the provider's clock may be off ours when token times are checked.
LEEWAY_SECONDS = 120


class Failure(enum.StrEnum):
    CANCELLED = "cancelled"  # the person cancelled at the provider, or it declined
    STATE = "state"  # the answer belongs to no log-in started in this browser (replayed, old)
    INVALID_ANSWER = "invalid_answer"  # the ID token or the answer failed a check
    UNREACHABLE = "unreachable"  # the provider did not answer in time
    PROVIDER_ERROR = "provider_error"  # the provider answered with an error or nonsense


class ProviderError(Exception):
    """A log-in through the provider failed; ``failure`` says how, ``detail`` for the log."""

    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail


def is_configured() -> bool:
    """Return whether log-in through an OpenID Provider is set up."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def button_label() -> str:
    """Return the text of the log-in button in the page's language."""
    config = current_app.config
    if str(get_locale()) == "nb" and config.get("OIDC_LABEL_NB"):
        return config["OIDC_LABEL_NB"]
    return config.get("OIDC_LABEL") or _("Log in with your institution's account")


def discovery_url(issuer: str) -> str:
    """Return the address of the provider's discovery document (OpenID Connect Discovery)."""
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def redirect_uri() -> str:
    """Return the callback address registered at the provider: {BASE_URL}/auth/oidc/callback."""
    return external_url(url_for("auth.oidc_callback"))


def _client() -> FlaskOAuth2App:
    """Return the Authlib client for the current settings, made at its first use."""
    config = current_app.config
    settings = tuple(
        config[name]
        for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SCOPES")
    )
    clients: dict[tuple, FlaskOAuth2App] = current_app.extensions.setdefault(_CLIENTS, {})
    client = clients.get(settings)
    if client is None:
        issuer, client_id, client_secret, scopes = settings
        oauth = OAuth(current_app._get_current_object())  # type: ignore[attr-defined]
        client = oauth.register(
            CLIENT_NAME,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=discovery_url(issuer),
            client_kwargs={
                "scope": scopes,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )
        # Settings changed (only tests do that while running): forget the old keys and all.
        clients.clear()
        clients[settings] = client
    return client


def _metadata(client: FlaskOAuth2App) -> dict[str, Any]:
    """Return the discovery document, checked to name the configured issuer."""
    try:
        metadata = client.load_server_metadata()
    except requests.RequestException as error:
        raise ProviderError(Failure.UNREACHABLE, f"discovery: {error}") from None
    except ValueError as error:
        raise ProviderError(Failure.PROVIDER_ERROR, f"discovery: {error}") from None
    issuer = current_app.config["OIDC_ISSUER"]
    if metadata.get("issuer") != issuer:
        current_app.extensions.get(_CLIENTS, {}).clear()  # read it again next time
        raise ProviderError(
            Failure.PROVIDER_ERROR,
            f"the discovery document names the issuer {metadata.get('issuer')!r}; set "
            f"TRACKER_OIDC_ISSUER to exactly that, not {issuer!r}",
        )
    return metadata


def authorization_redirect() -> Response:
    """Start a log-in: remember state, nonce and PKCE verifier, and send the browser off."""
    client = _client()
    _metadata(client)
    # One log-in at a time per browser: abandoned ones would only fill the session cookie.
    for key in [key for key in session if key.startswith(_STATE_PREFIX)]:
        session.pop(key)
    try:
        return client.authorize_redirect(redirect_uri(), ui_locales=str(get_locale() or "en"))
    except (AuthlibBaseError, RuntimeError, ValueError) as error:
        raise ProviderError(Failure.PROVIDER_ERROR, f"authorization: {error}") from None


def complete_login() -> tuple[dict[str, Any], str]:
    """Check the provider's answer at the callback; return its claims and the ID token.

    The state is used up whatever happens, so the same answer never works twice.
    """
    client = _client()
    metadata = _metadata(client)
    args = request.args
    error = args.get("error")
    if error or args.get("iss", metadata["issuer"]) != metadata["issuer"]:
        session.pop(f"{_STATE_PREFIX}{args.get('state')}", None)
        if error == "access_denied":
            raise ProviderError(Failure.CANCELLED, args.get("error_description", ""))
        if error:
            raise ProviderError(Failure.PROVIDER_ERROR, f"{error}: {args.get('error_description')}")
        # RFC 9207: an answer from another issuer than the one asked (a mix-up attack).
        raise ProviderError(Failure.INVALID_ANSWER, f"answer from issuer {args.get('iss')!r}")
    token = _fetch_token(client, metadata["issuer"])
    claims = dict(token["userinfo"])
    if metadata.get("userinfo_endpoint"):
        info = _call(lambda: client.userinfo(token=token), "userinfo")
        if info.get("sub") != claims["sub"]:
            raise ProviderError(Failure.INVALID_ANSWER, "userinfo names another subject")
        # The signed ID token's claims win where both name one.
        claims = {**info, **claims}
    return claims, token["id_token"]


def _fetch_token(client: FlaskOAuth2App, issuer: str) -> dict[str, Any]:
    """Trade the code for tokens and check the ID token; the provider's error if it fails."""
    options = {
        "iss": {"essential": True, "value": issuer},
        # OpenID Connect Core 3.1.3.7: the audience must contain our client id.
        "aud": {"essential": True, "value": client.client_id},
        "sub": {"essential": True},
    }
    try:
        token = _call(
            lambda: client.authorize_access_token(claims_options=options, leeway=LEEWAY_SECONDS),
            "token",
        )
    except MismatchingStateError:
        raise ProviderError(Failure.STATE, "no log-in waits for this state") from None
    if "id_token" not in token or not token.get("userinfo"):
        raise ProviderError(Failure.INVALID_ANSWER, "the answer holds no ID token")
    return token


def _call(work: Any, step: str) -> Any:
    """Run one request to the provider, turning its failures into ProviderError."""
    try:
        return work()
    except MismatchingStateError:
        raise
    except JoseError as error:
        raise ProviderError(Failure.INVALID_ANSWER, f"{step}: {error!r}") from None
    except (requests.ConnectionError, requests.Timeout) as error:
        raise ProviderError(Failure.UNREACHABLE, f"{step}: {error}") from None
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as error:
        raise ProviderError(Failure.PROVIDER_ERROR, f"{step}: {error!r}") from None


def end_session_url(id_token: str) -> str | None:
    """Return the provider's log-out address for this ID token, or None if it has none."""
    client = _client()
    try:
        metadata = _metadata(client)
    except ProviderError as error:
        current_app.logger.warning("Provider log-out skipped: %s", error)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=external_url(url_for("auth.login")),
        id_token_hint=id_token,
        client_id=client.client_id,
    )["url"]


def form_action_sources() -> list[str]:
    """Return the provider origins a log-out form may be redirected to, for the CSP."""
    if not is_configured():
        return []
    addresses = [current_app.config["OIDC_ISSUER"]]
    for client in current_app.extensions.get(_CLIENTS, {}).values():
        addresses.append(client.server_metadata.get("end_session_endpoint") or "")
    origins = []
    for address in addresses:
        parts = urlsplit(address)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("https", "http") and parts.netloc and origin not in origins:
            origins.append(origin)
    return origins
