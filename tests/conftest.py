"""A small library in tmp_path: the real scheme rules, test batches, and records written inline."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from directory.library.repository import load_repository
from directory.checks.validate import validate_repository
from directory.rules.calendar import load_calendar

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 23)


def good_record(scheme: str, kind: str = "provider") -> str:
    """The text of a record of `scheme` that passes every rule (tests/fixtures/records/)."""
    name = scheme if kind == "provider" else f"{scheme}--{kind}"
    return (FIXTURES / "records" / f"{name}.yaml").read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence of `old`, so a test cannot silently edit nothing."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


class Library:
    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(REPO / "schemes", root / "schemes", ignore=shutil.ignore_patterns("batches"))
        for batch in (FIXTURES / "batches").glob("*.yaml"):
            scheme, stem = batch.stem.split("--")
            self.write(f"schemes/{scheme}/batches/{stem}.yaml", batch.read_text(encoding="utf-8"))

    def write(self, relative: str, text: str | bytes) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return relative

    def add(self, scheme: str, text: str, kind: str = "provider", stem: str | None = None) -> str:
        """Write a record where it belongs; its file stem is its id unless given."""
        if stem is None:
            stem = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
        folder = f"providers/{scheme}" + ("/experts" if kind == "expert" else "")
        return self.write(f"{folder}/{stem}.yaml", text)

    def findings(self, today: date = TODAY):
        repository = load_repository(self.root)
        return validate_repository(repository, today, load_calendar(self.root))

    def errors(self, today: date = TODAY):
        return [finding for finding in self.findings(today) if finding.severity == "error"]


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module (the browser tests)."""
    from site_fixtures import chromium_browser

    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def base_url(site):
    """The module's built `site` served on 127.0.0.1 (a free port), for the browser tests."""
    from site_fixtures import serving

    with serving(site) as url:
        yield url
