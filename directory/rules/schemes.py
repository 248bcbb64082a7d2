"""Load each scheme's rules from `schemes/<id>/scheme.yaml` into plain dataclasses.

A scheme is data: this module only reads it. The rules themselves (thresholds, articles, periods)
are written once, in the scheme files; `conditions.py` and `lifecycle.py` interpret them.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from datetime import date
from pathlib import Path

from directory.findings import Finding, json_path
from directory.loading.yamlfile import Document, load_file
from directory.rules.dates import parse_date, years_end
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
    valid_years: int | None = None  # the document's own validity (湖南 第二十条: 5 years), from `date`
    valid_basis: str = ""

    @property
    def valid_until(self) -> date | None:
        """The document's last day in force, where it states a validity and a date."""
        issued = parse_date(self.date)
        return years_end(issued, self.valid_years) if issued and self.valid_years else None


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
    min_years: float | None = None
    of: str = ""                    # not_more_than: the field that bounds `field` (a part of a whole)
    order: str = ""                 # name of the vocabulary whose order ranks values (at_least)
    when: dict = dataclass_field(default_factory=dict)
    waivable: bool = False
    any_of: tuple["Condition", ...] = ()   # any_of: the alternatives, one of which must hold
    in_scheme: str = ""             # recognized_in: the scheme whose valid recognition is required

    @classmethod
    def from_entry(cls, entry: dict) -> "Condition":
        """A condition as scheme.yaml writes it; alternatives inherit the id, basis and unit."""
        alternatives = tuple(cls.from_entry({"id": f"{entry['id']}-{number}", "basis": entry.get("basis", ""),
                                             "label": entry.get("label", ""), **alternative})
                             for number, alternative in enumerate(entry.get("any_of") or (), start=1))
        return cls(**{**entry, "any_of": alternatives})


@dataclass(frozen=True)
class Ban:
    """Years a revoked provider may not re-apply, for revocations resting on `basis` (an article)."""

    basis: str
    years: int


@dataclass(frozen=True)
class Consequence:
    """What a run of missed reports leads to: 湖南 第十七条 3 in a row -> 通报, 6 -> 撤销."""

    missed_in_a_row: int
    action: str                     # the words staff see: 通报, 撤销
    clears: bool = False            # True: only while the run lasts (a later report on time ends it)


# How long one report period is, by name: the period names of `reporting.period`.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


@dataclass(frozen=True)
class Reporting:
    """Periodic reports (定期报送), as scheme.yaml `reporting` writes them.

    A period is a calendar month, quarter, half year or year. Its report is due on `due_day` of the
    month `due_months_after` months after the period's last month (0: in that month), e.g. 湖南
    "每月结束后10日内": period month, due 1 month after, day 10; 河北 "每年3月15日…前填报本周期":
    period quarter, due 0 months after, day 15.
    """

    period: str                     # a key of PERIOD_MONTHS
    basis: str
    due_months_after: int = 1
    due_day: int | str = 10         # a day of the month, or "last"
    first_period: str = "first_full"  # first_full | first_due_after_start
    consequences: tuple[Consequence, ...] = ()


@dataclass(frozen=True)
class ServiceRule:
    """A yearly service minimum (吉林 第十条（一）: ≥ 12 hours or ≥ 30 firms a year), judged per year
    of the term (`years: term`, from term.start) or per calendar year (`years: calendar`)."""

    basis: str
    min_hours: float | None = None
    min_firms: int | None = None
    years: str = "term"
    shortfall_action: str = ""      # what staff do when a year falls short
    missing_action: str = ""        # ... and when its report is missing


@dataclass(frozen=True)
class ValidityRule:
    """How long a recognition lasts (`validity` in scheme.yaml, per kind where a kind overrides it)."""

    years: int | None               # None: valid until revoked
    starts: str                     # "decision" (batch decision date) or "term" (term.start)
    basis: str
    ends: str = "anniversary"       # anniversary: the day before; calendar_year_end: 31 Dec of the last year
    extension_years: int | None = None  # each recorded extension adds this many years (河北 第十二条)
    extension_basis: str = ""
    expiry_action: str = "到期复核/重新申报"   # what the staff report asks before the end


@dataclass(frozen=True)
class KindRules:
    """What differs between the kinds of record a scheme keeps (providers, experts)."""

    kind: str
    label: str                      # 服务机构 / 专家
    schema: str                     # schema file name in the scheme folder
    folder: str                     # under providers/<scheme>/: "" or "experts"
    categories_field: str           # the field holding the record's categories
    validity: ValidityRule
    reporting: Reporting | None
    service: ServiceRule | None


@dataclass(frozen=True)
class Scheme:
    id: str
    folder: Path
    title: str
    short_title: str
    issuer: str
    document: SourceDocument
    kinds: dict[str, str]           # record kind -> schema file name
    kind_rules: dict[str, KindRules]
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
    waiver_floor_pct: float | None  # a waived value must still reach this share of the threshold
    grades: dict | None
    expiring_days: int              # ≤ this many days left: 即将到期 (common.yaml, a scheme may override)
    actions: dict[str, str]         # report item kind -> what staff do (common.yaml, a scheme may override)
    suspension_rules: tuple[dict, ...]  # per suspension basis: months until the next step, and that step
    review_rules: tuple[dict, ...]      # reviews whose failure after rectification ends the recognition
    change_filings: tuple[dict, ...]    # changes (更名, 重组 …) to be filed within some months
    complaint_rule: dict | None         # confirmed complaints within some months that call for revocation
    direct_inclusion: dict | None       # titles included without a batch until their own expiry
    raw: dict                       # the file's content, registered for schema $refs

    def cite(self, article: str) -> str:
        """The citation printed after a message: document short name and article."""
        return f"{self.document.short} {article}".strip()

    def rules(self, kind: str) -> KindRules:
        """The rules of one kind of record (validity, reporting, folder, categories)."""
        return self.kind_rules[kind]

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
            schemes[folder_id] = _scheme_from(document, scheme_file.parent, common)
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
    for kind, spec in data["kinds"].items():
        file_name = spec["schema"] if isinstance(spec, dict) else spec
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


def _scheme_from(document: Document, folder: Path, common: dict | None = None) -> Scheme:
    data = document.data
    common = common or {}
    publicity = data.get("publicity")
    validity = data["validity"]
    region = data["region"]
    doc = data["document"]
    kinds = {kind: (spec if isinstance(spec, dict) else {"schema": spec}) for kind, spec in data["kinds"].items()}
    kind_rules = {kind: _kind_rules(kind, spec, data, common) for kind, spec in kinds.items()}
    return Scheme(
        id=data["id"],
        folder=folder,
        title=data["title"],
        short_title=data.get("short_title", data["title"]),
        issuer=data["issuer"],
        document=SourceDocument(doc["title"], doc.get("short", doc["title"]), doc.get("number") or "",
                                doc.get("date"), doc.get("seed", ""), doc.get("valid_years"), doc.get("valid_basis", "")),
        kinds={kind: spec["schema"] for kind, spec in kinds.items()},
        kind_rules=kind_rules,
        region_prefix=str(region["prefix"]),
        region_name=region["name"],
        region_basis=region.get("basis", ""),
        validity_years=validity.get("years"),
        validity_starts=validity.get("starts", "decision"),
        validity_basis=validity.get("basis", ""),
        publicity_days=publicity.get("working_days") if publicity else None,
        has_publicity=bool(publicity),
        publicity_basis=publicity.get("basis", "") if publicity else "",
        reporting=_reporting(data.get("reporting")),
        bans=tuple(Ban(str(ban["basis"]), int(ban["years"])) for ban in data.get("revocation_bans") or ()),
        vocabularies=dict(data.get("vocabularies") or {}),
        conditions={kind: tuple(Condition.from_entry(entry) for entry in entries)
                    for kind, entries in (data.get("conditions") or {}).items()},
        waiver_basis=data.get("waiver_basis", ""),
        waiver_floor_pct=data.get("waiver_floor_pct"),
        grades=data.get("grades"),
        expiring_days=int(data.get("expiring_soon_days", common.get("expiring_soon_days", 90))),
        actions={**DEFAULT_ACTIONS, **(common.get("actions") or {}), **(data.get("actions") or {})},
        suspension_rules=tuple(data.get("suspensions") or ()),
        review_rules=tuple(data.get("reviews") or ()),
        change_filings=tuple(data.get("change_filings") or ()),
        complaint_rule=data.get("complaints"),
        direct_inclusion=data.get("direct_inclusion"),
        raw=data,
    )


# Used only where common.yaml names no action (a library without one still reports sensibly).
DEFAULT_ACTIONS = {"publicity-awaiting-decision": "发文认定", "expired": "移出名录或续期", "suspended": "组织审查"}

# Defaults of a kind that a scheme.yaml does not spell out (the five shipped schemes rely on them).
KIND_DEFAULTS = {"provider": {"label": "服务机构", "folder": "", "categories_field": "categories"},
                 "expert": {"label": "专家", "folder": "experts", "categories_field": "expertise"}}


def _kind_rules(kind: str, spec: dict, data: dict, common: dict) -> KindRules:
    """A kind's rules: its own `validity`/`reporting`/`service` where it has them, else the scheme's."""
    defaults = KIND_DEFAULTS.get(kind, {"label": kind, "folder": kind, "categories_field": "categories"})
    validity = spec.get("validity", data["validity"])
    return KindRules(
        kind=kind, label=spec.get("label", defaults["label"]), schema=spec["schema"],
        folder=str(spec.get("folder", defaults["folder"])).strip("/"),
        categories_field=spec.get("categories_field", defaults["categories_field"]),
        validity=ValidityRule(
            years=validity.get("years"), starts=validity.get("starts", "decision"), basis=validity.get("basis", ""),
            ends=validity.get("ends", "anniversary"), extension_years=validity.get("extension_years"),
            extension_basis=validity.get("extension_basis", ""),
            expiry_action=validity.get("expiry_action", "到期复核/重新申报")),
        reporting=_reporting(spec["reporting"] if "reporting" in spec else data.get("reporting")),
        service=_service(spec["service"] if "service" in spec else data.get("service")),
    )


def _reporting(section: dict | None) -> Reporting | None:
    if not section:
        return None
    return Reporting(
        period=section["period"], basis=section.get("basis", ""),
        due_months_after=int(section.get("due_months_after", 1)), due_day=section.get("due_day", 10),
        first_period=section.get("first_period", "first_full"),
        consequences=tuple(Consequence(int(c["missed_in_a_row"]), str(c["action"]), bool(c.get("clears", False)))
                           for c in section.get("consequences") or ()))


def _service(section: dict | None) -> ServiceRule | None:
    if not section:
        return None
    return ServiceRule(basis=section.get("basis", ""), min_hours=section.get("min_hours"),
                       min_firms=section.get("min_firms"), years=section.get("years", "term"),
                       shortfall_action=section.get("shortfall_action", ""),
                       missing_action=section.get("missing_action", ""))


def display_path(root: Path, path: Path) -> str:
    """A path as staff see it in messages: relative to the repository root."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
