"""Commands that change records, so that staff never edit the YAML by hand.

    directory suspend hunan-sme-hexin/cs-zhiyuan --date 2026-08-12 --reason 法人主体重组 --basis 第十四条

Each command reads the library, refuses what the scheme's rules forbid (a `Refusal`: one Chinese
line with the article), edits the files it concerns in place (edit.py keeps comments, key order,
quoting and blank lines), checks the whole library in memory with the change and writes nothing
if the change adds an error. `--dry-run` prints the diff instead of writing. The rules come from
the scheme data (rules/schemes.py `Scheme`, scheme.yaml); dates are judged against `--date`.

Exit codes: 0 done, 1 refused (or the change would add errors), 2 usage.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from directory import reporters
from directory.checks.validate import validate_repository
from directory.findings import Finding
from directory.library.repository import Batch, Record, Repository, load_repository
from directory.lifecycle.derive import Lifecycle, ban_end, derive, derive_validity, publicity_end
from directory.lifecycle.periodic import PERIOD_PATTERNS, due_date, due_periods
from directory.loading.yamlfile import load_bytes
from directory.library.model import Action
from directory.rules.calendar import CalendarGap, load_calendar
from directory.rules.dates import add_months, today_in_china
from directory.rules.schemes import PERIOD_MONTHS, Scheme
from directory.staff.edit import EditError, YamlEdit, append, block, flow, new_file, note, put, remove, scalar

COMMANDS: dict[str, Callable] = {}   # command name -> function(library, args) -> Change
CURRENT = ("valid", "expiring")      # derived statuses of a recognition in force
# keys that come before `recognition` in a record (SPEC §3), so that a new section lands in its place
BEFORE_RECOGNITION = ("recommender", "facts", "waivers", "term")
AFTER_STATUS = ("status", "valid_from", "valid_until")


class Refusal(Exception):
    """What the rules forbid: a Chinese message and the citation it rests on."""

    def __init__(self, message: str, basis: str = ""):
        super().__init__(message)
        self.basis = basis

    def __str__(self) -> str:
        message = self.args[0]
        return f"{message}（{self.basis}）" if self.basis else message


class Usage(Exception):
    """A record, scheme or batch that does not exist, or options that do not fit: exit 2."""


@dataclass
class Change:
    files: dict[str, str]                  # repository-relative path -> the new text
    describe: Callable[[Repository], str]  # the outcome line, read from the repository as changed


class Library:
    """The repository as read, and the edits of one command on top of it."""

    def __init__(self, root: Path, today: date):
        self.root = root
        self.today = today
        self.calendar = load_calendar(root)
        self.repository = load_repository(root)
        self.edits: dict[str, YamlEdit] = {}

    # ---- finding things
    def record(self, reference: str) -> Record:
        """A record by path (relative to the repository root) or `<scheme>/<id>`, `<scheme>/experts/<id>`."""
        path = _relative(self.root, reference)
        for record in self.repository.records:
            if record.path == path or (path is None and _short(record) == reference.strip("/")):
                return record
        if path and (self.root / path).is_file():
            raise Refusal(f"记录文件 {path} 有错误，无法读取：请先运行 directory validate 修正")
        raise Usage(f"找不到记录「{reference}」：写作文件路径 providers/<名录>/<编号>.yaml，"
                    "或 <名录>/<编号>（专家：<名录>/experts/<编号>）")

    def scheme(self, scheme_id: str) -> Scheme:
        if scheme_id not in self.repository.schemes:
            raise Usage(f"没有名录「{scheme_id}」：可用的有 {'、'.join(sorted(self.repository.schemes))}")
        return self.repository.schemes[scheme_id]

    def life(self, record: Record, on: date) -> Lifecycle:
        scheme = self.repository.schemes[record.scheme_id]
        return derive(record, scheme, self.repository.batch_of(record), self.calendar, on)

    # ---- changing things
    def edit(self, path: str) -> CommentedMap:
        """The content of a file, for editing in place (edit.py)."""
        if path not in self.edits:
            try:
                text = (self.root / path).read_text(encoding="utf-8")
                self.edits[path] = YamlEdit.parse(text)
            except (OSError, UnicodeDecodeError):
                raise Refusal(f"无法读取 {path}：请先运行 directory validate 修正") from None
            except EditError as error:
                raise Refusal(f"{path}：{error}") from None
        return self.edits[path].data

    def recognition(self, record: Record) -> CommentedMap:
        """The record's `recognition`, created (block style) where a term-based record has none."""
        data = self.edit(record.path)
        if not isinstance(data.get("recognition"), CommentedMap):
            put(data, "recognition", block(), after=BEFORE_RECOGNITION)
        return data["recognition"]

    def texts(self) -> dict[str, str]:
        try:
            return {path: edit.text() for path, edit in self.edits.items()}
        except EditError as error:
            raise Refusal(str(error)) from None

    def changed(self, files: dict[str, str]) -> tuple[Repository, list[Finding]]:
        """The repository with `files` in place of (or beside) the files read, and the findings of
        reading them (parsed from the very text that would be written, so lines are its lines)."""
        problems: list[Finding] = []
        records = {record.path: record for record in self.repository.records}
        batches = dict(self.repository.batches)
        for path, text in files.items():
            document, found = load_bytes(text.encode("utf-8"), path)
            problems += found
            if document is None:
                continue
            parts = path.split("/")
            if parts[0] == "schemes":
                batches[(parts[1], Path(path).stem)] = Batch(path, parts[1], Path(path).stem, document)
            else:
                old = records[path]
                records[path] = Record(path, old.scheme_id, old.kind, old.stem, document, old.focused, old.stamp)
        return replace(self.repository, records=list(records.values()), batches=batches), problems


def _record_at(repository: Repository, path: str) -> Record:
    return next(record for record in repository.records if record.path == path)


def _relative(root: Path, reference: str) -> str | None:
    """The repository-relative path of a RECORD written as a file path; None for `<scheme>/<id>`."""
    if not reference.endswith((".yaml", ".yml")):
        return None
    path = Path(reference)
    for candidate in ([path] if path.is_absolute() else [root / path, Path.cwd() / path]):
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue
    return reference


def _short(record: Record) -> str:
    """`<scheme>/<id>`, or `<scheme>/<folder>/<id>` for a kind kept in a sub-folder (experts)."""
    return Path(record.path).relative_to("providers").with_suffix("").as_posix()


def _name(record: Record) -> str:
    name = record.data.get("name")
    return f"「{name}」" if isinstance(name, str) else f"「{record.stem}」"


def _command(name: str):
    def register(function):
        COMMANDS[name] = function
        return function
    return register


def _refuse_unless_current(library: Library, record: Record, on: date, allowed: tuple[str, ...], doing: str) -> Lifecycle:
    life = library.life(record, on)
    if life.status not in allowed:
        raise Refusal(f"{_name(record)}在 {on} 的状态是“{life.label}”：{doing}")
    return life


def _matching(article: str, bases) -> str | None:
    """The listed article that `article` cites (第十九条（二） cites 第十九条), as Scheme.ban_years reads them."""
    return next((basis for basis in bases if article.strip().startswith(basis)), None)


# ---------------------------------------------------------------- suspend, reinstate

@_command("suspend")
def suspend(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    life = _refuse_unless_current(library, record, args.date, CURRENT, "只有有效期内的认定才能暂停")
    rules = {rule["basis"]: rule for rule in scheme.suspension_rules}
    rule = None
    if args.basis and rules:
        matched = _matching(args.basis, rules)
        if matched is None:
            raise Refusal(f"暂停依据「{args.basis}」不是本名录规定暂停的条款：可用 {'、'.join(rules)}", scheme.document.short)
        rule = rules[matched]
    recognition = library.recognition(record)
    put(recognition, "status", "suspended")
    put(recognition, "suspension", flow(date=args.date, reason=args.reason, basis=args.basis), after=AFTER_STATUS)

    def describe(changed: Repository) -> str:
        then = (f"；应于 {add_months(args.date, rule['months'])} 前{rule['until']}，逾期{rule['then']}" if rule
                else "；恢复时运行 directory reinstate")
        return (f"已暂停{_name(record)}的认定：自 {args.date} 起显示“暂停”（有效期仍至 {life.valid_until or '长期'}）{then}")
    return Change(library.texts(), describe)


@_command("reinstate")
def reinstate(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    suspension = record.values.action_in_force("suspension")
    if suspension is None:
        raise Refusal(f"{_name(record)}没有被暂停（状态：{library.life(record, args.date).label}）：无需恢复")
    if suspension.date and args.date < suspension.date:
        raise Refusal(f"恢复日期 {args.date} 早于暂停日期 {suspension.date}")
    life = library.life(record, args.date)
    if life.valid_until and args.date > life.valid_until:
        raise Refusal(f"{_name(record)}的有效期已于 {life.valid_until} 届满：不能恢复，须重新申报")
    recognition = library.recognition(record)
    put(recognition, "status", "recognized")
    _retire(recognition, "suspension", suspension, "暂停", f"{args.date} 恢复" + (f"：{args.reason}" if args.reason else ""))

    def describe(changed: Repository) -> str:
        now = derive(_record_at(changed, record.path), scheme, changed.batch_of(record), library.calendar, args.date)
        return (f"已恢复{_name(record)}的认定：自 {args.date} 起显示“{now.label}”，"
                f"有效期仍至 {life.valid_until or '长期'}（暂停不延长有效期）")
    return Change(library.texts(), describe)


def _retire(recognition: CommentedMap, key: str, action: Action, label: str, outcome: str = "") -> None:
    """Take an action that no longer holds (a suspension, once reinstated or revoked) out of the
    record, leaving a comment below `status` that says what it was: the file keeps its history."""
    if key not in recognition:
        return
    parts = [f"{action.date} 起{label}", action.basis, action.reason]
    remark = "，".join(part for part in parts if part) + (f"；{outcome}" if outcome else "")
    remove(recognition, key)
    note(recognition, "status", remark, recognition.lc.col)


# ---------------------------------------------------------------- revoke, withdraw

@_command("revoke")
def revoke(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    # the articles that provide for revoking: scheme.yaml `revocation_bases`, and those of `revocation_bans`
    bases = [ban.basis for ban in scheme.bans] + [entry["basis"] for entry in scheme.raw.get("revocation_bases") or ()]
    if _matching(args.basis, bases) is None:
        raise Refusal(f"撤销依据「{args.basis}」不是本名录规定可撤销认定的条款：可用 {'、'.join(bases) or '（未规定）'}",
                      scheme.document.short)
    _refuse_unless_current(library, record, args.date, CURRENT + ("suspended",), "只有有效期内（或暂停中）的认定才能撤销")
    _end(library, record, "revoked", "revocation", flow(date=args.date, reason=args.reason, basis=args.basis), f"{args.date} 撤销")

    def describe(changed: Repository) -> str:
        until = ban_end(scheme, Action(args.date, args.reason, args.basis))
        ban = (f"{until}（含）前不得再次申报，{until + timedelta(days=1)} 起可再申报" if until
               else "该条款未规定禁止再申报的期限")
        return f"已撤销{_name(record)}的认定（{scheme.cite(args.basis)}）：自 {args.date} 起显示“已撤销”并列入撤销公告；{ban}"
    return Change(library.texts(), describe)


@_command("withdraw")
def withdraw(library: Library, args) -> Change:
    record = library.record(args.record)
    _refuse_unless_current(library, record, args.date, CURRENT + ("suspended",), "只有有效期内（或暂停中）的认定才能退出")
    _end(library, record, "withdrawn", "withdrawal", flow(date=args.date, reason=args.reason), f"{args.date} 自愿退出")

    def describe(changed: Repository) -> str:
        return f"已登记{_name(record)}自愿退出：自 {args.date} 起显示“自愿退出”，有效期于当日结束；不影响再次申报"
    return Change(library.texts(), describe)


def _end(library: Library, record: Record, status: str, key: str, action: CommentedMap, outcome: str) -> None:
    """A revocation or withdrawal: the new status and its action; a suspension it ends becomes a comment."""
    recognition = library.recognition(record)
    suspension = record.values.action_in_force("suspension")
    put(recognition, "status", status)
    if suspension is not None:
        _retire(recognition, "suspension", suspension, "暂停", outcome)
    put(recognition, key, action, after=AFTER_STATUS)


# ---------------------------------------------------------------- extend

@_command("extend")
def extend(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    rule = scheme.rules(record.kind).validity
    if not rule.extension_basis or not (rule.extension_years or rule.starts == "term"):
        raise Refusal("本名录的办法没有延长有效期的规定：期满须重新申报", scheme.cite(rule.basis))
    if _matching(args.basis, [rule.extension_basis]) is None:
        raise Refusal(f"延期依据「{args.basis}」不对：本名录延长有效期的条款是 {rule.extension_basis}", scheme.document.short)
    life = _refuse_unless_current(library, record, args.date, CURRENT + ("expired",), "只有有效或已到期的认定才能延期")
    data = library.edit(record.path)
    if rule.extension_years:  # 河北 第十二条: each extension adds its years to the same recognition
        recognition = library.recognition(record)
        if not isinstance(recognition.get("extensions"), CommentedSeq):
            put(recognition, "extensions", CommentedSeq(), after=AFTER_STATUS + ("revocation", "suspension", "grades"))
        append(recognition["extensions"], flow(date=args.date, doc_no=args.doc_no))
    else:                     # 吉林 第十条（三）: a new term, from the day of the extension
        term = data.get("term")
        start = record.values.term_start
        if not isinstance(term, CommentedMap) or start is None:
            raise Refusal(f"{_name(record)}没有聘任期限（term.start）：无法延期")
        if args.date <= start:
            raise Refusal(f"新的聘任起始日 {args.date} 应晚于原聘任起始日 {start}")
        put(term, "start", args.date)
    # a written end must move with the derived one (validate checks that they agree)
    new_until = _derived_until(library, record, data)
    for mapping, key in ((data.get("recognition"), "valid_until"), (data.get("term"), "end")):
        if isinstance(mapping, CommentedMap) and key in mapping and new_until:
            put(mapping, key, new_until)

    def describe(changed: Repository) -> str:
        how = (f"有效期延长 {rule.extension_years} 年" if rule.extension_years else f"新的聘任期自 {args.date} 起")
        old = life.validity.until if life.validity else None
        return f"已为{_name(record)}延期（{scheme.cite(args.basis)}）：{how}，有效期由 {old} 届满改为至 {new_until}"
    return Change(library.texts(), describe)


def _derived_until(library: Library, record: Record, data: CommentedMap) -> date | None:
    """The validity end of the record as edited so far (edit.py text, read as the library reads it)."""
    path = record.path
    repository, _ = library.changed({path: library.edits[path].text()})
    changed = _record_at(repository, path)
    validity = derive_validity(changed, repository.schemes[record.scheme_id], repository.batch_of(changed))
    return validity.until if validity else None


# ---------------------------------------------------------------- received, grade

def _period_start(period: str, kind: str) -> date | None:
    """The first day of a period written as scheme's `reporting.period` names it (2026-01, 2026-Q1 …)."""
    pattern = PERIOD_PATTERNS[kind][0]
    if not re.fullmatch(pattern, period):
        return None
    year = int(period[:4])
    if kind == "year":
        return date(year, 1, 1)
    number = int(period[-1] if kind != "month" else period[5:])
    return date(year, (number - 1) * PERIOD_MONTHS[kind] + 1, 1)


@_command("received")
def received(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    reporting = scheme.rules(record.kind).reporting
    if reporting is None:
        raise Refusal(f"名录「{scheme.title}」的办法没有定期报送的规定：无需登记")
    first_day = _period_start(args.period, reporting.period)
    if first_day is None:
        raise Refusal(f"报送周期「{args.period}」写法不对：本名录{PERIOD_PATTERNS[reporting.period][1]}", scheme.cite(reporting.basis))
    due = due_date(reporting, first_day)
    opens = due.replace(day=1)  # the month the report falls due in: 湖南 次月, 河北 季度末月
    if args.date < opens:
        raise Refusal(f"{args.period} 的报送期尚未开始：自 {opens} 起报送，截止 {due}", scheme.cite(reporting.basis))
    life = library.life(record, args.date)
    if life.validity is None:
        raise Refusal(f"{_name(record)}尚未认定（状态：{life.label}）：认定后才需定期报送", scheme.cite(reporting.basis))
    horizon = max(due, life.validity.start) + timedelta(days=800)  # past this period, and past the first one owed
    owed = due_periods(reporting, life.validity.start, life.valid_until, horizon)
    if args.period not in [period for period, _ in owed]:
        first = owed[0][0] if owed else "（无）"
        raise Refusal(f"{args.period} 不在{_name(record)}应报送的周期内：认定自 {life.validity.start} 起，首期为 {first}",
                      scheme.cite(reporting.basis))
    data = library.edit(record.path)
    reports = data.get("reports")
    if not isinstance(reports, CommentedSeq):
        put(data, "reports", CommentedSeq(), after=("recognition",))
        reports = data["reports"]
    existing = next((report for report in reports if isinstance(report, dict) and str(report.get("period")) == args.period), None)
    if existing is not None and existing.get("submitted"):
        raise Refusal(f"{_name(record)}的 {args.period} 报送已于 {existing['submitted']} 登记")
    if existing is not None:
        put(existing, "submitted", args.date)
    else:
        append(reports, flow(period=args.period, submitted=args.date))

    def describe(changed: Repository) -> str:
        late = f"（逾期补报：截止 {due}，仍计为缺报）" if args.date > due else ""
        changed_record = _record_at(changed, record.path)
        done = {str(r.get("period")) for r in changed_record.data.get("reports") or [] if isinstance(r, dict) and r.get("submitted")}
        horizon = add_months(due, 12 * 3)
        following = [(period, day) for period, day in due_periods(reporting, life.validity.start, life.valid_until, horizon)
                     if day > due and period not in done]
        then = f"下一期 {following[0][0]} 应于 {following[0][1]} 前报送" if following else "认定期内已没有待报的周期"
        return f"已登记{_name(record)}{args.period} 的报送（{args.date}）{late}：{then}"
    return Change(library.texts(), describe)


@_command("grade")
def grade(library: Library, args) -> Change:
    record = library.record(args.record)
    scheme = library.repository.schemes[record.scheme_id]
    rules = scheme.grades
    if not rules:
        raise Refusal(f"名录「{scheme.title}」的办法没有年度绩效评价等级")
    allowed = [str(value) for value in rules.get("values") or ()]
    if args.grade not in allowed:
        raise Refusal(f"等级「{args.grade}」不在可选范围内：{'、'.join(allowed)}", scheme.cite(rules.get("values_basis", "")))
    life = library.life(record, date(args.year, 12, 31))
    validity = life.validity
    if validity is None or validity.start.year > args.year or (life.valid_until and life.valid_until.year < args.year):
        span = f"{validity.start} 至 {life.valid_until or '长期'}" if validity else "尚未认定"
        raise Refusal(f"{args.year} 年不在{_name(record)}的认定有效期内（{span}）：无从评价", scheme.cite(rules.get("values_basis", "")))
    recognition = library.recognition(record)
    grades = recognition.get("grades")
    previous = None
    if isinstance(grades, CommentedMap):
        key = next((k for k in grades if str(k) == str(args.year)), args.year)
        previous = grades.get(key)
        put(grades, key, args.grade)
    else:
        grades = CommentedMap([(args.year, scalar(args.grade))])
        grades.fa.set_flow_style()
        put(recognition, "grades", grades, after=AFTER_STATUS + ("revocation", "suspension", "withdrawal", "extensions"))

    def describe(changed: Repository) -> str:
        written = {str(k): str(v) for k, v in (_record_at(changed, record.path).recognition.get("grades") or {}).items()}
        was = f"（原为 {previous}）" if previous is not None and str(previous) != args.grade else ""
        follows = []
        for key in ("revoke_after", "observation_after", "renew_without_review_after"):
            rule = rules.get(key)
            if rule and all(written.get(str(args.year - back)) == str(rule["grade"]) for back in range(rule["years"])):
                follows.append(f"连续 {rule['years']} 年{rule['grade']}：{rule['action']}（{scheme.cite(rule.get('basis') or rules.get('basis', ''))}）")
        return f"已登记{_name(record)}{args.year} 年度绩效评价为 {args.grade}{was}" + ("；" + "；".join(follows) if follows else "")
    return Change(library.texts(), describe)


# ---------------------------------------------------------------- publicize, decide

@_command("publicize")
def publicize(library: Library, args) -> Change:
    scheme = library.scheme(args.scheme)
    if not scheme.has_publicity:
        raise Refusal(f"名录「{scheme.title}」的办法不设公示：记录认定后直接录入")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", args.batch):
        raise Usage(f"批次编号「{args.batch}」只能用字母、数字、连字符和下划线，如 2026-2")
    path = f"schemes/{scheme.id}/batches/{args.batch}.yaml"
    if (scheme.id, args.batch) in library.repository.batches or (library.root / path).exists():
        raise Refusal(f"批次 {args.batch} 已存在（{path}）：请换一个批次编号")
    defaults = scheme.raw.get("batch_defaults") or {}

    def setting(given: str | None, key: str, option: str) -> str:
        value = given or defaults.get(key, "").replace("{year}", str(args.start.year)).replace("{batch}", args.batch)
        if not value:
            raise Refusal(f"请用 {option} 写明（本名录 scheme.yaml 的 batch_defaults 没有 {key}）")
        return value

    days = args.working_days
    if scheme.publicity_days is None and days is None:
        raise Refusal("本名录的办法未规定公示天数：请用 --working-days 写明", scheme.cite(scheme.publicity_basis))
    if scheme.publicity_days is not None and days is not None and days != scheme.publicity_days:
        raise Refusal(f"本名录的办法规定公示 {scheme.publicity_days} 个工作日：不能改为 {days} 个", scheme.cite(scheme.publicity_basis))
    records = list({record.path: record for record in map(library.record, args.records)}.values())  # each once
    for record in records:
        batch = library.repository.batch_of(record)
        if record.scheme_id != scheme.id:
            raise Refusal(f"{record.path} 不属于名录 {scheme.id}")
        if record.values.recognized and not (record.values.status == "publicity" and batch is not None
                                             and not batch.values.decision_date):
            raise Refusal(f"{_name(record)}已有认定（批次 {record.values.batch}，状态：{library.life(record, args.start).label}）："
                          "只有审核中的申请（或尚未发文的公示名单中的）才能列入新的公示")
    batch_text = new_file({"id": args.batch, "title": setting(args.title, "title", "--title"),
                           "publicity": {"start": args.start,
                                         **({"working_days": days} if scheme.publicity_days is None else {}),
                                         "channel": setting(args.channel, "channel", "--channel"),
                                         "objection_contact": setting(args.objection_contact, "objection_contact", "--objection-contact")}})
    for record in records:
        recognition = library.recognition(record)
        put(recognition, "batch", args.batch)
        put(recognition, "status", "publicity", after=("batch", "certificate_no"))
    files = {path: batch_text, **library.texts()}
    try:
        end = publicity_end(library.changed({path: batch_text})[0].batches[(scheme.id, args.batch)], scheme, library.calendar)
    except CalendarGap as gap:
        raise Refusal(f"无法推算公示截止日期：{gap}") from None

    def describe(changed: Repository) -> str:
        return (f"已新建批次 {path}，{len(records)} 家列入公示：{args.start} 起 {days or scheme.publicity_days} 个工作日，"
                f"至 {end} 止；期满无异议后运行 directory decide（认定日期须晚于 {end}）")
    return Change(files, describe)


@_command("decide")
def decide(library: Library, args) -> Change:
    scheme = library.scheme(args.scheme)
    batch = library.repository.batches.get((scheme.id, args.batch))
    if batch is None:
        raise Usage(f"名录 {scheme.id} 没有批次「{args.batch}」（schemes/{scheme.id}/batches/{args.batch}.yaml）")
    if len(args.reject) != len(args.reason):
        raise Usage("每个 --reject 后要跟一个 --reason（未通过的原因）")
    if batch.values.decision_date:
        raise Refusal(f"批次 {args.batch} 已于 {batch.values.decision_date} 发文认定")
    try:
        end = publicity_end(batch, scheme, library.calendar)
    except CalendarGap as gap:
        raise Refusal(f"无法推算公示截止日期：{gap}") from None
    if end and args.date <= end:
        raise Refusal(f"批次 {args.batch} 的公示至 {end} 止：认定日期须在公示期满之后（{args.date} 还在公示期内）",
                      scheme.cite(scheme.publicity_basis))
    members = sorted((r for r in library.repository.records if r.scheme_id == scheme.id
                      and r.values.batch == args.batch and r.values.status == "publicity"), key=lambda r: r.path)
    if not members:
        raise Refusal(f"批次 {args.batch} 中没有公示中的记录（recognition.status: publicity）")
    rejected = {}
    for reference, reason in zip(args.reject, args.reason):
        record = library.record(reference)
        if record not in members:
            raise Refusal(f"{_name(record)}不在批次 {args.batch} 的公示名单中")
        rejected[record.path] = reason
    put(library.edit(batch.path), "decision", block(doc_no=args.doc_no, date=args.date))
    numbers = []
    for record in members:
        recognition = library.recognition(record)
        if record.path in rejected:
            put(recognition, "status", "rejected")
            put(recognition, "rejection", flow(date=args.date, reason=rejected[record.path]), after=AFTER_STATUS)
            continue
        put(recognition, "status", "recognized")
        if args.certificate_prefix and "certificate_no" not in recognition:
            numbers.append(f"{args.certificate_prefix}{len(numbers) + 1:03d}")
            put(recognition, "certificate_no", numbers[-1], after=("batch",))

    def describe(changed: Repository) -> str:
        accepted = [_record_at(changed, r.path) for r in members if r.path not in rejected]
        until = {derive_validity(r, scheme, changed.batch_of(r)).until for r in accepted}
        valid = f"有效期至 {'、'.join(str(day) for day in sorted(until, key=str) if day) or '长期'}" if accepted else ""
        certificates = f"，证书编号 {numbers[0]} 至 {numbers[-1]}" if numbers else ""
        refused = f"；{len(rejected)} 家未通过（保留记录，不公开）" if rejected else ""
        return f"批次 {args.batch} 已认定（{args.doc_no}，{args.date}）：{len(accepted)} 家{valid and '，' + valid}{certificates}{refused}"
    return Change(library.texts(), describe)


# ---------------------------------------------------------------- the command line

def add_record_commands(subparsers, date_type) -> None:
    """The parsers of these commands, added to `directory`'s (cli.py)."""
    def command(name: str, help_text: str, record: bool = True):
        parser = subparsers.add_parser(name, help=help_text)
        if record:
            parser.add_argument("record", help="记录：文件路径，或 <名录>/<编号>（专家：<名录>/experts/<编号>）")
        parser.add_argument("--dry-run", action="store_true", help="只显示将要做的修改（diff），不写入")
        parser.add_argument("--today", type=date_type, default=None, help="按此日期校验全库（默认：北京时间今天）")
        return parser

    publicize_ = command("publicize", "新建一个公示批次，把申请列入公示", record=False)
    publicize_.add_argument("records", nargs="+", help="列入公示的申请（文件路径或 <名录>/<编号>，可写多条）")
    publicize_.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    publicize_.add_argument("--batch", required=True, help="批次编号，如 2026-2（即文件名）")
    publicize_.add_argument("--start", type=date_type, required=True, help="公示开始日期")
    publicize_.add_argument("--title", help="批次名称（默认取自 scheme.yaml 的 batch_defaults）")
    publicize_.add_argument("--channel", help="公示渠道（默认同上）")
    publicize_.add_argument("--objection-contact", help="异议受理联系方式（默认同上）")
    publicize_.add_argument("--working-days", type=int, help="公示工作日数（只在办法未规定天数时写，如湖北安防协会）")

    decide_ = command("decide", "公示期满：发文认定一个批次", record=False)
    decide_.add_argument("--scheme", required=True, help="名录，如 hunan-sme-hexin")
    decide_.add_argument("--batch", required=True, help="批次编号，如 2026-2")
    decide_.add_argument("--date", type=date_type, required=True, help="认定（发文）日期")
    decide_.add_argument("--doc-no", required=True, help="认定文号")
    decide_.add_argument("--certificate-prefix", help="按顺序编证书号：前缀加三位序号，如 湘核心〔2026〕 → 湘核心〔2026〕001")
    decide_.add_argument("--reject", action="append", default=[], help="未通过的申请（可多次）")
    decide_.add_argument("--reason", action="append", default=[], help="紧跟 --reject：未通过的原因")

    suspend_ = command("suspend", "暂停一个认定")
    suspend_.add_argument("--date", type=date_type, required=True, help="暂停日期")
    suspend_.add_argument("--reason", required=True, help="暂停原因（写入记录）")
    suspend_.add_argument("--basis", help="依据条款，如 第十四条")

    reinstate_ = command("reinstate", "恢复暂停的认定")
    reinstate_.add_argument("--date", type=date_type, required=True, help="恢复日期")
    reinstate_.add_argument("--reason", help="恢复原因（可不写）")

    revoke_ = command("revoke", "撤销一个认定（禁止再申报期限按条款推算）")
    revoke_.add_argument("--date", type=date_type, required=True, help="撤销日期（禁止再申报期限从这天起算）")
    revoke_.add_argument("--reason", required=True, help="撤销原因（写入记录）")
    revoke_.add_argument("--basis", required=True, help="依据条款，如 第十九条（二）")

    withdraw_ = command("withdraw", "登记自愿退出")
    withdraw_.add_argument("--date", type=date_type, required=True, help="退出日期")
    withdraw_.add_argument("--reason", help="退出原因（可不写）")

    extend_ = command("extend", "延长有效期（河北 第十二条到期自评通过、吉林 第十条（三）延期）")
    extend_.add_argument("--date", type=date_type, required=True, help="延期决定日期（吉林：新的聘任起始日）")
    extend_.add_argument("--basis", required=True, help="依据条款，如 第十二条")
    extend_.add_argument("--doc-no", help="延期文号（河北）")

    received_ = command("received", "登记一期定期报送")
    received_.add_argument("--period", required=True, help="报送周期：湖南按月 2026-11，河北按季 2026-Q4")
    received_.add_argument("--date", type=date_type, required=True, help="报送日期")

    grade_ = command("grade", "登记年度绩效评价等级")
    grade_.add_argument("--year", type=_year, required=True, help="评价年度，如 2025")
    grade_.add_argument("--grade", required=True, help="等级，如 A（见本名录 scheme.yaml 的 grades.values）")


def _year(value: str) -> int:
    if not re.fullmatch(r"(19|20|21)[0-9]{2}", value):
        raise argparse.ArgumentTypeError(f"年份应写作四位数字，如 2025：{value[:20]}")
    return int(value)


def run(root: Path, args) -> int:
    """Run one of COMMANDS in a library (cli.py checked that `root` is one); 0 written (or shown),
    1 refused or findings, 2 usage."""
    library = Library(root, args.today or today_in_china())
    if any(f.severity == "error" for f in library.calendar.findings):
        print(reporters.text(list(library.calendar.findings)), file=sys.stderr)
        return 1
    try:
        change = COMMANDS[args.command](library, args)
    except Usage as error:
        print(f"directory：{error}", file=sys.stderr)
        return 2
    except Refusal as refusal:
        print(f"directory：{refusal}", file=sys.stderr)
        return 1
    changed, problems = library.changed(change.files)
    added = problems + _added_errors(validate_repository(library.repository, library.today, library.calendar),
                                     validate_repository(changed, library.today, library.calendar))
    if added:
        print(reporters.text(sorted(added)))
        print(f"修改后会出现 {len(added)} 个错误：没有写入任何文件", file=sys.stderr)
        return 1
    message = change.describe(changed)
    if args.dry_run:
        for path, text in change.files.items():
            print(_diff(root, path, text), end="")
        print(f"试运行，未写入：{message}", file=sys.stderr)
        return 0
    for path, text in change.files.items():
        _write(root / path, text)
    print(message, file=sys.stderr)
    return 0


def _added_errors(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Errors after the change that were not there before (lines may have moved: not compared)."""
    def key(finding: Finding):
        return finding.path, finding.rule, finding.json_path, finding.message
    known = {key(finding) for finding in before if finding.severity == "error"}
    return [finding for finding in after if finding.severity == "error" and key(finding) not in known]


def _diff(root: Path, path: str, text: str) -> str:
    try:
        old = (root / path).read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    return "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                        f"a/{path}" if old else "/dev/null", f"b/{path}"))


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: a command stopped half-way leaves the old file, not half a new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
