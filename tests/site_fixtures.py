"""Build the public site from a copy of the repository's sample data plus extra records.

Shared by test_privacy.py, test_browser.py and test_form.py: each builds once per module into a temp root that
holds copies of schemes/, providers/, templates/ and mkdocs.yml, with the extra records written
beside the sample ones. The build must succeed (validation included), or the test module errors.
"""
from __future__ import annotations

import functools
import gzip
import io
import shutil
import threading
import zipfile
from contextlib import contextmanager
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from directory.site.build import build_site
from directory.rules.codes import credit_code_check_character
from directory.rules.calendar import load_calendar

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
COPIED = ("schemes", "providers", "templates", "mkdocs.yml")


def credit_code(first17: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return first17 + credit_code_check_character(first17)


def build_sample_site(root: Path, extra: dict[str, str] | None = None, today: date = TODAY) -> Path:
    """Copy the sample data into `root`, add `extra` files (relative path -> text), build; return site/."""
    root.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    for relative, text in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = build_site(root, today, load_calendar(root))
    errors = [f for f in result.findings if f.severity == "error"]
    assert result.ok and not errors, "the test site did not build:\n" + "\n".join(map(str, errors or result.findings))
    return result.site_dir


def file_bytes(path: Path) -> list[tuple[str, bytes]]:
    """The searchable contents of one built file: gzip decompressed, zip members read (recursively).

    Returns (label, bytes) pairs; the label names the member inside an archive.
    """
    return _expand(str(path), path.read_bytes())


def _expand(label: str, data: bytes) -> list[tuple[str, bytes]]:
    if data[:2] == b"\x1f\x8b":
        try:
            return _expand(label + " (gunzip)", gzip.decompress(data))
        except (OSError, EOFError):
            return [(label, data)]
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = [(label, data)]
                for member in archive.namelist():
                    parts += _expand(f"{label}!{member}", archive.read(member))
                return parts
        except zipfile.BadZipFile:
            return [(label, data)]
    return [(label, data)]


def site_contents(site: Path) -> list[tuple[str, bytes]]:
    """Every file under site/, expanded as in `file_bytes`."""
    contents = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        contents += [(label.replace(str(site) + "/", ""), data) for label, data in file_bytes(path)]
    return contents


# --- serving the built site to Debian's chromium (browser tests) ---

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium keeps calling hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def serving(directory: Path):
    """A local HTTP server for `directory` on a free port; yields its base URL."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chromium_browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
