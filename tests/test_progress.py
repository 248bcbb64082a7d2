"""Progress bars: drawn on stderr for a person at a terminal, and nothing at all for CI or a pipe.

The terminal is a real pseudo terminal (the pty module) on the command's stderr; its stdout stays
a pipe, as when staff run `directory validate --format json > out.json` at a terminal.
"""
from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import REPO, edit, good_record
from directory import progress

HUNAN = "hunan-sme-hexin"
RECORDS = progress.FEW + 5   # enough files for the bar of reading them


def many_records(library, count: int = RECORDS) -> None:
    text = good_record(HUNAN)
    record_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    for number in range(count):
        library.add(HUNAN, edit(text, f"id: {record_id}", f"id: copy-{number}"))


def plain_environment(**changes: str) -> dict[str, str]:
    """This environment as a person's terminal has it: no CI (the tests may run in CI), a real TERM."""
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "DIRECTORY_PROGRESS")}
    env["TERM"] = "xterm-256color"
    env.update(changes)
    return env


def at_terminal(library, *args: str, **env: str) -> tuple[int, bytes, bytes]:
    """(exit code, stdout, what the terminal on stderr received)."""
    main, terminal = pty.openpty()
    # stdout into a file, not a pipe: a pipe left unread while the terminal is read could fill and block
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen([sys.executable, "-m", "directory", *args], cwd=library.root,
                                   env=plain_environment(**env), stdin=subprocess.DEVNULL, stdout=stdout, stderr=terminal)
        os.close(terminal)
        received = _read_all(main)
        code = process.wait(timeout=120)
        stdout.seek(0)
        return code, stdout.read(), received


def _read_all(main: int) -> bytes:
    received = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:   # Linux: EIO once the command has closed its end
            break
        if not chunk:
            break
        received += chunk
    os.close(main)
    return received


def piped(library, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", *args], cwd=library.root, env=plain_environment(**env),
                          capture_output=True, timeout=120)


VALIDATE = ("validate", "--format", "json", "--today", "2026-11-23")


def test_a_terminal_sees_the_bar_of_reading_records_and_stdout_is_the_same_json_as_when_piped(library):
    many_records(library)
    code, stdout, terminal = at_terminal(library, *VALIDATE)
    plain = piped(library, *VALIDATE)
    assert "读取记录" in terminal.decode("utf-8") and "检查记录" in terminal.decode("utf-8")
    assert f"0/{RECORDS}".encode() in terminal
    assert (code, stdout) == (plain.returncode, plain.stdout)
    assert b"\x1b" not in stdout


@pytest.mark.parametrize("env", [{"CI": "true"}, {"TERM": "dumb"}, {"DIRECTORY_PROGRESS": "0"}],
                         ids=["CI=true", "TERM=dumb", "DIRECTORY_PROGRESS=0"])
def test_ci_a_dumb_terminal_or_the_off_switch_get_byte_for_byte_the_piped_output(library, env):
    many_records(library)
    code, stdout, terminal = at_terminal(library, *VALIDATE, **env)
    plain = piped(library, *VALIDATE)
    assert (code, stdout) == (plain.returncode, plain.stdout)
    # the terminal turns each \n into \r\n; nothing else may differ
    assert terminal == plain.stderr.replace(b"\n", b"\r\n")


def test_piped_output_has_no_bar_and_no_escape_codes(library):
    many_records(library)
    plain = piped(library, "validate", "--today", "2026-11-23")
    assert "读取记录".encode() not in plain.stderr + plain.stdout
    assert b"\x1b" not in plain.stderr + plain.stdout


def test_the_build_shows_its_stages_at_a_terminal(library):
    library.add(HUNAN, good_record(HUNAN))
    shutil.copy(REPO / "mkdocs.yml", library.root / "mkdocs.yml")
    code, stdout, terminal = at_terminal(library, "build", "--today", "2026-11-23")
    shown = terminal.decode("utf-8")
    assert code == 0, shown
    assert "生成网站：校验数据" in shown and "生成网站：mkdocs 生成网页" in shown
    # the summary line names the stages in Chinese too
    assert "已生成" in shown and "pagefind 建立搜索索引" in shown and "validate" not in shown
    assert stdout == b""


def test_an_import_at_a_terminal_counts_its_rows(library, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,name\n" + "".join(f"row-{n},某公司{n}\n" for n in range(RECORDS)), encoding="utf-8")
    code, stdout, terminal = at_terminal(library, "import", str(sheet), "--scheme", HUNAN, "--format", "json",
                                         "--today", "2026-11-23")
    plain = piped(library, "import", str(sheet), "--scheme", HUNAN, "--format", "json", "--today", "2026-11-23")
    assert "读取表格行" in terminal.decode("utf-8")
    assert (code, stdout) == (plain.returncode, plain.stdout)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stderr, items, expected", [
    (io.StringIO(), list(range(100)), "not a terminal"),
    (_Terminal(), list(range(progress.FEW - 1)), "too few to count"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_track_hands_back_the_very_iterable_when_no_bar_is_wanted(monkeypatch, stderr, items, expected):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", stderr)
    assert progress.track(items, "读取记录") is items, expected
    assert stderr.getvalue() == ""


def test_stages_without_a_terminal_do_nothing(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress.stages("生成网站", {"validate": "校验数据", "render": "生成页面"}) as stages:
        stages.done("validate")
        stages.done("render")
    assert sys.stderr.getvalue() == ""
