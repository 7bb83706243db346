"""A real OpenID Provider on loopback for the log-in tests, and a browser to use it with.

The provider is node-oidc-provider, pinned in tests/oidc/package-lock.json and started by
tests/oidc/provider.mjs. Its npm packages are installed with `npm ci` into
tests/oidc/node_modules the first time, and again whenever the lock file changes; nothing
is installed globally. Without Node.js the tests that need the provider are skipped with
the reason, unless TRACKER_REQUIRE_NODE=1 (CI) makes that a failure.
"""

import hashlib
import json
import os
import re
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

OIDC_DIR = Path(__file__).with_name("oidc")
LOCK = OIDC_DIR / "package-lock.json"
STAMP = OIDC_DIR / "node_modules" / ".installed-lock-sha256"
PASSWORD = "provider password"
CLIENT_SECRET = "a-client-secret-only-the-tests-know-0123456789"
FEIDE_USERID_SEC = "https://n.feide.no/claims/userid_sec"
FEIDE_EPPN = "https://n.feide.no/claims/eduPersonPrincipalName"
START_TIMEOUT = 20

# The people the provider knows: login name -> their claims (sub is the subject).
ACCOUNTS = {
    "kari": {
        "sub": "a5d2c0e1-kari",
        "email": "Kari.Nordmann@EXAMPLE.org",
        "email_verified": True,
        "name": "Kari Nordmann",
        FEIDE_USERID_SEC: ["feide:karinor@example.org"],
        FEIDE_EPPN: "karinor@example.org",
    },
    "ola": {
        "sub": "b7e4f2a3-ola",
        "email": "ola.hansen@example.org",
        "email_verified": False,
        "name": "Ola Hansen",
        FEIDE_USERID_SEC: ["feide:olahan@example.org"],
        FEIDE_EPPN: "olahan@example.org",
    },
    "nina": {
        "sub": "c9a6b4c5-nina",
        "email": "nina.berg@example.net",
        "email_verified": True,
        "given_name": "Nina",
        "family_name": "Berg",
    },
    "admin": {
        "sub": "d1b8c6d7-admin",
        "email": "admin@example.org",
        "email_verified": True,
        "name": "Ada Admin",
    },
}


def _lock_digest() -> str:
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def ensure_packages() -> None:
    """Install the provider's pinned packages with `npm ci` unless they are in place."""
    if STAMP.exists() and STAMP.read_text() == _lock_digest():
        return
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm is not installed (apt-get install npm)")
    subprocess.run(  # noqa: S603 - a fixed command on the project's own lock file
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=OIDC_DIR,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    STAMP.write_text(_lock_digest())


def _missing(reason: str) -> None:
    if os.environ.get("TRACKER_REQUIRE_NODE") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


class Provider:
    """The running provider: its issuer address and the test controls of provider.mjs."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def control(self, what: str, **data: object) -> None:
        """Change the provider as a test needs (see provider.mjs)."""
        response = requests.post(f"{self.issuer}/__test__/{what}", json=data, timeout=5)
        response.raise_for_status()

    def register_client(self, client_id: str, base_url: str, alias_of: str | None = None) -> None:
        """Register the tracker at ``base_url`` as a client (or an alias of one)."""
        self.control(
            "clients",
            client_id=client_id,
            client_secret=CLIENT_SECRET,
            redirect_uris=[f"{base_url}/auth/oidc/callback"],
            post_logout_redirect_uris=[f"{base_url}/auth/login"],
            alias_of=alias_of,
        )

    def reset(self) -> None:
        """Put the provider's clock and signing key back as they were at the start."""
        self.control("reset")


@contextmanager
def running_provider(workdir: Path) -> Iterator[Provider]:
    """Start the provider on a free loopback port and stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        _missing("Node.js is not installed (apt-get install nodejs npm)")
    ensure_packages()
    accounts = workdir / "accounts.json"
    accounts.write_text(
        json.dumps({login: {"password": PASSWORD, "claims": c} for login, c in ACCOUNTS.items()})
    )
    log = (workdir / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the project's own script
        [node, "provider.mjs", str(accounts)],
        cwd=OIDC_DIR,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "NODE_ENV": "test"},
    )
    try:
        issuer = _read_issuer(process, workdir / "provider.log")
        yield Provider(issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        log.close()


def _read_issuer(process: subprocess.Popen, log: Path) -> str:
    """Wait for the provider's first line of output, which names its issuer."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            line = process.stdout.readline()
            if line.startswith("{"):
                return json.loads(line)["issuer"]
        if process.poll() is not None:
            break
    pytest.fail(f"the test OpenID Provider did not start; see {log}:\n{log.read_text()[-2000:]}")


class ProviderBrowser:
    """A person's browser at the provider: its cookies, the log-in and log-out pages."""

    def __init__(self, provider: Provider) -> None:
        self.issuer = provider.issuer
        self.session = requests.Session()

    def _follow(self, response: requests.Response) -> requests.Response | str:
        """Follow redirects within the provider; return where it sends the browser next."""
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.issuer):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=5)
        return response

    def log_in(self, authorize_url: str, login: str | None, password: str = PASSWORD) -> str:
        """Open the tracker's authorization request, sign in (or cancel), return the callback.

        With a session at the provider already, it answers at once without its form.
        """
        page = self._follow(self.session.get(authorize_url, allow_redirects=False, timeout=5))
        if isinstance(page, str):
            return page
        action = re.search(r'action="(/interaction/[\w-]+/login)"', page.text)
        assert action, page.text[:1000]
        if login is None:
            target = action.group(1).replace("/login", "/abort")
            answer = self.session.post(urljoin(page.url, target), allow_redirects=False, timeout=5)
        else:
            answer = self.session.post(
                urljoin(page.url, action.group(1)),
                data={"login": login, "password": password},
                allow_redirects=False,
                timeout=5,
            )
        result = self._follow(answer)
        assert isinstance(result, str), result.text[:1000]
        return result

    def log_out(self, end_session_url: str) -> str:
        """Open the provider's log-out page, confirm it, and return where it sends us back."""
        page = self._follow(self.session.get(end_session_url, allow_redirects=False, timeout=5))
        assert not isinstance(page, str), page
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
        assert form, page.text[:1000]
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
        fields["logout"] = "yes"
        answer = self.session.post(
            urljoin(page.url, unescape(form.group(1))),
            data=fields,
            allow_redirects=False,
            timeout=5,
        )
        result = self._follow(answer)
        assert isinstance(result, str), result
        return result

    def asks_to_sign_in(self, authorize_url: str) -> bool:
        """Return whether the provider shows its sign-in form rather than answering at once."""
        page = self._follow(self.session.get(authorize_url, allow_redirects=False, timeout=5))
        return not isinstance(page, str) and "Sign in at the test provider" in page.text


def path_of(url: str) -> str:
    """Return the path and query of an address, as the test client asks for it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
