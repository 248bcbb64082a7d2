"""`directory build` is atomic, locked and survives being killed: at every instant site/ is a
complete site, the old one or the new one; one build runs at a time; the next build removes what
a killed one left behind.

A build is killed by a small driver (KILL_AT) that runs the real CLI with one stage of
directory.site.build wrapped to SIGKILL its own process before or after the stage, and by
killing a plain `directory build` from outside after a delay.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO, Library, edit, good_record
from directory import cli
from directory.rules.calendar import load_calendar
from directory.site import build as site_build

TODAY = "2026-11-23"
PAGE = Path("hunan-sme-hexin") / "cs-zhiyuan" / "index.html"
COMPLETE = ("index.html", "pagefind/pagefind.js", "pagefind/pagefind-entry.json", "data/providers.json",
            PAGE.as_posix())
VERSION = re.compile(r"第 (\d+) 版")

# Runs `directory build` with build.<stage> wrapped: "before"/"after" kill the process with SIGKILL
# before or after the stage; "pause" runs the stage, then waits until the file `go` exists.
KILL_AT = """
import os, signal, sys, time
from pathlib import Path
from directory.cli import main
from directory.site import build

stage, when = sys.argv[1], sys.argv[2]
original = getattr(build, stage)

def wrapped(*args, **kwargs):
    if when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    if when == "pause":
        Path("paused").touch()
        while not Path("go").exists():
            time.sleep(0.05)
    return result

setattr(build, stage, wrapped)
sys.exit(main(["build", "--today", sys.argv[3]]))
"""


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", "build", "--today", TODAY],
                          cwd=root, capture_output=True, text=True, timeout=300)


def build_killed_at(root: Path, stage: str, when: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILL_AT, stage, when, TODAY],
                          cwd=root, capture_output=True, text=True, timeout=300)


class Versions:
    """The test library; each build publishes the provider with its profile marked 第 N 版."""

    def __init__(self, root: Path):
        self.library = Library(root)
        self.root = root
        self.site = root / "site"
        self.latest = 0
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")

    def next(self) -> int:
        """Write the next version of the record; return its number."""
        self.latest += 1
        record = edit(good_record("hunan-sme-hexin"), "专注中小企业数字化转型咨询。",
                      f"专注中小企业数字化转型咨询（第 {self.latest} 版）。")
        self.library.add("hunan-sme-hexin", record)
        return self.latest

    def leftovers(self) -> list[str]:
        """What beside site/ is not the library, the site, the lock file or the cache (QR codes)."""
        ours = {"schemes", "providers", "templates", "mkdocs.yml", "hooks.py", "site", ".site.lock", ".cache"}
        return sorted(path.name for path in self.root.iterdir() if path.name not in ours)


def site_version(site: Path) -> int:
    """The version site/ was built from; fails if a file of a complete site is missing or if the
    pages and the open data come from different builds."""
    missing = [name for name in COMPLETE if not (site / name).is_file()]
    assert missing == [], f"site/ is incomplete: {missing}"
    page = VERSION.search((site / PAGE).read_text(encoding="utf-8"))
    records = json.loads((site / "data" / "providers.json").read_text(encoding="utf-8"))["records"]
    data = VERSION.search(records[0]["profile"])
    assert page and data and page.group(1) == data.group(1), "pages and open data of different builds"
    return int(page.group(1))


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Versions:
    """A built site of version 1, shared by the kill tests: each leaves a complete site behind."""
    versions = Versions(tmp_path_factory.mktemp("atomic"))
    versions.next()
    result = build(versions.root)
    assert result.returncode == 0, result.stderr
    assert site_version(versions.site) == 1
    return versions


def then_the_next_build_succeeds_and_removes_the_leftovers(versions: Versions) -> None:
    version = versions.next()
    result = build(versions.root)
    assert result.returncode == 0, result.stderr
    assert site_version(versions.site) == version
    assert versions.leftovers() == []


@pytest.mark.parametrize(("stage", "when", "published"), [
    ("_run_mkdocs", "before", "old"),     # the pages are rendered, mkdocs has not run
    ("_run_mkdocs", "after", "old"),      # the HTML is built, not yet indexed
    ("_index_search", "after", "old"),    # the new site is complete beside the old one
    ("_exchange", "after", "new"),        # swapped; the old site still waits in the work folder
])
def test_a_build_killed_at_any_stage_leaves_a_complete_site_old_or_new(versions, stage, when, published):
    old = site_version(versions.site)
    new = versions.next()
    result = build_killed_at(versions.root, stage, when)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert site_version(versions.site) == {"old": old, "new": new}[published]
    assert [name for name in versions.leftovers() if name.startswith(".site-build-")] != []
    then_the_next_build_succeeds_and_removes_the_leftovers(versions)


@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_a_build_killed_from_outside_after_a_delay_leaves_a_complete_site_old_or_new(versions, delay):
    old = site_version(versions.site)
    new = versions.next()
    # its own process group, killed as a whole (as CI or systemd do), so no pagefind outlives it
    process = subprocess.Popen([sys.executable, "-m", "directory", "build", "--today", TODAY], cwd=versions.root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert site_version(versions.site) in (old, new)
    then_the_next_build_succeeds_and_removes_the_leftovers(versions)


def test_a_second_build_while_one_runs_exits_2_naming_its_pid_and_the_site_stays_complete(versions):
    old = site_version(versions.site)
    new = versions.next()
    for name in ("paused", "go"):
        (versions.root / name).unlink(missing_ok=True)
    first = subprocess.Popen([sys.executable, "-c", KILL_AT, "_run_mkdocs", "pause", TODAY], cwd=versions.root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not (versions.root / "paused").exists():   # the first build holds the lock, inside mkdocs
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        second = build(versions.root)
        assert second.returncode == 2
        assert f"另一个 directory build 正在运行（PID {first.pid}），请等它结束后再运行" in second.stderr
        assert "Traceback" not in second.stderr
        assert site_version(versions.site) == old
    finally:
        (versions.root / "go").touch()
        _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert site_version(versions.site) == new
    for name in ("paused", "go"):
        (versions.root / name).unlink()
    assert versions.leftovers() == []


def test_a_build_killed_inside_the_fallback_swap_gets_its_old_site_back_from_the_next_build(versions):
    # the fallback's window: site/ renamed aside, the new one not yet in place
    old = site_version(versions.site)
    os.replace(versions.site, versions.root / ".site-previous")
    versions.library.add("hunan-sme-hexin", "id: cs-zhiyuan\n")   # invalid: this build stops at validation
    result = build(versions.root)
    assert result.returncode == 1 and "site/ 保持不变" in result.stderr
    assert site_version(versions.site) == old
    assert versions.leftovers() == []
    then_the_next_build_succeeds_and_removes_the_leftovers(versions)


def test_without_an_atomic_exchange_the_fallback_swap_replaces_the_site(versions, monkeypatch):
    monkeypatch.setattr(site_build, "_exchange", lambda first, second: False)
    version = versions.next()
    result = site_build.build_site(versions.root, date.fromisoformat(TODAY), load_calendar(versions.root))
    assert result.ok
    assert site_version(versions.site) == version
    assert versions.leftovers() == []


def test_a_failure_inside_mkdocs_is_reported_as_such_and_keeps_the_old_site(versions):
    old = site_version(versions.site)
    versions.next()
    (versions.root / "hooks.py").write_text(
        'def on_page_markdown(markdown, **kwargs):\n    raise RuntimeError("钩子出错")\n', encoding="utf-8")
    mkdocs_yml = (versions.root / "mkdocs.yml").read_text(encoding="utf-8")
    (versions.root / "mkdocs.yml").write_text(mkdocs_yml + "hooks: [hooks.py]\n", encoding="utf-8")
    try:
        result = build(versions.root)
    finally:
        (versions.root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
        (versions.root / "hooks.py").unlink()
    assert result.returncode == 1
    assert "directory：mkdocs 生成失败：钩子出错；原有的 site/ 保持不变" in result.stderr
    assert "Traceback" not in result.stderr
    assert site_version(versions.site) == old
    assert versions.leftovers() == []


def test_a_bug_of_ours_in_the_mkdocs_stage_is_an_internal_error_not_an_mkdocs_failure(versions, monkeypatch,
                                                                                        capsys):
    def load_config(**kwargs):   # as if we called mkdocs with an argument it does not take
        raise TypeError("load_config() got an unexpected keyword argument")

    monkeypatch.setattr("mkdocs.config.load_config", load_config)
    old = site_version(versions.site)
    versions.next()
    assert cli.main(["--root", str(versions.root), "build", "--today", TODAY]) == 2
    stderr = capsys.readouterr().err
    assert "内部错误" in stderr and "mkdocs 生成失败" not in stderr
    assert site_version(versions.site) == old
    assert versions.leftovers() == []
