"""Progress bars on long work, for a person watching a terminal; for anyone else, nothing at all.

Bars are drawn on stderr, never stdout: stdout carries what scripts parse (--format json/github).
They are drawn only when stderr is a terminal and neither CI (CI=true) nor TERM=dumb asks for plain
output; DIRECTORY_PROGRESS=0 turns them off by hand. Otherwise `track` hands back the very iterable
it was given and `stages` does nothing, so piped and CI output is byte for byte what it was.

All bars of one run share one display (rich allows one at a time): a build's stage bar and the
record loading inside it show as two lines, and each line is cleared when its work is done.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterable, Iterator, TypeVar

Item = TypeVar("Item")

FEW = 20          # items: a bar over fewer would only flicker
_display = None   # the rich Progress on screen while any bar runs


def enabled() -> bool:
    if os.environ.get("DIRECTORY_PROGRESS") == "0":
        return False
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):   # replaced by an object without isatty, or closed
        return False


def track(iterable: Iterable[Item], description: str, total: int | None = None) -> Iterable[Item]:
    """`iterable` itself, or, at a terminal, the same items while a bar counts them:
    `for path in track(paths, "读取记录")`. `total` defaults to len(iterable) where it has one."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    if (total is not None and total < FEW) or not enabled():
        return iterable
    return _tracked(iterable, description, total)


def _tracked(iterable: Iterable[Item], description: str, total: int | None) -> Iterator[Item]:
    with _task(description, total) as task:
        for item in iterable:
            yield item
            _display.advance(task)


class Stages:
    """A bar over the named stages of one piece of work (the build): `done(key)` when a stage ends
    shows the next one. A spinner keeps turning while a long stage (mkdocs, pagefind) runs."""

    def __init__(self, title: str, names: dict[str, str], task=None):
        self.title, self.names, self.task = title, names, task
        self._keys = list(names)

    def done(self, key: str) -> None:
        if self.task is None or key not in self._keys:
            return
        following = self._keys[self._keys.index(key) + 1:]
        _display.update(self.task, completed=len(self._keys) - len(following),
                        description=self._describe(following[0]) if following else self.title)

    def _describe(self, key: str) -> str:
        return f"{self.title}：{self.names[key]}"


@contextmanager
def stages(title: str, names: dict[str, str]) -> Iterator[Stages]:
    """`names`: stage key -> the Chinese words shown while it runs, in order."""
    if not enabled() or not names:
        yield Stages(title, names)
        return
    first = next(iter(names))
    with _task(f"{title}：{names[first]}", len(names)) as task:
        yield Stages(title, names, task)


@contextmanager
def _task(description: str, total: int | None):
    global _display
    if _display is None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)

        # redirect_*=False: a print while a bar runs must go where it was going (stdout stays stdout)
        _display = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), console=Console(file=sys.stderr),
                            transient=True, redirect_stdout=False, redirect_stderr=False)
        _display.start()
    task = _display.add_task(description, total=total)
    try:
        yield task
    finally:
        _display.remove_task(task)
        if not _display.tasks:
            _display.stop()
            _display = None
