"""Load each scheme's rules from `schemes/<id>/scheme.yaml` into plain dataclasses.

A scheme is data: this module only reads it. The rules themselves (thresholds, articles, periods)
are written once, in the scheme files; `conditions.py` and `lifecycle.py` interpret them.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from pathlib import Path

from directory.findings import Finding, json_path
from directory.loading.yamlfile import Document, load_file
from directory.rules.schemas import rules_validators, schema_findings


KIND_NAMES = {"provider": "服务机构", "expert": "专家"}   # record kinds, as staff call them
# Site sections beside the record pages of a scheme: no record may take one of these ids.
RESERVED_IDS = {"index", "experts", "categories", "regions", "apply", "notices", "data", "search", "assets"}


@dataclass(frozen=True)
class SourceDocument:
    title: str
    short: str          # used in citations: "湖南核心服务机构认定管理办法 第七条（三）"
    number: str
    date: str | None
    seed: str


@dataclass(frozen=True)
class Condition:
    """One entry condition of a scheme (see conditions.py for what each `kind` means)."""

    id: str
    kind: str
    basis: str
    label: str
    field: str = ""
    min: float | None = None
    max: float | None = None
    unit: str = ""
    numerator: str = ""
    denominator: str = ""
    min_pct: float | None = None
    min_years: int | None = None
    order: str = ""                 # name of the vocabulary whose order ranks values (at_least)
    when: dict = dataclass_field(default_factory=dict)
    waivable: bool = False


@dataclass(frozen=True)
class Ban:
    """Years a revoked provider may not re-apply, for revocations resting on `basis` (an article)."""

    basis: str
    years: int


@dataclass(frozen=True)
class Reporting:
    cadence: str                    # monthly | quarterly | yearly
    basis: str
    due_day: int | None = None      # monthly: due by this day of the next month
    due_dates: tuple[str, ...] = () # quarterly: "MM-DD" of each due date
    notice_after: int | None = None  # missed in a row -> 通报
    revoke_after: int | None = None  # missed in a row -> 撤销
    min_hours: float | None = None  # yearly service: hours ...
    min_firms: int | None = None    # ... or firms
    first_year_if_started_by: str = "01-01"  # MM-DD: a term starting later skips its first year


@dataclass(frozen=True)
class Scheme:
    id: str
    folder: Path
    title: str
    short_title: str
    issuer: str
    document: SourceDocument
    kinds: dict[str, str]           # record kind -> schema file name
    region_prefix: str
    region_name: str
    region_basis: str
    validity_years: int | None      # None: valid until revoked
    validity_starts: str            # "decision" (batch decision date) or "term" (term.start)
    validity_basis: str
    publicity_days: int | None      # None with a publicity section: each batch sets its own
    has_publicity: bool
    publicity_basis: str
    reporting: Reporting | None
    bans: tuple[Ban, ...]
    vocabularies: dict[str, dict]
    conditions: dict[str, tuple[Condition, ...]]
    waiver_basis: str
    grades: dict | None
    raw: dict                       # the file's content, registered for schema $refs

    def cite(self, article: str) -> str:
        """The citation printed after a message: document short name and article."""
        return f"{self.document.short} {article}".strip()

    def vocabulary(self, name: str) -> list[str]:
        return list(self.vocabularies.get(name, {}).get("enum", []))

    def ban_years(self, revocation_basis: str) -> int | None:
        """Ban length for a revocation citing e.g. "第十九条（二）"; None when no article bans."""
        for ban in self.bans:
            if revocation_basis.strip().startswith(ban.basis):
                return ban.years
        return None


@dataclass
class LoadedSchemes:
    schemes: dict[str, Scheme]
    common: dict
    findings: list[Finding]
    unusable: set[str] = dataclass_field(default_factory=set)  # folders whose scheme.yaml has errors


def load_schemes(root: Path) -> LoadedSchemes:
    """Read `schemes/_common/common.yaml` and every `schemes/*/scheme.yaml`.

    Each is checked against its schema in `schemes/_common/` first (scheme.schema.json,
    common.schema.json); a file with errors becomes findings at its line and column, and a scheme
    whose file has errors (or cannot be checked: its schema is missing or broken) is left out
    rather than half-built.
    """
    validators, findings = rules_validators(root, "scheme.schema.json", "common.schema.json")
    schemes: dict[str, Scheme] = {}
    unusable: set[str] = set()
    common: dict = {}
    common_path = root / "schemes" / "_common" / "common.yaml"
    if common_path.exists():
        validator = validators["common.schema.json"]
        document, problems = _rules_document(root, common_path, validator)
        findings += problems
        if document is not None and validator is not None and not problems:
            common = document.data
    validator = validators["scheme.schema.json"]
    for scheme_file in sorted((root / "schemes").glob("*/scheme.yaml")):
        if scheme_file.parent.name.startswith("_"):
            continue
        document, problems = _rules_document(root, scheme_file, validator)
        findings += problems
        folder_id = scheme_file.parent.name
        unusable.add(folder_id)   # until it is built
        if document is None or validator is None or any(problem.severity == "error" for problem in problems):
            continue  # an unchecked scheme file is not used either: its schema's findings say why
        problems = _reference_findings(document, scheme_file.parent)
        if problems:
            findings += problems
            continue
        try:
            schemes[folder_id] = _scheme_from(document, scheme_file.parent)
            unusable.discard(folder_id)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # the schema let it pass, yet _scheme_from cannot read it: the schema is looser than the code
            missing = f"缺少「{error.args[0]}」" if isinstance(error, KeyError) and error.args else "不完整或格式不对"
            findings.append(Finding(document.path, 1, 1, "scheme-file",
                                    f"名录规则文件{missing}：请对照 schemes/_common/scheme.schema.json 和其他名录的 scheme.yaml 检查"))
    return LoadedSchemes(schemes, common, findings, unusable)


def _reference_findings(document: Document, folder: Path) -> list[Finding]:
    """What a schema cannot say about a scheme.yaml: the names in it must lead somewhere."""
    data = document.data
    findings = []

    def at(parts: tuple, rule: str, message: str) -> None:
        line, column = document.position(parts)
        findings.append(Finding(document.path, line, column, rule, message, json_path=json_path(parts)))

    if data["id"] != folder.name:
        at(("id",), "scheme-id-mismatch", f"名录编号「{data['id']}」应与文件夹名「{folder.name}」相同")
    for kind, file_name in data["kinds"].items():
        if not (folder / file_name).is_file():
            at(("kinds", kind), "scheme-reference", f"找不到{KIND_NAMES[kind]}的 JSON Schema 文件「{file_name}」：应在本文件夹中")
    vocabularies = data.get("vocabularies", {})
    for kind, conditions in data.get("conditions", {}).items():
        if kind not in data["kinds"]:
            at(("conditions", kind, "<key>"), "scheme-reference",
               f"本名录不收录{KIND_NAMES[kind]}（kinds 中没有 {kind}），却写了{KIND_NAMES[kind]}的入库条件")
        for index, condition in enumerate(conditions):
            if condition["kind"] != "at_least":
                continue
            order = condition["order"]
            if order not in vocabularies:
                at(("conditions", kind, index, "order"), "scheme-reference",
                   f"条件 {condition['id']} 的排序依据「{order}」不在 vocabularies 中：可用的有 {'、'.join(vocabularies) or '（无）'}")
            elif condition["min"] not in vocabularies[order]["enum"]:
                at(("conditions", kind, index, "min"), "scheme-reference",
                   f"条件 {condition['id']} 的下限「{condition['min']}」不是「{order}」的可选值：{'、'.join(vocabularies[order]['enum'])}")
    return findings


def _rules_document(root: Path, path: Path, validator) -> tuple[Document | None, list[Finding]]:
    """A rules file loaded like a record (positions kept) and checked against its schema."""
    document, findings = load_file(path, display_path(root, path))
    if document is None:
        return None, findings
    if not isinstance(document.data, dict):
        return None, findings + [Finding(document.path, 1, 1, "yaml-not-mapping",
                                         "文件内容应为“键: 值”的映射，而不是列表或单个值")]
    if validator is not None:
        findings += schema_findings(validator, document, None)
    return document, findings


def _scheme_from(document: Document, folder: Path) -> Scheme:
    data = document.data
    publicity = data.get("publicity")
    reporting = data.get("reporting")
    validity = data["validity"]
    region = data["region"]
    doc = data["document"]
    return Scheme(
        id=data["id"],
        folder=folder,
        title=data["title"],
        short_title=data.get("short_title", data["title"]),
        issuer=data["issuer"],
        document=SourceDocument(doc["title"], doc.get("short", doc["title"]), doc.get("number") or "",
                                doc.get("date"), doc.get("seed", "")),
        kinds=dict(data["kinds"]),
        region_prefix=str(region["prefix"]),
        region_name=region["name"],
        region_basis=region.get("basis", ""),
        validity_years=validity.get("years"),
        validity_starts=validity.get("starts", "decision"),
        validity_basis=validity.get("basis", ""),
        publicity_days=publicity.get("working_days") if publicity else None,
        has_publicity=bool(publicity),
        publicity_basis=publicity.get("basis", "") if publicity else "",
        reporting=Reporting(
            cadence=reporting["cadence"], basis=reporting.get("basis", ""),
            due_day=reporting.get("due_day"), due_dates=tuple(reporting.get("due_dates", ())),
            notice_after=reporting.get("notice_after"), revoke_after=reporting.get("revoke_after"),
            min_hours=reporting.get("min_hours"), min_firms=reporting.get("min_firms"),
            first_year_if_started_by=str(reporting.get("first_year_if_started_by", "01-01")),
        ) if reporting else None,
        bans=tuple(Ban(str(ban["basis"]), int(ban["years"])) for ban in data.get("revocation_bans") or ()),
        vocabularies=dict(data.get("vocabularies") or {}),
        conditions={kind: tuple(Condition(**entry) for entry in entries)
                    for kind, entries in (data.get("conditions") or {}).items()},
        waiver_basis=data.get("waiver_basis", ""),
        grades=data.get("grades"),
        raw=data,
    )


def display_path(root: Path, path: Path) -> str:
    """A path as staff see it in messages: relative to the repository root."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
