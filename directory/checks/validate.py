"""`directory validate`: every check on a loaded repository, all findings in one pass.

Order: structure (schemas) -> references and consistency -> entry conditions -> across records.

The checks of one record depend only on its file, its scheme's folder, `schemes/_common/`, the
day and this package: what they found is kept with the record (`Record.checked`, in the cache)
under a key of all those, and reused while the key holds. The checks across records are run
every time, on the few fields the cache keeps of each record.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from directory.checks.text import text_findings
from directory.rules.conditions import check_conditions
from directory.rules.dates import parse_date
from directory.findings import Finding, json_path
from directory.lifecycle.periodic import PERIOD_PATTERNS
from directory.lifecycle.derive import ban_end, derive, derive_validity, publicity_end, reference_date, validity_end_in_effect
from directory.library.repository import Batch, Record, Repository, collector_paused, parallel_map
from directory.loading.yamlfile import read_file
from directory.rules.schemas import SCHEMA_MAX_BYTES, describe, schema_findings
from directory.rules.schemes import KIND_NAMES, RESERVED_IDS
from directory.rules.calendar import CalendarGap, WorkCalendar



def validate_repository(repository: Repository, today: date, calendar: WorkCalendar) -> list[Finding]:
    with collector_paused():
        return _validate(repository, today, calendar)


def _validate(repository: Repository, today: date, calendar: WorkCalendar) -> list[Finding]:
    schemas, schema_problems = repository.compiled_schemas()
    findings = list(schema_problems)
    findings += repository.findings
    for batch in repository.batches.values():
        findings += _batch_findings(repository, batch, schemas.batch_validator, calendar)
    findings += _checked_records(repository, schemas, today)
    findings += _cross_record_findings(repository, today)
    findings += _prerequisite_findings(repository, today, calendar)
    return sorted(set(findings))


def _checked_records(repository: Repository, schemas, today: date) -> list[Finding]:
    """The checks of one record on every focused record, run where what they found last is stale."""
    keys = {scheme_id: _rules_key(repository, scheme_id, today) for scheme_id in repository.schemes}
    stale = [record for record in repository.records
             if record.focused and (record.checked is None or record.checked[0] != keys[record.scheme_id])]

    def check(record: Record) -> list[Finding]:
        return _record_findings(repository, record, schemas.validators.get((record.scheme_id, record.kind)), today)

    for record, found in zip(stale, parallel_map(check, stale, "检查记录")):
        record.checked = (keys[record.scheme_id], found)
    return [finding for record in repository.records if record.focused for finding in record.checked[1]]


def _rules_key(repository: Repository, scheme_id: str, today: date) -> str:
    """What the checks of a record in `scheme_id` rest on besides the record: the files of its
    scheme's folder and of schemes/_common/ (as on disk), its batches (as loaded: a staff command
    checks them before writing) and the day."""
    digest = hashlib.blake2b(today.isoformat().encode(), digest_size=16)
    schemes = repository.root / "schemes"
    for folder in (schemes / "_common", schemes / scheme_id):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.suffix in RULES_SUFFIXES and path.relative_to(folder).parts[0] != "batches":
                digest.update(path.relative_to(schemes).as_posix().encode() + b"\0" + _bytes(path) + b"\0")
    for (batch_scheme, stem), batch in sorted(repository.batches.items()):
        if batch_scheme == scheme_id:
            digest.update(f"batch {stem}\0{batch.document.text}\0".encode())
    return digest.hexdigest()


RULES_SUFFIXES = (".yaml", ".yml", ".json")


def _bytes(path: Path) -> bytes:
    raw, _ = read_file(path, "", limit=SCHEMA_MAX_BYTES)   # a FIFO or a folder named x.json: no hang
    return b"\0unreadable" if raw is None else raw


def _batch_findings(repository: Repository, batch: Batch, validator, calendar: WorkCalendar) -> list[Finding]:
    scheme = repository.schemes[batch.scheme_id]
    document = batch.document
    findings = schema_findings(validator, document, scheme) if validator else []
    findings += text_findings(document, validator)
    data = batch.data
    if data.get("id") is not None and str(data.get("id")) != batch.stem:
        line, column = document.position(("id",))
        findings.append(Finding(batch.path, line, column, "batch-id-mismatch",
                                f"批次编号「{data.get('id')}」应与文件名「{batch.stem}」相同"))
    publicity = batch.section("publicity")
    if publicity and scheme.has_publicity and scheme.publicity_days is None and "working_days" not in publicity:
        line, column = document.position(("publicity",))
        findings.append(Finding(batch.path, line, column, "publicity-days-missing",
                                "本名录的办法未规定公示天数：请在批次的 publicity.working_days 中写明",
                                scheme.cite(scheme.publicity_basis), "$.publicity"))
    days = publicity.get("working_days")
    if scheme.publicity_days and isinstance(days, int) and days != scheme.publicity_days:
        line, column = document.position(("publicity", "working_days"))
        findings.append(Finding(batch.path, line, column, "publicity-days-fixed",
                                f"本名录的办法规定公示 {scheme.publicity_days} 个工作日，批次写的是 {days} 个：请删除这一行或改为 {scheme.publicity_days}",
                                scheme.cite(scheme.publicity_basis), "$.publicity.working_days"))
    try:
        end = publicity_end(batch, scheme, calendar)
    except CalendarGap as gap:
        # Until the decision the end date is what the public notice states and objections run to:
        # an error, fixed by entering the year in holidays.yaml. After it, only a check is lost.
        end = None
        has_decision, end_written = bool(batch.section("decision").get("date")), bool(publicity.get("end"))
        parts = ("publicity", "end") if end_written else ("publicity", "start")
        line, column = document.position(parts)
        findings.append(Finding(batch.path, line, column, "calendar-gap", f"无法推算公示截止日期：{gap}", "",
                                json_path(parts), "warning" if has_decision and not end_written else "error"))
    written_end = batch.values.written_end
    if end and written_end and written_end != end:
        line, column = document.position(("publicity", "end"))
        findings.append(Finding(batch.path, line, column, "publicity-end-mismatch",
                                f"公示截止日期写的是 {written_end}，按 {_working_days(scheme, publicity)} 个工作日"
                                f"（含调休）推算应为 {end}", scheme.cite(scheme.publicity_basis), "$.publicity.end"))
    decided = batch.values.decision_date
    if end and decided and decided <= end:
        line, column = document.position(("decision", "date"))
        findings.append(Finding(batch.path, line, column, "decision-before-publicity-end",
                                f"认定日期 {decided} 不在公示期结束（{end}）之后：公示无异议后才能发文认定",
                                scheme.cite(scheme.publicity_basis), "$.decision.date"))
    return findings


def _working_days(scheme, publicity: dict):
    return publicity.get("working_days") or scheme.publicity_days


def _record_findings(repository: Repository, record: Record, validator, today: date) -> list[Finding]:
    scheme = repository.schemes[record.scheme_id]
    document = record.document
    data = record.data
    if record.kind not in scheme.kinds:
        return [Finding(record.path, 1, 1, "kind-not-allowed",
                        f"名录「{scheme.title}」不收录{KIND_NAMES.get(record.kind, record.kind)}："
                        f"文件应放在 providers/{scheme.id}/ 下的正确位置")]
    # A schema that failed to load is reported once, at the schema file; the other checks still run.
    findings = schema_findings(validator, document, scheme) if validator else []
    findings += text_findings(document, validator)

    def at(parts: tuple, rule: str, message: str, basis: str = "", severity: str = "error") -> None:
        line, column = document.position(parts)
        findings.append(Finding(record.path, line, column, rule, message, basis, json_path(parts), severity))

    if isinstance(data.get("id"), str) and data["id"] != record.stem:
        at(("id",), "id-mismatch", f"记录编号「{data['id']}」应与文件名「{record.stem}」相同")
    if record.stem in RESERVED_IDS:
        at(("id",), "record-id-reserved", f"记录编号「{record.stem}」是网站的栏目名，请换一个（不能用：{'、'.join(sorted(RESERVED_IDS))}）")
    if isinstance(data.get("scheme"), str) and data["scheme"] != record.scheme_id:
        at(("scheme",), "scheme-mismatch", f"所属名录「{data['scheme']}」应与所在文件夹「{record.scheme_id}」相同")
    region = data.get("region")
    if isinstance(region, str) and len(region) == 6 and region.isdigit() and not region.startswith(scheme.region_prefix):
        at(("region",), "region-outside-scheme",
           f"行政区划代码「{region}」不在{scheme.region_name}（代码以 {scheme.region_prefix} 开头）", scheme.cite(scheme.region_basis))

    if "grades" in record.recognition and not scheme.grades:
        at(("recognition", "grades"), "grades-not-in-scheme",
           f"名录「{scheme.title}」的办法没有年度绩效评价等级：请删除 recognition.grades")
    elif isinstance(record.recognition.get("grades"), dict) and scheme.grades.get("values"):
        allowed = [str(value) for value in scheme.grades["values"]]
        for year, grade in record.recognition["grades"].items():
            if isinstance(grade, str) and grade not in allowed:
                at(("recognition", "grades", year), "grade-value",
                   f"{year} 年的绩效评价等级「{grade}」不在可选范围内：{'、'.join(allowed)}",
                   scheme.cite(scheme.grades.get("values_basis", "")))
    _check_report_periods(data.get("reports"), scheme, record.kind, at)
    _check_change_kinds(data.get("changes"), scheme, at)
    word = _status_words(validator)
    batch = _check_batch_reference(repository, record, scheme, at, word)
    inclusion = record.recognition.get("direct_inclusion")
    if isinstance(inclusion, dict):
        _check_direct_inclusion(inclusion, scheme, at)
    elif record.recognition.get("status") != "rejected":  # a direct inclusion (河北 第十条) or a rejection is not judged on the entry conditions
        findings += check_conditions(scheme, record.kind, data, reference_date(record, scheme, batch, today), document, validator)
    _check_written_validity(record, scheme, batch, at, word,
                            lambda parts: describe(validator, parts)[1] if validator is not None else parts[-1])
    return findings


PERIOD_NAMES = {"month": "月", "quarter": "季度", "half_year": "半年", "year": "年"}


def _check_report_periods(reports, scheme, kind: str, at) -> None:
    """A report's period is written in the scheme's period (湖南 YYYY-MM, 河北 YYYY-QN)."""
    reporting = scheme.rules(kind).reporting
    if not isinstance(reports, list) or not reporting or reporting.period not in PERIOD_PATTERNS:
        return
    pattern, hint = PERIOD_PATTERNS[reporting.period]
    for index, report in enumerate(reports):
        period = report.get("period") if isinstance(report, dict) else None
        if isinstance(period, str) and not re.fullmatch(pattern, period):
            at(("reports", index, "period"), "report-period-cadence",
               f"报送周期「{period}」不对：本名录按{PERIOD_NAMES[reporting.period]}报送，{hint}",
               scheme.cite(reporting.basis))


def _check_change_kinds(changes, scheme, at) -> None:
    """A change's kind is one the scheme asks to be filed (scheme.yaml `change_filings`)."""
    if not isinstance(changes, list):
        return
    kinds = [kind for rule in scheme.change_filings for kind in rule["kinds"]]
    for index, change in enumerate(changes):
        kind = change.get("kind") if isinstance(change, dict) else None
        if isinstance(kind, str) and kind not in kinds:
            at(("changes", index, "kind"), "change-kind",
               f"变化类型「{kind}」不是本名录规定须报备的变化：可写 {'、'.join(kinds) or '（本名录未规定）'}",
               scheme.cite(scheme.change_filings[0]["basis"]) if scheme.change_filings else "")


def _check_direct_inclusion(inclusion: dict, scheme, at) -> None:
    """河北 第十条: only national/provincial demonstration platforms and bases, as scheme.yaml
    `direct_inclusion.titles` lists them, are included without a batch."""
    rule = scheme.direct_inclusion
    if not rule:
        at(("recognition", "direct_inclusion"), "direct-inclusion-not-in-scheme",
           f"名录「{scheme.title}」的办法没有“直接纳入”的规定：请按批次认定，删除 direct_inclusion")
        return
    title = inclusion.get("title")
    if isinstance(title, str) and title not in rule["titles"]:
        at(("recognition", "direct_inclusion", "title"), "direct-inclusion-title",
           f"「{title}」不是可直接纳入的称号：可直接纳入的有 {'、'.join(rule['titles'])}", scheme.cite(rule["basis"]))


def _status_words(validator):
    """recognized -> recognized（已认定）: the value staff write, with the label its schema gives it."""
    schema = describe(validator, ("recognition", "status"))[0] if validator is not None else {}
    labels = dict(re.findall(r"([A-Za-z0-9_-]+)（([^）]+)）", str(schema.get("x-hint", ""))))
    return lambda status: f"{status}（{labels[status]}）" if status in labels else str(status)


def _check_batch_reference(repository: Repository, record: Record, scheme, at, word) -> Batch | None:
    recognition = record.recognition
    if not recognition:
        return None
    batch_id = recognition.get("batch")
    if batch_id is None:
        rule = scheme.rules(record.kind).validity
        if rule.starts == "decision" and not isinstance(recognition.get("direct_inclusion"), dict):
            at(("recognition",), "batch-missing", "认定信息缺少所属批次（recognition.batch）", scheme.cite(rule.basis))
        return None
    batch = repository.batch_of(record)
    if batch is None:
        known = sorted(stem for scheme_id, stem in repository.batches if scheme_id == record.scheme_id)
        at(("recognition", "batch"), "batch-unknown",
           f"批次「{batch_id}」不存在：应有文件 schemes/{record.scheme_id}/batches/{batch_id}.yaml"
           + (f"；已有批次：{'、'.join(known)}" if known else ""))
        return None
    if recognition.get("status") == "publicity" and batch.section("decision").get("date"):
        at(("recognition", "status"), "status-after-decision",
           f"批次「{batch_id}」已于 {batch.section('decision').get('date')} 发文认定，状态仍写作 {word('publicity')}："
           f"请改为 {word('recognized')}",
           severity="warning")
    if recognition.get("status") in ("recognized", "suspended", "revoked") and not batch.section("decision").get("date"):
        at(("recognition", "status"), "status-before-decision",
           f"批次「{batch_id}」还没有认定发文（decision.date），认定状态不能是 {word(recognition.get('status'))}："
           f"公示期间写 {word('publicity')}")
    return batch


def _check_written_validity(record: Record, scheme, batch: Batch | None, at, word, title) -> None:
    """valid_from / valid_until and term.end may be written, but must agree with the derived dates;
    a suspension, revocation or withdrawal cannot come before the validity starts."""
    rule = scheme.rules(record.kind).validity
    if record.recognition and rule.starts == "term" and not isinstance(record.data.get("term"), dict):
        at(("recognition",), "term-missing", "已录入的服务商/专家须写明聘任期限的起始日期（term: {start: YYYY-MM-DD}）",
           scheme.cite(rule.basis))
    validity = derive_validity(record, scheme, batch)
    if validity is None:
        return
    for key, status in (("suspension", "suspended"), ("revocation", "revoked"), ("withdrawal", "withdrawn")):
        if isinstance(record.recognition.get(key), dict) and record.recognition.get("status") != status:
            at(("recognition", key), "action-status-mismatch",
               f"写了「{title(('recognition', key))}」（{key}），但认定状态是 {word(record.recognition.get('status'))}："
               f"状态以 status 为准"
               f"（应为 {word(status)} 吗？）",
               severity="warning")
    revocation = record.recognition.get("revocation")
    if scheme.bans and isinstance(revocation, dict) and isinstance(revocation.get("basis"), str) \
            and scheme.ban_years(revocation["basis"]) is None:
        articles = "、".join(ban.basis for ban in scheme.bans)
        at(("recognition", "revocation", "basis"), "revocation-basis-no-ban",
           f"撤销依据「{revocation['basis']}」不是规定禁止再申报的条款（{articles}）：不推算禁止期，请确认依据",
           scheme.document.short, severity="warning")
    for key, label in (("suspension", "暂停"), ("revocation", "撤销"), ("withdrawal", "退出")):
        action = record.values.actions.get(key)
        day = action.date if action is not None else None
        if day is not None and day < validity.start:
            at(("recognition", key, "date"), "action-before-validity",
               f"{label}日期 {day} 早于有效期起始日 {validity.start}（{validity.explanation}）")
    written = [(("recognition", "valid_from"), record.recognition.get("valid_from"), validity.start, "有效期起"),
               (("recognition", "valid_until"), record.recognition.get("valid_until"), validity.until, "有效期至")]
    term = record.data.get("term")
    if isinstance(term, dict):
        written.append((("term", "end"), term.get("end"), validity.until, "聘任截止日期"))
    for parts, value, derived, label in written:
        day = parse_date(value)
        if day is not None and day != derived:
            derived_text = derived.isoformat() if derived else "长期有效（办法未规定有效期）"
            at(parts, "validity-mismatch", f"{label}写的是 {day}，按{validity.explanation}应为 {derived_text}：可删除此行，由系统推算",
               scheme.cite(scheme.validity_basis))


def _cross_record_findings(repository: Repository, today: date) -> list[Finding]:
    """The same credit code twice with overlapping validity; re-applying during a revocation ban."""
    findings = []
    by_code: dict[tuple[str, str], list[Record]] = defaultdict(list)
    by_id: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in repository.records:
        by_id[(record.scheme_id, record.stem)].append(record)
        code = record.summary.get("credit_code")
        if isinstance(code, str) and record.kind == "provider":
            by_code[(record.scheme_id, code)].append(record)

    for (scheme_id, stem), records in by_id.items():
        for record in records[1:]:
            findings.append(Finding(record.path, 1, 1, "duplicate-id",
                                    f"记录编号「{stem}」在名录 {scheme_id} 中重复（另见 {records[0].path}）"))

    for (scheme_id, code), records in by_code.items():
        if len(records) < 2:
            continue
        scheme = repository.schemes[scheme_id]
        spans = []
        for record in records:
            batch = repository.batch_of(record)
            validity = derive_validity(record, scheme, batch)
            if validity is not None:
                spans.append((record, validity.start, validity_end_in_effect(record, validity)))
        for index, (record, start, end) in enumerate(spans):
            for other, other_start, other_end in spans[:index]:
                if (end is None or other_start <= end) and (other_end is None or start <= other_end):
                    for here, there, there_start, there_end in ((record, other, other_start, other_end),
                                                                (other, record, start, end)):
                        line, column = here.document.position(("credit_code",))
                        findings.append(Finding(
                            here.path, line, column, "duplicate-credit-code",
                            f"统一社会信用代码 {code} 也在 {there.path} 中认定（{there_start} 至 {there_end or '长期'}），"
                            "两者有效期重叠：同一机构在一个名录中只能有一条有效记录，续期请修改原记录",
                            scheme.cite(scheme.validity_basis), "$.credit_code"))
        for banned in records:
            revocation = banned.values.action_in_force("revocation")
            if revocation is None:
                continue
            revoked_on = revocation.date
            until = ban_end(scheme, revocation)
            if revoked_on is None or until is None:
                continue
            for record in records:
                if record is banned:
                    continue
                applied = reference_date(record, scheme, repository.batch_of(record), today)
                if revoked_on < applied <= until:
                    line, column = record.document.position(("credit_code",))
                    findings.append(Finding(
                        record.path, line, column, "ban-in-force",
                        f"该机构（{code}）于 {revoked_on} 被撤销（{banned.path}，依据 {revocation.basis}），"
                        f"至 {until}（含）不得再次申报；本次申报日为 {applied}",
                        scheme.cite(revocation.basis.strip() or scheme.validity_basis), "$.credit_code"))
    return findings


def _prerequisite_findings(repository: Repository, today: date, calendar: WorkCalendar) -> list[Finding]:
    """`recognized_in` conditions: the same credit code must hold a valid recognition in another
    scheme on the day the application is judged (its batch's publicity start, or today)."""
    findings = []
    for record in repository.records:
        scheme = repository.schemes[record.scheme_id]
        wanted = [c for c in scheme.conditions.get(record.kind, ()) if c.kind == "recognized_in"]
        code = record.summary.get("credit_code")
        if not record.focused or not wanted or not isinstance(code, str):
            continue
        applied = reference_date(record, scheme, repository.batch_of(record), today)
        for condition in wanted:
            other = repository.schemes.get(condition.in_scheme)
            holders = [r for r in repository.records
                       if r.scheme_id == condition.in_scheme and r.summary.get("credit_code") == code]
            if other is not None and any(
                    derive(r, other, repository.batch_of(r), calendar, applied).status in ("valid", "expiring")
                    for r in holders):
                continue
            where = other.title if other else condition.in_scheme
            line, column = record.document.position(("credit_code",))
            findings.append(Finding(record.path, line, column, condition.id,
                                    f"{condition.label}：统一社会信用代码 {code} 在「{where}」中于 {applied} 没有有效的认定",
                                    scheme.cite(condition.basis), "$.credit_code"))
    return findings
