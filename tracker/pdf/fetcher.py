"""The URL fetcher of every PDF: the app's own static files, nothing else.

Text a user typed can never make WeasyPrint open a network connection or read a
file elsewhere on the server.
"""

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """WeasyPrint asked for something outside the app's static folder."""


class StaticOnlyFetcher(URLFetcher):
    """A URL fetcher that serves files inside one folder and refuses every other URL.

    Only ``file:`` URLs are considered; the path is resolved (symbolic links and ``..``)
    before it is compared with the folder, so neither can lead outside it. ``data:``
    URLs are refused too: the templates never need them, so allowing them would only
    widen what injected markup could do.
    """

    def __init__(self, root: str | Path) -> None:
        # No protocol but file: even reaches fetch(); fetch() then narrows it to the folder.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root).resolve()

    def resolve(self, url: str) -> Path:
        """Return the file a URL names inside the folder, or raise FetchRefused."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"not a local file: {url[:200]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FetchRefused(f"outside the static folder: {url[:200]}")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return a static file's content; raise FetchRefused for anything else."""
        try:
            path = self.resolve(url)
        except FetchRefused:
            log.warning("PDF rendering: refused to fetch %.200s", url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_fetcher() -> StaticOnlyFetcher:
    """Return a fetcher for the current app's static folder."""
    return StaticOnlyFetcher(current_app.static_folder)
