"""Fuzzing: valid records and scheme files, mutated at random, never crash `directory`.

Each example takes one VALID file of a small library (a record, a batch, a scheme.yaml, a JSON
Schema, holidays.yaml), damages it in one of two ways and runs the commands on the library,
in-process, through `directory.cli.main`:

* the parsed data: a key deleted, renamed or truncated, a value replaced by a value of another
  shape (list, map, huge or negative number, NaN, a date at the edge of the calendar, text with
  control characters, zero-width or right-to-left marks, emoji, full-width digits, U+2028), then
  dumped back (yaml.safe_dump, or json.dumps for a schema);
* the raw text: cut at a random byte, bytes flipped, a line doubled (a duplicate key) or dropped,
  odd unicode inserted.

What must hold for every example: exit code 0, 1 or 2; no "Traceback" and no "内部错误" in the
output; `--format json` parses, and every error finding names a line of its file: 1 ≤ line ≤ the
last line + 1 (the end of the file, where YAML reports a file cut short). Line 0 means "the whole
file" (findings.py) and is accepted only for `file-unreadable`, a file that could not be read at
all; everything this fuzzer can produce is readable and has a place to point at.

Profiles (HYPOTHESIS_PROFILE=ci|long): `ci`, the default, runs a few dozen fixed examples per
property (derandomized: the suite never fails on a new random draw); `long` explores at random,
and scripts/fuzz drives it for a campaign of 10,000+ cases.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, edit, line_of
from directory.cli import main
from directory.rules.dates import add_months, add_years, years_end

TODAY = "2026-11-23"
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
          HealthCheck.function_scoped_fixture]
# ci: fixed examples, no shrinking (a failure prints its input as drawn; under `long`, pytest shrinks it)
settings.register_profile("ci", deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], print_blob=True)
settings.register_profile("long", deadline=None, database=None, suppress_health_check=_QUIET,
                          max_examples=int(os.environ.get("DIRECTORY_FUZZ_EXAMPLES", "2000")))
settings.load_profile(PROFILE)


def examples(ci: int) -> settings:
    """`ci` examples in the suite; the long profile's count (scripts/fuzz scales it per property)."""
    if PROFILE == "ci":
        return settings(max_examples=ci)
    return settings(max_examples=int(settings.default.max_examples * ci / 40))


# ---------------------------------------------------------------- the library under test

def _files(pattern: str, base: Path = REPO) -> list[str]:
    return sorted(path.relative_to(base).as_posix() for path in base.glob(pattern))


def _fixture_record_path(path: Path) -> str:
    scheme, _, kind = path.stem.partition("--")
    text = path.read_text(encoding="utf-8")
    stem = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    return f"providers/{scheme}/" + ("experts/" if kind == "expert" else "") + f"{stem}.yaml"


# relative path in the library -> the valid text it starts from
FIXTURE_RECORDS = {_fixture_record_path(path): path.read_text(encoding="utf-8")
                   for path in sorted((FIXTURES / "records").glob("*.yaml"))}
FIXTURE_BATCHES = {f"schemes/{path.stem.split('--')[0]}/batches/{path.stem.split('--')[1]}.yaml":
                   path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "batches").glob("*.yaml"))}
SHIPPED_RECORDS = {relative: (REPO / relative).read_text(encoding="utf-8")
                   for relative in _files("providers/**/*.yaml")}

RECORDS = sorted(FIXTURE_RECORDS) + sorted(SHIPPED_RECORDS)
BATCHES = sorted(FIXTURE_BATCHES) + _files("schemes/*/batches/*.yaml")
SCHEME_FILES = _files("schemes/*/scheme.yaml") + ["schemes/_common/common.yaml"]
SCHEMAS = _files("schemes/*/*.schema.json")
HOLIDAYS = ["schemes/_common/holidays.yaml"]
TARGETS = {"record": RECORDS, "batch": BATCHES, "scheme": SCHEME_FILES, "schema": SCHEMAS, "holidays": HOLIDAYS}


class FuzzLibrary:
    """The real schemes and shipped batches, the test batches and one good record per scheme and
    kind; one file at a time is swapped for a mutated copy and put back after the example."""

    def __init__(self, root: Path, site: bool = False):
        self.root = root
        shutil.copytree(REPO / "schemes", root / "schemes")
        for relative, text in {**FIXTURE_BATCHES, **FIXTURE_RECORDS}.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        if site:
            shutil.copytree(REPO / "templates", root / "templates")
            shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")

    @staticmethod
    def original(relative: str) -> str:
        """The valid text a target starts from (a shipped record is not in the library until used)."""
        known = {**FIXTURE_RECORDS, **FIXTURE_BATCHES, **SHIPPED_RECORDS}
        return known[relative] if relative in known else (REPO / relative).read_text(encoding="utf-8")

    @contextlib.contextmanager
    def mutated(self, relative: str, content: bytes):
        path = self.root / relative
        before = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        try:
            yield
        finally:
            if before is None:
                path.unlink()
            else:
                path.write_bytes(before)


@pytest.fixture(scope="module")
def fuzz_library(tmp_path_factory) -> FuzzLibrary:
    return FuzzLibrary(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def site_library(tmp_path_factory) -> FuzzLibrary:
    return FuzzLibrary(tmp_path_factory.mktemp("fuzz-site"), site=True)


# ---------------------------------------------------------------- what is fed in

ODD_TEXT = ["\x00", "\x07", "\x1b[31m", "\x7f", "\u0085", "\u200b", "\u200d", "\u2060", "\ufeff",
            "\u202e", "\u200f", "\u2028", "\u2029", "😀", "👨‍👩‍👧", "１２３", "４３０１０２", "\ufffd",
            "%", "*a", "&a", "!!python/object", "{{ x }}", "<script>", "]]>", "---", "...", ": ",
            " #", "'", '"', "\\", "\r\n", "\n", "\t", " " * 3, "é" * 3, "\U0001f1e8\U0001f1f3"]
EDGE_SCALARS = [0, -1, 1, 2**31, 2**63, -2**63 - 1, 10**100, -10**30, float("nan"), float("inf"),
                float("-inf"), -0.0, 1e308, 5e-324, 0.1, True, False, None, "", " ",
                date(1, 1, 1), date(9999, 12, 31), "0001-01-01", "9999-12-31", "2024-02-29",
                "2025-02-29", "1900-02-29", "0000-00-00", "2025-13-45", "99999-01-01", "2025-1-1",
                "2025-W01", "２０２５-０１-０１", "null", "yes", "0x1F", "1e999", "NaN"]

odd_text = st.lists(st.sampled_from(ODD_TEXT) | st.text(max_size=6), min_size=1, max_size=4).map("".join)
# C0 control characters (but tab and line breaks) cannot go into an XLSX cell: the build property
# leaves them out, test_a_control_character_in_a_name_does_not_crash_the_open_data keeps them
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
printable_odd_text = st.lists(st.sampled_from([text for text in ODD_TEXT if not _XLSX_ILLEGAL.search(text)])
                              | st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=6),
                              min_size=1, max_size=4).map("".join)
scalars = st.one_of(st.sampled_from(EDGE_SCALARS), st.integers(), st.floats(), odd_text, st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6) | odd_text, inner, max_size=3), max_leaves=6)
EDGE_DATES = [date(1, 1, 1), date(9999, 12, 31), "0001-01-01", "9999-12-31", "9999-12-30", "9998-01-01",
              "2024-02-29", "2025-02-29", "1970-01-01", "2026-11-23", "2026-11-24", "2099-12-31"]
DATA_OPERATIONS = ["delete", "replace", "as_list", "as_map", "duplicate", "rename_key", "insert_text",
                   "truncate_text", "edge_number", "edge_date", "add_key", "replace_document"]
TEXT_OPERATIONS = ["cut_at_byte", "flip_bytes", "double_line", "drop_line", "insert_text", "swap_lines"]


def _leaves(node, keep, parts=()):
    """Paths to the scalars of a tree for which keep(value) holds."""
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, keep, parts + (key,))]
    if isinstance(node, list):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, keep, parts + (index,))]
    return [parts] if keep(node) else []


def _is_date(value) -> bool:
    return isinstance(value, date) or isinstance(value, str) and bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value))


def _replace_at(draw, data, parts, strategy):
    *parents, last = parts
    node = data
    for part in parents:
        node = node[part]
    node[last] = draw(strategy(node[last]))


def _mutate_data(draw, data, operations=DATA_OPERATIONS):
    """One change somewhere in the tree; returns the new root (a change may replace it)."""
    operation = draw(st.sampled_from(operations))
    if operation == "replace_document" or not isinstance(data, (dict, list)):
        return draw(values)
    dates = _leaves(data, _is_date)
    if operation == "edge_date" and dates:  # the dates a record's lifecycle is computed from
        _replace_at(draw, data, draw(st.sampled_from(dates)), lambda _: st.sampled_from(EDGE_DATES))
        return data
    node = data
    while True:  # walk down: stop at this container, or go into one of its children
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys or operation == "add_key":
            key = draw(odd_text | st.sampled_from(["id", "scheme", "recognition", "facts", "2025", "batch"]))
            if isinstance(node, dict):
                node[key] = draw(values)
            else:
                node.append(draw(values))
            return data
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        break
    if operation == "delete":
        del node[key]
    elif operation == "replace":
        node[key] = draw(values)
    elif operation == "as_list":
        node[key] = [child]
    elif operation == "as_map":
        node[key] = {str(key): child}
    elif operation == "duplicate":
        if isinstance(node, list):
            node.insert(key, child)
        else:
            node[f"{key}{draw(st.sampled_from(['', ' ', '_', '1']))}"] = child
    elif operation == "rename_key" and isinstance(node, dict):
        new = draw(st.sampled_from(["truncate", "unicode", "case"]))
        key_text = str(key)
        name = {"truncate": key_text[: draw(st.integers(0, max(0, len(key_text) - 1)))],
                "unicode": key_text + draw(odd_text), "case": key_text.upper()}[new]
        node[name] = node.pop(key)
    elif operation == "insert_text" and isinstance(child, str):
        at = draw(st.integers(0, len(child)))
        node[key] = child[:at] + draw(odd_text) + child[at:]
    elif operation == "truncate_text" and isinstance(child, str):
        node[key] = child[: draw(st.integers(0, len(child)))]
    else:  # edge_number, and the operations above that do not fit this value
        node[key] = draw(st.sampled_from(EDGE_SCALARS) | st.integers() | st.floats())
    return data


def _dump(data, json_file: bool) -> bytes:
    if json_file:
        return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8", "surrogatepass")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")


def _mutate_text(draw, raw: bytes) -> bytes:
    operation = draw(st.sampled_from(TEXT_OPERATIONS))
    if operation == "cut_at_byte":
        return raw[: draw(st.integers(0, len(raw)))]
    if operation == "flip_bytes" and raw:
        damaged = bytearray(raw)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(damaged) - 1))
            damaged[at] ^= draw(st.sampled_from([0x01, 0x20, 0x80, 0xFF]) | st.integers(1, 255))
        return bytes(damaged)
    lines = raw.decode("utf-8", "surrogateescape").split("\n")  # bytes already damaged stay as they are
    at = draw(st.integers(0, len(lines) - 1))
    if operation == "double_line":
        lines.insert(at, lines[at])
    elif operation == "drop_line":
        del lines[at]
    elif operation == "swap_lines":
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
    else:  # insert_text, at a character position so that the file stays UTF-8
        column = draw(st.integers(0, len(lines[at])))
        lines[at] = lines[at][:column] + draw(odd_text) + lines[at][column:]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


# the texts that only describe a provider: odd unicode there keeps the record valid
FREE_TEXT = {"name", "address", "profile", "legal_representative", "recommender", "services", "title", "employer",
             "certificate_no", "private"}


@st.composite
def odd_text_in_a_record(draw):
    """A record that stays mostly valid (odd unicode inserted into a few of its texts), so that the
    build goes past validation into the catalogue, the pages and mkdocs."""
    target = draw(st.sampled_from(RECORDS))
    data = yaml.safe_load(FuzzLibrary.original(target))
    leaves = [parts for parts in _leaves(data, lambda value: isinstance(value, str)) if parts[0] in FREE_TEXT]
    for parts in draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique=True)):
        _replace_at(draw, data, parts, lambda text: st.integers(0, len(text)).flatmap(
            lambda at: printable_odd_text.map(lambda odd: text[:at] + odd + text[at:])))
    content = _dump(data, json_file=False)
    note(f"{target}:\n{content.decode('utf-8', 'backslashreplace')}")
    return target, content


@st.composite
def mutations(draw, kind: str):
    """(target file, mutated bytes): 1-3 changes to the parsed data, or 1-2 to the raw text."""
    target = draw(st.sampled_from(TARGETS[kind]))
    text = FuzzLibrary.original(target)
    json_file = target.endswith(".json")
    if draw(st.sampled_from(["data", "text"])) == "data":
        data = json.loads(text) if json_file else yaml.safe_load(text)
        for _ in range(draw(st.integers(1, 3))):
            data = _mutate_data(draw, data)
        content = _dump(data, json_file)
    else:
        content = text.encode("utf-8")
        for _ in range(draw(st.integers(1, 2))):
            content = _mutate_text(draw, content)
    note(f"{target}:\n{content.decode('utf-8', 'backslashreplace')}")
    return target, content


# ---------------------------------------------------------------- running and judging

@dataclass
class Outcome:
    command: str
    code: int | None
    stdout: str
    stderr: str


def run(root: Path, *argv: str) -> Outcome:
    """`directory --root ROOT ARGV...` in this process; an exception escaping main is an outcome too."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(["--root", str(root), *argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        except Exception:  # noqa: BLE001 - reported as a problem below, with its traceback
            traceback.print_exc()
            code = None
    return Outcome(" ".join(argv), code, stdout.getvalue(), stderr.getvalue())


def _last_line(raw: bytes) -> int:
    return raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)


WHOLE_FILE_RULES = {"file-unreadable"}   # findings.py: line 0 = the whole file


def problems(outcome: Outcome, root: Path) -> list[str]:
    """What is wrong with one run; [] when it behaved."""
    found = []
    if outcome.code not in (0, 1, 2):
        found.append(f"exit code {outcome.code}")
    both = outcome.stdout + outcome.stderr
    if "Traceback" in both or "内部错误" in both:
        found.append("traceback")
    elif outcome.code == 2 and not outcome.stderr.strip():
        found.append("exit code 2 without a word of why")
    if outcome.code in (0, 1) and "--format json" in outcome.command:
        try:
            items = json.loads(outcome.stdout or "[]")
        except ValueError:
            return found + ["--format json printed no JSON"]
        for item in items:
            if "line" not in item:  # the staff report: items, not findings
                if not item.get("message"):
                    found.append(f"report item without a message: {item}")
                continue
            if item["severity"] == "error" and item["line"] < 1 and item["rule"] not in WHOLE_FILE_RULES:
                found.append(f"finding without a line: {item['path']} [{item['rule']}] {item['message']}")
            path = root / item["path"]
            if path.is_file() and item["line"] > _last_line(path.read_bytes()) + 1:  # + 1: the end of the file
                found.append(f"finding past the end of its file: {item['path']}:{item['line']} [{item['rule']}]")
            if not item["message"].strip():
                found.append(f"finding without a message: {item['path']} [{item['rule']}]")
    return found


@dataclass
class Campaign:
    """scripts/fuzz sets `CAMPAIGN` to one of these: problems are counted instead of failing the
    property, so that a long run finds more than one crash. Per property: cases run, and per kind
    of crash (its last frame in directory/) the smallest input that showed it."""

    cases: dict[str, int] = field(default_factory=dict)
    crashes: dict[tuple[str, str], dict] = field(default_factory=dict)

    def record(self, prop: str, target: str, content: bytes, outcome: Outcome, found: list[str]) -> None:
        signature = crash_signature(outcome, found)
        known = self.crashes.get((prop, signature))
        if known is None or len(content) < len(known["content"]):
            self.crashes[(prop, signature)] = {"target": target, "content": content, "command": outcome.command,
                                               "problems": found, "output": outcome.stdout[-3000:] + outcome.stderr[-6000:],
                                               "count": (known or {"count": 0})["count"] + 1}
        else:
            known["count"] += 1


def crash_signature(outcome: Outcome, found: list[str]) -> str:
    """Where it broke: the last `File ".../directory/..." line N, in f` of the traceback and the
    exception's type; else the first problem with the file names taken out."""
    frames = re.findall(r'File "[^"]*?(directory/[^"]+)", line (\d+), in (\S+)', outcome.stderr)
    if frames:
        # the exception's line: the last unindented `module.Name: text` of the traceback
        names = re.findall(r"^([A-Za-z_][\w.]*)(?::|$)", outcome.stderr, flags=re.MULTILINE)
        exception = next((name for name in reversed(names) if name != "Traceback"), "?")
        return f"{frames[-1][0]}:{frames[-1][1]} in {frames[-1][2]}: {exception}"
    return re.sub(r"\S+\.(yaml|json)(:\d+)?", "FILE", found[0])


CAMPAIGN: Campaign | None = None


def exercise(prop: str, library: FuzzLibrary, target: str, content: bytes, commands) -> None:
    with library.mutated(target, content):
        for argv in commands:
            outcome = run(library.root, *argv)
            found = problems(outcome, library.root)
            if CAMPAIGN is not None:
                CAMPAIGN.cases[prop] = CAMPAIGN.cases.get(prop, 0) + (argv is commands[0])
                if found:
                    CAMPAIGN.record(prop, target, content, outcome, found)
                continue
            assert not found, f"{outcome.command} -> {outcome.code}: {found}\n{outcome.stdout[-2000:]}\n{outcome.stderr[-4000:]}"


VALIDATE_AND_REPORT = (["validate", "--format", "json", "--today", TODAY],
                       ["report", "--format", "json", "--today", TODAY])


# ---------------------------------------------------------------- the properties

@examples(ci=100)
@given(data=st.data())
def test_a_damaged_record_gives_findings_never_a_crash(fuzz_library, data):
    target, content = data.draw(mutations("record"))
    exercise("record", fuzz_library, target, content, VALIDATE_AND_REPORT)


@examples(ci=50)
@given(data=st.data())
def test_a_damaged_batch_gives_findings_never_a_crash(fuzz_library, data):
    target, content = data.draw(mutations("batch"))
    exercise("batch", fuzz_library, target, content, VALIDATE_AND_REPORT)


@examples(ci=30)
@given(data=st.data())
def test_a_damaged_scheme_file_gives_findings_never_a_crash(fuzz_library, data):
    target, content = data.draw(mutations("scheme"))
    exercise("scheme", fuzz_library, target, content, VALIDATE_AND_REPORT)


@examples(ci=30)
@given(data=st.data())
def test_a_damaged_json_schema_gives_findings_never_a_crash(fuzz_library, data):
    target, content = data.draw(mutations("schema"))
    exercise("schema", fuzz_library, target, content, VALIDATE_AND_REPORT)


@examples(ci=30)
@given(data=st.data())
def test_a_damaged_holidays_file_gives_findings_never_a_crash(fuzz_library, data):
    target, content = data.draw(mutations("holidays"))
    exercise("holidays", fuzz_library, target, content, VALIDATE_AND_REPORT)


@settings(max_examples=3 if PROFILE == "ci" else 25)
@given(case=odd_text_in_a_record())
def test_odd_unicode_in_a_record_never_crashes_the_build(site_library, case):
    target, content = case
    exercise("build", site_library, target, content, (["build", "--today", TODAY],))


# ---------------------------------------------------------------- crashes the fuzzer found, fixed

# (file, text in it, replaced by): each crashed validate or report once. What validate says of the
# value depends on the checks in force (main's checks/text.py reports a date past 2099 as
# date-out-of-range; before it, the condition reading the date reports it, or nothing does):
# what must hold is no crash, and that every error found in the file is on the edited line.
REGRESSIONS = [
    # dates.py years_end: 9999-12-31 + 2 years left the calendar (ValueError)
    ("providers/jilin-city-sme/experts/liu-ming.yaml", "term: {start: 2025-09-01}", "term: {start: 9999-12-31}"),
    ("schemes/hunan-sme-hexin/batches/t-2025.yaml", "  date: 2025-10-20", "  date: 9999-12-31"),
    # dates.py add_months: the day a provider has operated 2 years, from 9999-12-31
    ("providers/hebei-sme-youzhi/sjz-huizhi.yaml", "established: 2017-08-08", "established: 9999-12-31"),
    # derive.py publicity_end: `true` is an int in Python, and no count of working days
    ("schemes/hubei-afxh/batches/t-2025.yaml", "  working_days: 5", "  working_days: true"),
    # report.py _latest_run: "²".isdigit() is true, int("²") is not a number
    ("providers/hebei-sme-youzhi/sjz-huizhi.yaml", "grades: {2025: A}", 'grades: {"²": A}'),
    # report.py _grade_items: grades up to 9999 mean an observation period from 10000-01-01
    ("providers/hebei-sme-youzhi/sjz-huizhi.yaml", "grades: {2025: A}", "grades: {9998: C, 9999: C}"),
]


@pytest.mark.parametrize("target, old, new", REGRESSIONS,
                         ids=[f"{target.split('/')[-1]}:{new.strip()}" for target, _, new in REGRESSIONS])
def test_a_value_that_once_crashed_gives_findings_on_its_line(fuzz_library, target, old, new):
    text = edit(FuzzLibrary.original(target), old, new)
    with fuzz_library.mutated(target, text.encode("utf-8")):
        validated = run(fuzz_library.root, *VALIDATE_AND_REPORT[0])
        reported = run(fuzz_library.root, *VALIDATE_AND_REPORT[1])
    assert problems(validated, fuzz_library.root) == [] and problems(reported, fuzz_library.root) == []
    assert reported.code == 0
    errors = [f for f in json.loads(validated.stdout) if f["severity"] == "error"]
    assert validated.code == (1 if errors else 0)
    assert {(f["path"], f["line"]) for f in errors} <= {(target, line_of(text, new.strip()))}
    assert all(f["message"] and f["rule"] for f in errors)


@pytest.mark.parametrize("helper, day, amount, expected", [
    (add_years, date(9999, 1, 1), 3, date(9999, 12, 31)),
    (years_end, date(9999, 12, 31), 2, date(9999, 12, 31)),
    (years_end, date(9997, 1, 1), 2, date(9998, 12, 31)),      # still inside the calendar: as before
    (add_months, date(9999, 12, 31), 24, date(9999, 12, 31)),
    (add_months, date(9999, 11, 30), 1, date(9999, 12, 30)),
])
def test_date_arithmetic_past_9999_stops_at_the_last_day_of_the_calendar(helper, day, amount, expected):
    assert helper(day, amount) == expected


# ---------------------------------------------------------------- found, to be fixed on other branches

def test_a_control_character_in_a_name_does_not_crash_the_open_data(site_library):
    target = "providers/hebei-sme-youzhi/sjz-huizhi.yaml"
    text = edit(FuzzLibrary.original(target), "name: 石家庄汇智数字科技有限公司", 'name: "\\0石家庄汇智数字科技有限公司"')
    exercise("build", site_library, target, text.encode("utf-8"), (["build", "--today", TODAY],))


def test_a_line_separator_inside_a_value_does_not_shift_the_lines_of_the_findings(fuzz_library):
    target = "schemes/hebei-sme-youzhi/batches/2025-1.yaml"
    text = FuzzLibrary.original(target)
    text = re.sub(r"(objection_contact: )(.*)", "\\1'\\2\u2028\u2028'", text, count=1)
    text = re.sub(r"(\n  date: )\S+", "\\1[]", text, count=1)
    with fuzz_library.mutated(target, text.encode("utf-8")):
        validated = run(fuzz_library.root, *VALIDATE_AND_REPORT[0])
    wrong_type = [f["line"] for f in json.loads(validated.stdout) if f["rule"] == "schema-type"]
    assert wrong_type == [text.split("\n").index("  date: []") + 1]
