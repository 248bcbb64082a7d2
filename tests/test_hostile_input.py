"""Hostile and broken input: each case is a located finding, or a usage message with exit code 2 —
never a traceback, a hang, a crashed process, memory exhausted, or a silent "没有发现问题"."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import edit, good_record, line_of
from directory.cli import main
from directory.rules.calendar import load_calendar

HUNAN = "providers/hunan-sme-hexin"
NAME = "name: 长沙智远企业管理咨询有限公司"
PROFILE = "profile: 长沙智远成立于 2018 年，专注中小企业数字化转型咨询。"
AREA = "  area_m2: 300"
LEGAL = "legal_representative: 张某"
# "billion laughs": nine lines that a careless loader expands into 10**9 strings
BOMB = "\n".join(['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                 + [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)])


def validate(root: Path, *args: str) -> tuple[int, list[dict], str]:
    """`directory validate` run in this process: (exit code, findings as JSON, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "validate", "--format", "json", "--today", "2026-11-23", *args])
    return code, json.loads(out.getvalue() or "[]"), err.getvalue()


def found(findings: list[dict]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["rule"]) for f in findings]


def message_of(findings: list[dict], rule: str) -> str:
    return next(f["message"] for f in findings if f["rule"] == rule)


# (case, text replaced in the good 湖南 record, replacement, rule, a fragment of the line it is on, message part)
RECORD_CASES = [
    # YAML structures that cost memory or time, refused before they are built
    ("billion laughs", PROFILE, f"{PROFILE}\n{BOMB}", "yaml-alias", "lol0: &a0", "锚点和别名"),
    ("a self-referencing alias", "services:\n", "services: &loop\n  - *loop\n", "yaml-alias", "services: &loop", "& 和 *"),
    ("a merge key", "contact: {", "base: &phone {phone: \"0731-88886666\"}\nother: {<<: *phone}\ncontact: {",
     "yaml-alias", "base: &phone", "锚点和别名"),
    ("50,000 nested brackets", AREA, "  area_m2: " + "[" * 50_000 + "]" * 50_000, "yaml-too-deep", "area_m2", "嵌套超过 100 层"),
    ("50,000 nested block lists", AREA, "  area_m2:\n    " + "- " * 50_000 + "1", "yaml-too-deep", "- - -", "嵌套超过 100 层"),
    ("a file over 1 MB", PROFILE, "profile: " + "长" * 400_000, "file-too-large", "id: cs-zhiyuan", "1,000,000"),
    # tags: a loader that honours them builds objects (or runs code) from a record
    ("!!binary", NAME, "name: !!binary 5Lit5paH", "yaml-tag", "name:", "「!!binary」"),
    ("!!set", "categories: [数字化转型]", "categories: !!set {数字化转型}", "yaml-tag", "categories:", "「!!set」"),
    ("!!python/object", NAME, "name: !!python/object/apply:os.system [echo hacked]", "yaml-tag", "name:",
     "「!!python/object/apply:os.system」"),
    ("!!omap", "facts:\n", "facts: !!omap\n", "yaml-tag", "facts:", "「!!omap」"),
    ("an unknown tag", LEGAL, "legal_representative: !foo 张某", "yaml-tag", "legal_representative", "「!foo」"),
    # numbers no figure is, and that make comparisons lie (every comparison with NaN is false)
    ("10**400", AREA, "  area_m2: 1" + "0" * 400, "yaml-number-too-large", "area_m2", "过大"),
    ("5,000 digits (beyond Python's int-str limit)", AREA, "  area_m2: " + "9" * 5000, "yaml-number-too-large",
     "area_m2", "过大"),
    (".NaN", "  satisfaction_pct: 92", "  satisfaction_pct: .NaN", "yaml-number-not-finite", "satisfaction_pct",
     "「.NaN」"),
    (".inf", AREA, "  area_m2: .inf", "yaml-number-not-finite", "area_m2", "「.inf」"),
    ("-.inf", "  staff_full_time: 20", "  staff_full_time: -.inf", "yaml-number-not-finite", "staff_full_time",
     "「-.inf」"),
    ("1.0e+400, infinite as a float", AREA, "  area_m2: 1.0e+400", "yaml-number-not-finite", "area_m2", "1.0e+400"),
    # dates whose derived ends overflow, or that no institution has
    ("founded in 9999", "established: 2018-05-10", "established: 9999-12-31", "date-out-of-range", "established",
     "9999-12-31"),
    ("founded before 1900", "established: 2018-05-10", "established: 1899-12-31", "date-out-of-range",
     "established", "1900-01-01 至 2099-12-31"),
    ("revoked in 9999 (the ban would end after 9999)", "  status: recognized",
     "  status: revoked\n  revocation: {date: 9999-12-31, reason: 测试, basis: 第十九条（一）}",
     "date-out-of-range", "revocation:", "9999-12-31"),
    # characters nobody sees
    ("a control character", NAME, r'name: "长沙智远\x01企业管理咨询有限公司"', "text-control-character", "name:", "U+0001"),
    ("a NUL character", NAME, r'name: "长沙智远\0企业管理咨询有限公司"', "text-control-character", "name:", "U+0000"),
    ("DEL (U+007F)", NAME, r'name: "长沙智远\x7f企业管理咨询有限公司"', "text-control-character", "name:", "U+007F"),
    ("a C1 control (U+0085)", NAME, r'name: "长沙智远\N企业管理咨询有限公司"', "text-control-character", "name:", "U+0085"),
    ("a tab inside a name", NAME, r'name: "长沙智远\t企业管理咨询有限公司"', "text-control-character", "name:", "制表符"),
    ("a zero-width space", NAME, r'name: "长沙智远\u200b企业管理咨询有限公司"', "text-invisible-character", "name:",
     "零宽空格（U+200B）"),
    ("a right-to-left mark", NAME, r'name: "长沙智远\u200f企业管理咨询有限公司"', "text-invisible-character", "name:",
     "U+200F"),
    ("a word joiner", LEGAL, r'legal_representative: "张\u2060某"', "text-invisible-character", "legal_representative",
     "U+2060"),
    ("a byte order mark inside text", LEGAL, r'legal_representative: "张\ufeff某"', "text-invisible-character",
     "legal_representative", "U+FEFF"),
    ("a leading zero-width space", NAME, r'name: "\u200b长沙智远企业管理咨询有限公司"', "text-invisible-character",
     "name:", "第 1 个字符"),
    ("a leading ideographic space", NAME, r'name: "\u3000长沙智远企业管理咨询有限公司"', "text-surrounding-space",
     "name:", "开头有多余的全角空格（U+3000）"),
    ("a trailing no-break space", LEGAL, r'legal_representative: "张某\u00a0"', "text-surrounding-space",
     "legal_representative", "末尾有多余的不换行空格"),
    ("a trailing tab", LEGAL, r'legal_representative: "张某\t"', "text-control-character", "legal_representative",
     "制表符"),
    ("a line break in a one-line field", NAME, r'name: "长沙智远\n企业管理咨询有限公司"', "text-line-break", "name:",
     "只能写一行"),
    ("a zero-width space in a key", AREA, r'  "area_m2\u200b": 300', "text-invisible-character", "area_m2",
     "的字段名"),
    # a final newline that a pattern's `$` lets through in Python
    ("a postal code ending in a newline (a | block)", 'postal_code: "410011"', "postal_code: |\n  410011",
     "postal-code", "postal_code", "410011"),
    ("a website ending in a \\n escape", "website: https://zhiyuan.example.cn",
     r'website: "https://zhiyuan.example.cn\n"', "website", "website", "网址"),
    ("a phone number ending in a newline", 'phone: "0731-88886666"', r'phone: "0731-88886666\n"', "phone",
     "contact:", "服务电话"),
]


@pytest.mark.parametrize("case, old, new, rule, fragment, part", RECORD_CASES, ids=[c[0] for c in RECORD_CASES])
def test_a_hostile_record_is_a_located_finding(library, case, old, new, rule, fragment, part):
    text = edit(good_record("hunan-sme-hexin"), old, new)
    path = library.add("hunan-sme-hexin", text, stem="cs-zhiyuan")
    code, findings, _ = validate(library.root)
    assert code == 1
    assert (path, line_of(text, fragment), rule) in found(findings), findings
    assert part in message_of(findings, rule)


BATCH = "schemes/hunan-sme-hexin/batches/t-2025.yaml"
BATCH_CASES = [
    ("a batch decided in 9999 (the validity would end after 9999)", "  date: 2025-10-20", "  date: 9999-06-01",
     "date-out-of-range", "date: 9999"),
    ("a control character in a batch title", "title: 2025 年度第一批（测试）", r'title: "2025 年度第一批\x1b（测试）"',
     "text-control-character", "title:"),
]


@pytest.mark.parametrize("case, old, new, rule, fragment", BATCH_CASES, ids=[c[0] for c in BATCH_CASES])
def test_a_hostile_batch_is_a_located_finding(library, case, old, new, rule, fragment):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    relative = BATCH
    text = edit((library.root / relative).read_text(encoding="utf-8"), old, new)
    library.write(relative, text)
    code, findings, _ = validate(library.root)
    assert code == 1
    assert (relative, line_of(text, fragment), rule) in found(findings), findings


def test_an_expert_whose_term_starts_in_9999_is_a_finding(library):
    text = edit(good_record("jilin-city-sme", "expert"), "term: {start: 2025-09-01}", "term: {start: 9999-12-31}")
    path = library.add("jilin-city-sme", text, kind="expert")
    code, findings, _ = validate(library.root)
    assert code == 1 and (path, line_of(text, "term:"), "date-out-of-range") in found(findings)


ORDINARY_CASES = [
    ("a profile written over several lines", PROFILE, "profile: |\n  长沙智远成立于 2018 年。\n  专注中小企业数字化转型咨询。"),
    ("an & inside a quoted name", NAME, 'name: "长沙智远&合伙企业管理咨询有限公司"'),
    ("a value forced to text with !!str", 'postal_code: "410011"', "postal_code: !!str 410011"),
    ("an unquoted 18-digit number, which the schema asks to quote", 'credit_code: "91430102MA4L2X1Q5B"',
     "credit_code: 914301021234567891"),
]


@pytest.mark.parametrize("case, old, new", ORDINARY_CASES, ids=[c[0] for c in ORDINARY_CASES])
def test_ordinary_input_near_the_limits_is_not_refused_at_load(library, case, old, new):
    library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), old, new))
    _, findings, _ = validate(library.root)
    assert [f["rule"] for f in findings] in ([], ["yaml-unquoted-number"])


def test_every_text_line_is_one_finding_even_when_a_value_holds_a_line_break(library):
    library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), 'credit_code: "91430102MA4L2X1Q5B"',
                                        r'credit_code: "91430102MA4L2X1Q5B\n"'))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--root", str(library.root), "validate", "--today", "2026-11-23"])
    lines = out.getvalue().splitlines()
    assert code == 1 and len(lines) == 2  # the credit code's length, and the line break itself
    assert all(re.match(rf"^{HUNAN}/cs-zhiyuan\.yaml:4:14: error\[[a-z-]+\] ", line) for line in lines), lines
    assert any("91430102MA4L2X1Q5B\\n" in line for line in lines)


def test_a_message_quoting_a_value_of_most_of_a_megabyte_is_cut_short(library):
    library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), 'postal_code: "410011"',
                                        'postal_code: "' + "1" * 900_000 + '"'))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--root", str(library.root), "validate", "--today", "2026-11-23"])
    [line] = out.getvalue().splitlines()
    assert code == 1 and "error[postal-code]" in line and line.endswith("…（过长，已截断）") and len(line) < 700


# --- files that are not regular files inside the repository ---------------------------------------

def broken_link(library, folder):
    os.symlink(library.root / "nowhere.yaml", library.root / folder / "gone.yaml")
    return f"{folder}/gone.yaml"


def looping_link(library, folder):
    os.symlink("loop.yaml", library.root / folder / "loop.yaml")
    return f"{folder}/loop.yaml"


def link_outside(library, folder):
    outside = library.root.parent / f"{library.root.name}-outside.yaml"
    outside.write_text(good_record("hunan-sme-hexin"), encoding="utf-8")
    os.symlink(outside, library.root / folder / "outside.yaml")
    return f"{folder}/outside.yaml"


def fifo(library, folder):
    os.mkfifo(library.root / folder / "pipe.yaml")  # opening it for reading would wait for a writer
    return f"{folder}/pipe.yaml"


def folder_named_yaml(library, folder):
    (library.root / folder / "x.yaml").mkdir()
    return f"{folder}/x.yaml"


def scheme_folder_linked_outside(library, folder):
    outside = library.root.parent / f"{library.root.name}-elsewhere"
    (outside / "experts").mkdir(parents=True)
    os.symlink(outside, library.root / "providers" / "jilin-city-sme")
    return "providers/jilin-city-sme"


def misplaced(library, folder):
    library.write("providers/cs-zhiyuan.yaml", good_record("hunan-sme-hexin"))
    return "providers/cs-zhiyuan.yaml"


def unreadable_file(library, folder):
    library.write(f"{folder}/secret.yaml", good_record("hunan-sme-hexin"))
    (library.root / folder / "secret.yaml").chmod(0)
    return f"{folder}/secret.yaml"


def unreadable_folder(library, folder):
    (library.root / "providers/hebei-sme-youzhi").mkdir(parents=True)
    (library.root / "providers/hebei-sme-youzhi").chmod(0)
    return "providers/hebei-sme-youzhi"


BATCHES = "schemes/hunan-sme-hexin/batches"
AS_ROOT = pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its mode")
FILE_CASES = [
    ("a broken symlink", broken_link, HUNAN, "file-broken-link"),
    ("a looping symlink", looping_link, HUNAN, "file-broken-link"),
    ("a symlink out of the repository", link_outside, HUNAN, "file-outside-repository"),
    ("a scheme folder linked out of the repository", scheme_folder_linked_outside, HUNAN, "file-outside-repository"),
    ("a FIFO", fifo, HUNAN, "file-not-regular"),
    ("a folder named x.yaml", folder_named_yaml, HUNAN, "file-not-regular"),
    ("a FIFO among the batches", fifo, BATCHES, "file-not-regular"),
    ("a folder named x.yaml among the batches", folder_named_yaml, BATCHES, "file-not-regular"),
    ("a broken symlink among the batches", broken_link, BATCHES, "file-broken-link"),
    ("a record outside any scheme folder", misplaced, HUNAN, "file-misplaced"),
    pytest.param("an unreadable file", unreadable_file, HUNAN, "file-unreadable", marks=AS_ROOT,
                 id="an unreadable file"),
    pytest.param("an unreadable folder", unreadable_folder, HUNAN, "folder-unreadable", marks=AS_ROOT,
                 id="an unreadable folder"),
]


@pytest.mark.parametrize("case, make, folder, rule", FILE_CASES, ids=[c[0] for c in FILE_CASES[:-2]] + [None, None])
def test_an_entry_that_is_not_a_readable_file_is_a_finding_not_a_skip(library, case, make, folder, rule):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    path = make(library, folder)
    code, findings, _ = validate(library.root)
    assert code == 1
    assert (path, 1, rule) in found(findings), findings


# --- the cache of cross-record fields is never trusted ------------------------------------------

def cache_entry(library, data) -> bytes:
    """A cache whose entry for b.yaml is fresh (its stamp matches) but holds `data`."""
    info = (library.root / HUNAN / "b.yaml").stat()
    entry = {"stamp": [info.st_size, info.st_mtime_ns], "data": data}
    return json.dumps({"version": 1, "records": {f"{HUNAN}/b.yaml": entry}}).encode()


CACHE_CASES = [
    ("not JSON", lambda library: b"{not json"),
    ("a list", lambda library: b"[]"),
    ("records that are a list", lambda library: b'{"version": 1, "records": []}'),
    ("an entry whose data is not a mapping", lambda library: cache_entry(library, [1, 2])),
    ("an entry holding fields the cache never keeps", lambda library: cache_entry(library, {"facts": {}})),
    ("an entry whose stamp is text", lambda library: cache_entry(library, {}).replace(b'"stamp": [', b'"stamp": ["x", ')),
    ("NaN", lambda library: b'{"version": NaN}'),
    ("100,000 nested lists", lambda library: b"[" * 100_000 + b"]" * 100_000),
    ("huge", None),
]


@pytest.mark.parametrize("case, content", CACHE_CASES, ids=[c[0] for c in CACHE_CASES])
def test_a_damaged_cache_is_ignored_and_rewritten(library, case, content):
    library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), "id: cs-zhiyuan", "id: a"))
    # b's credit code differs from a's (a duplicate would be a finding on a); b is not checked itself
    library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), "id: cs-zhiyuan", "id: b")
                .replace("91430102MA4L2X1Q5B", "91430102MA4L2X1Q6X"))
    cache = library.root / ".cache/directory/records.json"
    cache.parent.mkdir(parents=True)
    if content is None:
        with cache.open("wb") as handle:
            handle.truncate(300_000_000)  # sparse: large on paper, no time to write
    else:
        cache.write_bytes(content(library))
    code, findings, stderr = validate(library.root, str(library.root / HUNAN / "a.yaml"))
    assert (code, findings) == (0, []), stderr
    assert sorted(json.loads(cache.read_text(encoding="utf-8"))["records"]) == [f"{HUNAN}/a.yaml", f"{HUNAN}/b.yaml"]


def fifo_left(temporary: Path, outside: Path) -> None:
    os.mkfifo(temporary)  # opened for writing, it would wait for a reader forever


def link_left(temporary: Path, outside: Path) -> None:
    os.symlink(outside, temporary)


@pytest.mark.parametrize("make", [fifo_left, link_left], ids=["a FIFO", "a symlink out of the repository"])
def test_the_cache_is_never_written_into_what_lies_where_it_is_written(library, make):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    temporary = library.root / ".cache/directory/records.tmp"
    temporary.parent.mkdir(parents=True)
    outside = library.root.parent / f"{library.root.name}-precious.txt"
    outside.write_text("不要改动\n", encoding="utf-8")
    make(temporary, outside)
    assert validate(library.root)[:2] == (0, [])
    assert outside.read_text(encoding="utf-8") == "不要改动\n"
    assert f"{HUNAN}/cs-zhiyuan.yaml" in json.loads((library.root / ".cache/directory/records.json").read_text())["records"]


# --- the command line -------------------------------------------------------------------------------

def providers_is_a_file(library):
    (library.root / "providers").write_text("", encoding="utf-8")


def schemes_is_a_file(library):
    import shutil
    shutil.rmtree(library.root / "schemes")
    (library.root / "schemes").write_text("", encoding="utf-8")


def with_record(library):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))


USAGE_CASES = [
    ("a path outside the repository", with_record, ["/etc/passwd"], "不在名录仓库"),
    ("a path that is not a library file", with_record, ["README.md"], "不是名录的文件"),
    ("a path that does not exist", with_record, [f"{HUNAN}/typo.yaml"], "找不到"),
    ("a path with a NUL byte", with_record, ["a\0b"], "找不到"),
    ("providers that is a file", providers_is_a_file, [], "不是文件夹"),
    ("schemes that is a file", schemes_is_a_file, [], "不是文件夹"),
    ("a library with no records", lambda library: None, [], "还没有任何记录"),
]


@pytest.mark.parametrize("case, make, args, part", USAGE_CASES, ids=[c[0] for c in USAGE_CASES])
def test_a_wrong_place_is_a_usage_message_with_exit_2(library, monkeypatch, case, make, args, part):
    make(library)
    (library.root / "README.md").write_text("说明\n", encoding="utf-8")
    monkeypatch.chdir(library.root)
    code, findings, stderr = validate(library.root, *args)
    assert (code, findings) == (2, [])
    assert part in stderr and "没有发现问题" not in stderr and "Traceback" not in stderr


def crash(*args, **kwargs):
    raise KeyError("internal-detail")


@pytest.mark.parametrize("debug, shown, hidden", [
    ([], "请加 --debug 重新运行", "Traceback"),
    (["--debug"], "Traceback", "请加 --debug"),
], ids=["without --debug", "with --debug"])
def test_an_internal_error_is_one_chinese_line_unless_debug_is_asked(library, monkeypatch, debug, shown, hidden):
    with_record(library)
    monkeypatch.setattr("directory.checks.validate.validate_repository", crash)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main([*debug, "--root", str(library.root), "validate"])
    assert code == 2 and shown in err.getvalue() and hidden not in err.getvalue()
    if not debug:
        assert len(err.getvalue().splitlines()) == 1 and "internal-detail" not in err.getvalue()


def test_a_library_of_hostile_files_is_checked_within_3_gb_of_memory(library):
    """The whole run in a process that cannot take more than 3 GB: a bomb would be killed."""
    for index, (case, old, new, rule, _, _) in enumerate(RECORD_CASES[:6]):
        library.add("hunan-sme-hexin", edit(good_record("hunan-sme-hexin"), old, new), stem=f"hostile-{index}")

    def limit_memory():
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        limit = 3 << 30 if hard == resource.RLIM_INFINITY else min(3 << 30, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run([sys.executable, "-m", "directory", "validate", "--format", "json"], cwd=library.root,
                            capture_output=True, text=True, timeout=300, preexec_fn=limit_memory)
    assert result.returncode == 1, result.stderr
    rules = {(f["path"], f["rule"]) for f in json.loads(result.stdout)}
    assert rules == {(f"{HUNAN}/hostile-{index}.yaml", case[3]) for index, case in enumerate(RECORD_CASES[:6])}


# ---------------------------------------------------------------- rules files that are not files

@pytest.mark.parametrize("relative", ["schemes/hunan-sme-hexin/provider.schema.json", "schemes/_common/holidays.yaml"])
def test_a_fifo_in_place_of_a_rules_file_is_a_finding_not_a_hang(library, relative):
    path = library.root / relative
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    findings = [(f.path, f.rule) for f in library.findings()] + \
        [(f.path, f.rule) for f in load_calendar(library.root).findings]
    assert (relative, "file-not-regular") in findings
