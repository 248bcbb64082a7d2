"""The fast paths of `directory validate` find exactly what the slow ones find.

* the cache (.cache/directory/records.json): a library checked again after a change, with the
  cache of the run before, gives the findings of a run without any cache; a cache not signed
  with this machine's key is not trusted;
* the jsonschema-rs gate (rules/schemas.py): a record it passes has no jsonschema error, and the
  findings with and without it are the same;
* the processes (repository.parallel_map): findings are the same with and without them.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from conftest import edit, good_record, line_of
from directory.cli import main
from directory.library import repository as repository_module
from directory.rules import schemas as schemas_module
from directory.rules.codes import credit_code_check_character

HUNAN = "providers/hunan-sme-hexin"
CODE = "91430102MA4L2X1Q5B"


def validate(root: Path, *args: str, today: str = "2026-11-23") -> tuple[int, list[dict]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "validate", "--format", "json", "--today", today, *args])
    assert code in (0, 1), err.getvalue()
    return code, json.loads(out.getvalue() or "[]")


def code_of(stem: str) -> str:
    """A valid credit code of its own for each record."""
    first17 = f"91430102MA{sum(map(ord, stem)) * 7919 % 10_000_000:07d}"
    return first17 + credit_code_check_character(first17)


def hunan(stem: str, old: str = "", new: str = "", code: str = "") -> str:
    text = edit(good_record("hunan-sme-hexin"), "id: cs-zhiyuan", f"id: {stem}").replace(CODE, code or code_of(stem))
    return edit(text, old, new) if old else text


def mixed_library(library):
    """Clean records of every scheme and records with every kind of finding: a schema error, an
    entry condition, a duplicate credit code (across records), a duplicate key, a syntax error."""
    for scheme in ("hunan-sme-hexin", "hubei-sme-yanxuan", "hebei-sme-youzhi", "hubei-afxh", "jilin-city-sme"):
        library.add(scheme, good_record(scheme))
    library.add("jilin-city-sme", good_record("jilin-city-sme", "expert"), kind="expert")
    library.add("hunan-sme-hexin", hunan("small", "  area_m2: 300", "  area_m2: 120"))
    library.add("hunan-sme-hexin", hunan("wide-digits", 'postal_code: "410011"', 'postal_code: "４１００１１"'))
    library.add("hunan-sme-hexin", hunan("twin", code=CODE))   # the same code as cs-zhiyuan
    library.add("hunan-sme-hexin", hunan("twice", "nature: 私人企业", "nature: 私人企业\nnature: 国有企业"))
    library.write(f"{HUNAN}/broken.yaml", "id: broken\nname: [unclosed\n")
    return library


def fresh(library) -> list[dict]:
    """The findings of a run with no cache at all (neither of the records nor of the rules files)."""
    shutil.rmtree(library.root / repository_module.CACHE_FILE.parent, ignore_errors=True)
    return validate(library.root)[1]


def touch_earlier(path: Path) -> None:
    """As a checkout does: the content kept, the modification time another."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60_000_000_000))


# (case, what changes between the run that fills the cache and the run that uses it)
CHANGES = [
    ("nothing", lambda library: None),
    ("a record gets an error", lambda library: library.add("hunan-sme-hexin", hunan("small", "  area_m2: 300", "  area_m2: 10"))),
    ("a record's error is mended", lambda library: library.add("hunan-sme-hexin", hunan("small"))),
    ("a record is added", lambda library: library.add("hunan-sme-hexin", hunan("new", "  area_m2: 300", "  area_m2: 1"))),
    ("a record is deleted", lambda library: (library.root / HUNAN / "twin.yaml").unlink()),
    ("a syntax error is mended", lambda library: library.add("hunan-sme-hexin", hunan("broken"))),
    ("a record becomes a syntax error", lambda library: library.write(f"{HUNAN}/small.yaml", "id: [\n")),
    ("a file is touched, its content the same", lambda library: touch_earlier(library.root / HUNAN / "small.yaml")),
    ("a rules file changes", lambda library: library.write(
        "schemes/hunan-sme-hexin/scheme.yaml",
        edit((library.root / "schemes/hunan-sme-hexin/scheme.yaml").read_text(encoding="utf-8"),
             "field: facts.area_m2, min: 150,", "field: facts.area_m2, min: 400,"))),
    ("a shared schema changes", lambda library: library.write(
        "schemes/_common/defs.schema.json",
        (library.root / "schemes/_common/defs.schema.json").read_text(encoding="utf-8").replace('"^[0-9]{6}$"', '"^[0-9]{5}$"'))),
    ("a batch changes", lambda library: library.write(
        "schemes/hunan-sme-hexin/batches/t-2025.yaml",
        (library.root / "schemes/hunan-sme-hexin/batches/t-2025.yaml").read_text(encoding="utf-8")
        .replace("decision:", "decision_gone:"))),
    ("the cache is damaged", lambda library: (library.root / repository_module.CACHE_FILE).write_bytes(b'{"version": 2, "rec')),
    ("the cache is cut short", lambda library: (library.root / repository_module.CACHE_FILE).write_bytes(
        (library.root / repository_module.CACHE_FILE).read_bytes()[:-100])),
    ("the cache's entries are garbage", lambda library: rewrite_cache(library.root, garbage)),
    ("the cache's entries are edited", lambda library: rewrite_cache(library.root, no_findings)),
]


def rewrite_cache(root: Path, change, signed: bool = False) -> None:
    """The cache with `change` made to its entries ([size, mtime_ns, digest, findings, record,
    data, checked]), under its old signature, or signed again with this machine's key."""
    path = root / repository_module.CACHE_FILE
    (root / repository_module.CHANGES_FILE).unlink(missing_ok=True)
    raw = path.read_bytes()
    head = repository_module._CACHE_HEAD.match(raw)
    entries = json.loads(raw[head.end():-1])
    change(entries)
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
    written = int(head[2])
    signature = repository_module._signature(written, "", body).encode() if signed else head[4]
    path.write_bytes(repository_module.CACHE_HEAD % (repository_module.CACHE_VERSION, written, b"", signature)
                     + body + b"}")


def garbage(entries: dict) -> None:
    for number, entry in enumerate(entries.values()):
        entry[[3, 6, 5, 0][number % 4]] = [["x"]]   # findings, checked, data, size


def no_findings(entries: dict) -> None:
    """What a forged cache would claim: no file has any finding."""
    for entry in entries.values():
        entry[3] = []
        entry[6] = [entry[6][0], []] if entry[6] else None


def an_edit_checked(library) -> None:
    """A run after one record was edited: it writes the file of changes (changes.json) only."""
    library.add("hunan-sme-hexin", hunan("wide-digits", 'postal_code: "410011"', 'postal_code: "４１００１２"'))
    whole = (library.root / repository_module.CACHE_FILE).read_bytes()
    validate(library.root)
    assert (library.root / repository_module.CACHE_FILE).read_bytes() == whole
    assert (library.root / repository_module.CHANGES_FILE).is_file()


# (the cache of the run before: records.json alone, or with the changes of a run after an edit)
BEFORE = [("records.json", lambda library: None), ("records.json and changes.json", an_edit_checked)]


@pytest.mark.parametrize("before, before_change", BEFORE, ids=[before for before, _ in BEFORE])
@pytest.mark.parametrize("case, change", CHANGES, ids=[case for case, _ in CHANGES])
def test_a_run_with_the_cache_finds_what_a_run_without_it_finds(library, case, change, before, before_change):
    mixed_library(library)
    first = validate(library.root)[1]
    assert {f["rule"] for f in first} >= {"premises-area", "yaml-duplicate-key", "duplicate-credit-code", "yaml-syntax"}
    before_change(library)
    change(library)
    with_cache = validate(library.root)[1]
    assert with_cache == fresh(library)


def replaced(library, path: str, old: str, new: str) -> None:
    library.write(path, edit((library.root / path).read_text(encoding="utf-8"), old, new))


# (case, a change of the rules files, which the cache of the rules files (rules.pickle) must see)
RULES_CHANGES = [
    ("a scheme.yaml", lambda library: replaced(library, "schemes/hunan-sme-hexin/scheme.yaml",
                                               "field: facts.area_m2, min: 150,", "field: facts.area_m2, min: 400,")),
    ("a scheme's own schema", lambda library: replaced(library, "schemes/hunan-sme-hexin/provider.schema.json",
                                                       "#/$defs/postal_code", "#/$defs/postal_codes")),
    ("a scheme's schema deleted", lambda library: (library.root / "schemes/hunan-sme-hexin/provider.schema.json").unlink()),
    ("a shared schema", lambda library: replaced(library, "schemes/_common/defs.schema.json", '"^[0-9]{6}$"', '"^[0-9]{5}$"')),
    ("the schema of scheme.yaml", lambda library: replaced(library, "schemes/_common/scheme.schema.json",
                                                           '"required": [\n    "id",', '"required": [\n    "no-such-key", "id",')),
    ("the schema of holidays.yaml", lambda library: replaced(library, "schemes/_common/holidays.schema.json",
                                                             '"required": ["years"]', '"required": ["years", "months"]')),
    ("common.yaml", lambda library: replaced(library, "schemes/_common/common.yaml",
                                             "expiring_soon_days: 90", "expiring_soon_days: 九十")),
    ("holidays.yaml", lambda library: replaced(library, "schemes/_common/holidays.yaml", "\nyears: {}\n",
                                               "\nyears:\n  2027:\n    source: 国办发明电\n    holidays: [2027-02-30]\n    workdays: []\n")),
    ("a new scheme folder", lambda library: shutil.copytree(library.root / "schemes/hunan-sme-hexin",
                                                            library.root / "schemes/hunan-copy")),
]


@pytest.mark.parametrize("case, change", RULES_CHANGES, ids=[case for case, _ in RULES_CHANGES])
def test_a_change_of_a_rules_file_is_seen_through_the_cache(library, case, change):
    mixed_library(library)
    validate(library.root)
    first = validate(library.root)[1]   # the rules from rules.pickle now
    change(library)
    with_cache = validate(library.root)[1]
    assert with_cache != first
    assert with_cache == fresh(library)


def test_unchanged_rules_files_are_not_checked_again(library, monkeypatch):
    mixed_library(library)
    first = validate(library.root)[1]
    monkeypatch.setattr(repository_module, "load_schemes", lambda root: pytest.fail("scheme.yaml checked again"))
    monkeypatch.setattr(repository_module, "inline_schemas", lambda root, schemes: pytest.fail("schemas checked again"))
    assert validate(library.root)[1] == first


def test_rules_behind_a_linked_folder_are_not_cached(library, tmp_path):
    """What lies behind a link is not in the digest of the rules files: no rules.pickle then."""
    mixed_library(library)
    shutil.move(library.root / "schemes/hubei-afxh", tmp_path / "hubei-afxh")
    (library.root / "schemes/hubei-afxh").symlink_to(tmp_path / "hubei-afxh", target_is_directory=True)
    first = validate(library.root)[1]
    assert not (library.root / repository_module.RULES_FILE).exists()
    assert validate(library.root)[1] == first == fresh(library)


class Planted:
    """A pickle that leaves a file behind when loaded: what a forged rules.pickle could do."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


@pytest.mark.parametrize("signature", ["none", "another machine's"])
def test_a_rules_cache_not_signed_here_is_never_unpickled(library, tmp_path, monkeypatch, signature):
    mixed_library(library)
    validate(library.root)
    planted = tmp_path / "planted"
    body = pickle.dumps(Planted(planted))
    if signature == "another machine's":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
        repository_module._cache_key.cache_clear()
        head = repository_module._signature(0, repository_module._rules_key(library.root.resolve()), body).encode()
        monkeypatch.undo()
        repository_module._cache_key.cache_clear()
    else:
        head = b"0" * 64
    (library.root / repository_module.RULES_FILE).write_bytes(head + b"\n" + body)
    assert validate(library.root)[1] == fresh(library)
    assert not planted.exists()


def test_a_finding_from_the_cache_keeps_its_line_and_column(library):
    mixed_library(library)
    text = (library.root / HUNAN / "small.yaml").read_text(encoding="utf-8")
    validate(library.root)
    findings = validate(library.root)[1]   # every record from the cache now
    area = next(f for f in findings if f["rule"] == "premises-area")
    assert (area["path"], area["line"], area["column"]) == (f"{HUNAN}/small.yaml", line_of(text, "area_m2"), 12)
    twin = next(f for f in findings if f["rule"] == "duplicate-credit-code" and f["path"].endswith("twin.yaml"))
    assert twin["line"] == line_of(text, "credit_code:")


def test_a_second_run_reads_no_unchanged_file(library, monkeypatch):
    mixed_library(library)
    validate(library.root)
    for path in (library.root / "providers").rglob("*.yaml"):
        touch_earlier(path)   # so much older than the cache that their stamps are trusted
    validate(library.root)
    read = []
    monkeypatch.setattr(repository_module, "read_file", lambda path, *args: read.append(path) or (None, []))
    validate(library.root)
    assert read == []


def test_another_day_is_checked_again(library):
    mixed_library(library)
    # an application under review is judged on the day it is checked: three years operating by 2027-01-10
    library.add("hunan-sme-hexin", hunan("young", "established: 2018-05-10", "established: 2024-01-10")
                .replace("recognition:\n  batch: t-2025\n  certificate_no: 湘核心〔2025〕001\n  status: recognized\n", ""))
    before = validate(library.root, today="2026-11-23")[1]
    assert ("young.yaml", "years-operating") in {(Path(f["path"]).name, f["rule"]) for f in before}
    later = validate(library.root, today="2027-03-01")[1]
    assert ("young.yaml", "years-operating") not in {(Path(f["path"]).name, f["rule"]) for f in later}
    (library.root / repository_module.CACHE_FILE).unlink()
    assert later == validate(library.root, today="2027-03-01")[1]


def test_a_cache_signed_elsewhere_is_not_trusted(library, tmp_path, monkeypatch):
    mixed_library(library)
    validate(library.root)
    # a cache that claims no file has any finding, validly signed, as on another machine (or committed)
    rewrite_cache(library.root, no_findings, signed=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    repository_module._cache_key.cache_clear()
    try:
        assert validate(library.root)[1] == fresh(library) != []
    finally:
        monkeypatch.undo()
        repository_module._cache_key.cache_clear()


def test_a_cache_signed_here_is_trusted_as_it_is(library):
    """The other side of the tests above: it is the signature that keeps a forged cache out."""
    mixed_library(library)
    validate(library.root)
    for path in (library.root / "providers").rglob("*.yaml"):
        touch_earlier(path)   # so much older than the cache that their stamps are trusted
    validate(library.root)
    rewrite_cache(library.root, no_findings, signed=True)
    assert {f["rule"] for f in validate(library.root)[1]} <= {"duplicate-credit-code"}   # across records: run anew


def forged_changes(root: Path, base: str) -> None:
    """A file of changes, signed here, that says cs-zhiyuan.yaml has no finding (it has one)."""
    entries = json.loads((root / repository_module.CACHE_FILE).read_bytes()
                         [repository_module._CACHE_HEAD.match((root / repository_module.CACHE_FILE).read_bytes()).end():-1])
    entry = entries[f"{HUNAN}/cs-zhiyuan.yaml"]
    entry[6] = [entry[6][0], []]
    body = json.dumps({f"{HUNAN}/cs-zhiyuan.yaml": entry}, ensure_ascii=False).encode()
    signature = repository_module._signature(1, base, body)
    (root / repository_module.CHANGES_FILE).write_bytes(
        repository_module.CACHE_HEAD % (repository_module.CACHE_VERSION, 1, base.encode(), signature.encode()) + body + b"}")


@pytest.mark.parametrize("made_for, trusted", [("this records.json", True), ("another records.json", False)])
def test_a_file_of_changes_counts_only_with_the_records_json_it_was_made_for(library, made_for, trusted):
    library.add("hunan-sme-hexin", hunan("cs-zhiyuan", "  area_m2: 300", "  area_m2: 10"))
    before = validate(library.root)[1]
    assert [f["rule"] for f in before] == ["premises-area"]
    base = repository_module._CACHE_HEAD.match((library.root / repository_module.CACHE_FILE).read_bytes())[4].decode()
    forged_changes(library.root, base if made_for == "this records.json" else "0" * 64)
    assert validate(library.root)[1] == ([] if trusted else before)


def test_a_file_of_changes_that_grows_large_is_folded_into_records_json(library, monkeypatch):
    monkeypatch.setattr(repository_module, "CHANGES_MIN", 1)
    mixed_library(library)
    validate(library.root)
    an_edit_checked(library)   # one change: into changes.json
    for stem in ("small", "twin"):
        library.add("hunan-sme-hexin", hunan(stem, "  area_m2: 300", "  area_m2: 10"))
    with_cache = validate(library.root)[1]   # three changes now: records.json is written again
    assert not (library.root / repository_module.CHANGES_FILE).exists()
    assert validate(library.root)[1] == with_cache == fresh(library)


def test_one_file_checked_with_the_cache_finds_what_it_finds_without(library):
    mixed_library(library)
    validate(library.root)
    library.add("hunan-sme-hexin", hunan("small", "  area_m2: 300", "  area_m2: 20"))
    one = validate(library.root, str(library.root / HUNAN / "small.yaml"))[1]
    assert [f["rule"] for f in one] == ["premises-area"]
    (library.root / repository_module.CACHE_FILE).unlink()
    assert validate(library.root, str(library.root / HUNAN / "small.yaml"))[1] == one


# --- the jsonschema-rs gate ---------------------------------------------------------------------

# (case, text replaced in the good 湖南 record, replacement): values where jsonschema-rs and Python
# regexes, formats or numbers could disagree
GATE_CASES = [
    ("full-width digits", 'postal_code: "410011"', 'postal_code: "４１００１１"', False),
    ("a newline after the code", f'credit_code: "{CODE}"', f'credit_code: "{CODE}\\n"', False),
    ("a wrong check character", f'credit_code: "{CODE}"', 'credit_code: "91430102MA4L2X1Q5C"', False),
    ("a region that does not exist", 'region: "430102"', 'region: "439999"', False),
    ("a date that does not exist", "established: 2018-05-10", "established: 2018-02-30", False),
    ("an e-mail without @", "email: service@zhiyuan.example.cn", "email: service.zhiyuan.example.cn", False),
    ("an ideographic space as the name", "name: 长沙智远企业管理咨询有限公司", 'name: "\u3000"', False),
    ("a boolean as a number", "  area_m2: 300", "  area_m2: true", False),
    ("a fraction as an integer", "  staff_full_time: 20", "  staff_full_time: 20.5", False),
    ("an unknown key", "nature: 私人企业", "nature: 私人企业\nnatures: 私人企业", False),
    ("a website that is not http", "website: https://zhiyuan.example.cn", "website: ftp://zhiyuan.example.cn", False),
    ("the same category twice", "categories: [数字化转型]", "categories: [数字化转型, 数字化转型]", False),
    ("a number past 64 bits", "  area_m2: 300", "  area_m2: 99999999999999999999", True),
    ("a float as an integer", "  staff_full_time: 20", "  staff_full_time: 20.0", True),
    ("nothing changed", "", "", True),
]


def hunan_validator(library):
    from directory.library.repository import load_repository
    return load_repository(library.root).compiled_schemas()[0].validators[("hunan-sme-hexin", "provider")]


@pytest.mark.parametrize("case, old, new, valid", GATE_CASES, ids=[case[0] for case in GATE_CASES])
def test_the_gate_passes_a_record_exactly_when_jsonschema_finds_no_error(library, case, old, new, valid):
    from directory.loading.yamlfile import load_bytes
    document, _ = load_bytes((edit(good_record("hunan-sme-hexin"), old, new) if old else good_record("hunan-sme-hexin")).encode(), "a.yaml")
    validator = hunan_validator(library)
    assert id(validator) in schemas_module._FAST_CHECKS
    assert schemas_module._known_valid(validator, document.data) == (not list(validator.iter_errors(document.data)))
    assert schemas_module._known_valid(validator, document.data) is valid


def test_findings_are_the_same_without_the_gate(library, monkeypatch):
    mixed_library(library)
    for number, (_, old, new, _) in enumerate(GATE_CASES):
        library.add("hunan-sme-hexin", hunan(f"gate-{number}", old, new, code=CODE))
    with_gate = fresh(library)
    monkeypatch.setattr(schemas_module, "_known_valid", lambda validator, data: False)
    assert fresh(library) == with_gate


# --- processes ----------------------------------------------------------------------------------

def test_findings_are_the_same_in_several_processes(library, monkeypatch):
    mixed_library(library)
    alone = fresh(library)
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)   # fork even for a dozen files
    assert fresh(library) == alone
    assert validate(library.root)[1] == alone   # and with the cache they wrote


def test_parallel_map_keeps_the_order_of_the_items(monkeypatch):
    monkeypatch.setattr(repository_module, "PARALLEL_MIN", 1)
    assert repository_module.parallel_map(lambda number: (number, os.getpid()), list(range(7)))[3][0] == 3
    assert [number for number, _ in repository_module.parallel_map(lambda n: (n, 0), list(range(7)))] == list(range(7))


def schema_patterns() -> list[str]:
    from conftest import REPO
    found = set()
    for path in (REPO / "schemes").rglob("*.schema.json"):
        found.update(schemas_module._regexes(json.loads(path.read_text(encoding="utf-8"))))
    return sorted(found)


PROBES = ["", "0", "410011", "４１００１１", "410011\n", "\n410011", "2025-Q1", "2025-Q5", "0731-88886666",
          "13800000000", "a-b", "A_b-1", "a.schema.json", "axschema.json", "ü", "١٢٣٤", "12-31", "02-30 ", "x\r"]


@pytest.mark.parametrize("pattern", [p for p in schema_patterns() if schemas_module._same_in_both(p)])
def test_a_pattern_left_to_jsonschema_rs_matches_what_python_matches(pattern):
    import jsonschema_rs
    fast = jsonschema_rs.Draft202012Validator({"pattern": pattern})
    assert [fast.is_valid(probe) for probe in PROBES] == [schemas_module._matches(pattern, probe) for probe in PROBES]


@pytest.mark.parametrize("pattern", [r"\S", r"^[^\s]+$", r"^\d{6}$", r"^\w+$", r"^[0-9]{,3}$", r"^a$|b", r"(?i)^a$"])
def test_a_pattern_the_two_may_read_apart_is_left_to_python(pattern):
    assert not schemas_module._same_in_both(pattern)
