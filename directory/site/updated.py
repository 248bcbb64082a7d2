"""最后更新: the date of each record file's last commit, read from git in one call.

`git log -1 -- <file>` per record would start 10,000 processes for 10,000 records; one `git log
--name-only` over providers/ lists every commit with the files it touched, newest first, so a file's
first appearance is its last commit. Outside a git checkout, for a file never committed, and where
a shallow clone cuts the history off (CI checks out one commit by default: every file would seem
changed on that day), the date is unknown and left out, never guessed.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

RECORDS = "providers"


def last_commit_dates(root: Path) -> dict[str, str]:
    """{path relative to root, as in Record.path: "YYYY-MM-DD"} for the committed record files.

    >>> last_commit_dates(Path("/not/a/checkout"))
    {}
    """
    # %cs: committer date (when the change reached this history), not the author's; -z: paths verbatim.
    log = _git(root, "-c", "core.quotePath=false", "log", "--relative", "--format=%x1e%H %cs", "--name-only",
               "-z", "--", RECORDS)
    if log is None:
        return {}
    cut_off = _shallow_boundary(root)
    dates: dict[str, str] = {}
    for commit in log.split("\x1e")[1:]:
        header, *paths = commit.split("\0")
        sha, _, day = header.partition(" ")
        for path in paths:
            path = path.strip("\n")
            if path and path not in dates:
                # a boundary commit of a shallow clone holds every file, changed there or not
                dates[path] = "" if sha in cut_off else day
    return {path: day for path, day in dates.items() if day}


def _shallow_boundary(root: Path) -> set[str]:
    """The commits where a shallow clone's history stops (empty for a full clone)."""
    answer = _git(root, "rev-parse", "--is-shallow-repository", "--git-path", "shallow")
    if answer is None or not answer.startswith("true"):
        return set()
    shallow = Path(answer.splitlines()[1])
    try:
        return set((shallow if shallow.is_absolute() else root / shallow).read_text(encoding="ascii").split())
    except (OSError, ValueError):
        return set()


def _git(root: Path, *args: str) -> str | None:
    """git's output, or None where there is no git or `root` is not in a checkout."""
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, encoding="utf-8",
                                errors="replace", check=False)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None
