"""The locked-down URL fetcher of the PDF reports: the app's static files, nothing else."""

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from weasyprint import HTML

from tracker.pdf import FetchRefused, StaticOnlyFetcher


@pytest.fixture()
def static(tmp_path: Path) -> Path:
    """Return a static folder with a stylesheet, a secret beside it and a symlink out of it."""
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "css" / "print.css").write_text("p { color: #123456; }")
    (tmp_path / "secret.txt").write_text("not for PDFs")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "linked").symlink_to(tmp_path)
    return root


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request and remembers its path."""

    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        type(self).paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red; }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def http_server() -> Iterator[tuple[str, list[str]]]:
    """Run an HTTP server on loopback; yield its base URL and the paths it was asked for."""
    Recorder.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.paths
    finally:
        server.shutdown()
        server.server_close()


def test_serves_a_file_inside_the_folder(static: Path) -> None:
    fetcher = StaticOnlyFetcher(static)
    response = fetcher.fetch((static / "css" / "print.css").as_uri())
    try:
        assert response.read() == b"p { color: #123456; }"
        assert response.content_type == "text/css"
    finally:
        response.close()


def test_serves_a_url_with_dots_that_stays_inside(static: Path) -> None:
    fetcher = StaticOnlyFetcher(static)
    response = fetcher.fetch(static.as_uri() + "/css/../css/print.css?v=1#x")
    try:
        # The file the URL names once resolved, without the query and the fragment.
        assert response.url == (static / "css" / "print.css").as_uri()
        assert response.read() == b"p { color: #123456; }"
        assert response.content_type == "text/css"
    finally:
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "data:text/css,p%7Bcolor:red%7D",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "file:///etc/passwd",
        "file://example.org/etc/passwd",
        "javascript:alert(1)",
        "about:blank",
    ],
)
def test_refuses_anything_but_local_files_inside(static: Path, url: str) -> None:
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher(static).fetch(url)


@pytest.mark.parametrize(
    "relative",
    [
        "../secret.txt",
        "css/../../secret.txt",
        "%2e%2e/secret.txt",
        "escape.txt",  # a symbolic link to a file outside
        "linked/secret.txt",  # a path through a symbolic link to a folder outside
        "css",  # a folder
        "css/missing.css",
    ],
)
def test_refuses_paths_that_leave_the_folder_or_name_no_file(static: Path, relative: str) -> None:
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher(static).fetch(static.as_uri() + "/" + relative)


def test_refuses_a_sibling_folder_whose_name_starts_the_same(static: Path) -> None:
    sibling = static.parent / "static-other"
    sibling.mkdir()
    (sibling / "x.css").write_text("p {}")
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher(static).fetch((sibling / "x.css").as_uri())


def test_weasyprint_with_the_fetcher_asks_no_server_and_reads_no_file_outside(
    static: Path, http_server: tuple[str, list[str]]
) -> None:
    """Markup that points out of the folder is rendered without any of it being fetched."""
    base, requests = http_server
    secret = (static.parent / "secret.txt").as_uri()
    html = f"""<html><head>
      <link rel="stylesheet" href="css/print.css">
      <link rel="stylesheet" href="{base}/linked.css">
      <style>@import url("{base}/imported.css"); p {{ background: url({base}/bg.png); }}</style>
      </head><body>
      <p>hello</p><img src="{base}/img.png"><img src="{secret}"><img src="../secret.txt">
      <object data="{base}/object.svg"></object><iframe src="{base}/frame.html"></iframe>
      </body></html>"""
    asked: list[str] = []
    served: list[str] = []

    class Spy(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            asked.append(url)
            response = super().fetch(url, headers)
            served.append(response.url)
            return response

    pdf = HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=Spy(static)).write_pdf()

    assert pdf.startswith(b"%PDF-")
    assert requests == []
    # WeasyPrint did ask (the fetcher is the only way out), and only the stylesheet was served.
    assert any(url.startswith(base) for url in asked)
    assert secret in asked
    assert served == [(static / "css" / "print.css").as_uri()]
