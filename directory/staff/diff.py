"""`directory diff`: what a change does to the public catalogue, in Chinese, for the reviewer of a pull request.

    directory diff                       # against the merge base with main (else origin/main, master)
    directory diff --base origin/main --format markdown   # CI: also appended to $GITHUB_STEP_SUMMARY

The library as it was at the base commit (read from git into a temporary folder) and as it is now
(the working tree, uncommitted edits included) are each loaded, validated and turned into the public
catalogue (site/catalogue.py, the very view the site is built from), on the same `today`. Then
record by record: entering 公示, recognised, suspended, revoked, expired, withdrawn, added, removed;
published fields old → new, titled from the schemas; fields that are not published (facts, reports,
private, …) only named, never their values; 公示 notices; rule findings that appear or are fixed.

It describes, it does not judge: exit 0 whatever changed, 2 when git cannot give the base.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from directory import reporters
from directory.checks.validate import validate_repository
from directory.findings import Finding
from directory.library.repository import Record, Repository, load_repository
from directory.lifecycle.derive import STATUS_LABELS
from directory.rules.calendar import load_calendar
from directory.rules.dates import today_in_china
from directory.rules.fields import Field, fields_of
from directory.site.catalogue import PUBLIC_RECOGNITION, Catalogue, Entry, PublicityNotice, build_catalogue

DEFAULT_BASES = ("main", "origin/main", "master", "origin/master")
LIBRARY = ("providers", "schemes")      # what is read from the base commit
ACTION_KEYS = ("suspension", "revocation", "withdrawal")
DERIVED_KEYS = ("status", "valid_from", "valid_until")  # shown through the derived status and dates
VALUE_LIMIT = 80                        # characters of an old or new value shown


class DiffError(Exception):
    """git cannot give the base revision: one Chinese line, exit 2."""


@dataclass(frozen=True)
class Change:
    """What happened to one record or notice. `fields` are (title, old, new) of what the site shows;
    `private` only names fields that are not published."""

    label: str                                  # 「长沙智远…」（hunan-sme-hexin/cs-zhiyuan）
    event: str = ""                             # "暂停：自 2026-08-12 起（…）"; "" when only fields changed
    fields: tuple[tuple[str, str, str], ...] = ()
    private: tuple[str, ...] = ()


@dataclass
class Review:
    base: str                                   # as asked for (or found): "main"
    commit: str                                 # the merge base compared with, abbreviated
    today: date
    records: list[Change] = field(default_factory=list)    # changes the public catalogue shows
    pending: list[Change] = field(default_factory=list)    # applications not on the site, before or after
    notices: list[Change] = field(default_factory=list)
    rules_files: list[str] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    fixed_findings: list[Finding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.records or self.pending or self.notices or self.rules_files
                    or self.new_findings or self.fixed_findings)


# ---------------------------------------------------------------- the command

def add_diff_command(subparsers, date_type) -> None:
    """The parser of `directory diff`, added to `directory`'s (cli.py)."""
    parser = subparsers.add_parser("diff", help="审阅修改：与主分支相比，这次修改对公开名录有什么影响")
    parser.add_argument("--base", default=None,
                        help="与哪个版本比较（取它与当前版本的共同祖先；默认：main，其次 origin/main、master）")
    parser.add_argument("--format", choices=["text", "markdown"], default="text",
                        help="text：终端阅读；markdown：CI 的作业摘要（设置了 GITHUB_STEP_SUMMARY 时也追加到该文件）")
    parser.add_argument("--today", type=date_type, default=None, help="按此日期判断（默认：北京时间今天）")


def run(root: Path, args) -> int:
    """Print the review of the working tree against the base; 0, or 2 when git cannot give the base."""
    today = args.today or today_in_china()
    try:
        label, commit = base_commit(root, args.base)
        with tempfile.TemporaryDirectory(prefix="directory-diff-") as folder:
            extract(root, commit, Path(folder))
            review = compare(Path(folder), root, today, label, commit[:10])
    except DiffError as error:
        print(f"directory：{error}", file=sys.stderr)
        return 2
    output = markdown(review) if args.format == "markdown" else text(review)
    print(output)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "markdown" and summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(output + "\n")
        except OSError:
            print(f"directory：无法写入作业摘要文件（GITHUB_STEP_SUMMARY：{reporters.one_line(summary)}）", file=sys.stderr)
            return 2
    return 0


# ---------------------------------------------------------------- git

def base_commit(root: Path, base: str | None) -> tuple[str, str]:
    """(the base as named, the commit to compare with): the merge base of HEAD and `base`, as a pull
    request's diff is; without `base`, the first of DEFAULT_BASES that exists."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if "dubious ownership" in inside.stderr:  # a checkout owned by another user (a CI container)
        raise DiffError(f"git 拒绝读取 {root}（仓库属于另一个用户）：请先运行 "
                        f"git config --global --add safe.directory {root}")
    if inside.returncode != 0:
        raise DiffError(f"{root} 不在 git 仓库中：directory diff 要与 git 中的较早版本比较，请在名录仓库的克隆中运行")
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        raise DiffError("这个 git 仓库还没有任何提交：没有可比较的版本")
    candidates = [base] if base is not None else list(DEFAULT_BASES)
    for name in candidates:
        found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
        if found.returncode != 0:
            continue
        merge_base = _git(root, "merge-base", "HEAD", found.stdout.strip())
        if merge_base.returncode != 0:
            raise DiffError(f"「{name}」与当前版本没有共同的历史（CI 检出时要用 fetch-depth: 0 取得完整历史）："
                            "请用 --base 指定要比较的版本")
        return name, merge_base.stdout.strip()
    if base is not None:
        raise DiffError(f"找不到要比较的版本「{reporters.one_line(base)}」：请检查分支名或提交号"
                        "（CI 检出时要用 fetch-depth: 0 取得完整历史）")
    raise DiffError("找不到主分支（main、origin/main、master）：请用 --base 指定要比较的版本，如 --base origin/main")


def extract(root: Path, commit: str, into: Path) -> None:
    """Write the library (providers/, schemes/) as it was at `commit` into `into`. A library that
    lies in a sub-folder of its git repository is read from that folder; one that did not exist
    yet leaves `into` empty (everything is then new)."""
    top = _git(root, "rev-parse", "--show-toplevel").stdout.strip()
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    tree = f"{commit}:{prefix}"
    listing = _git(Path(top), "ls-tree", "--name-only", "-z", tree)
    present = [name for name in LIBRARY if name in listing.stdout.split("\0")] if listing.returncode == 0 else []
    if not present:
        return
    try:
        process = subprocess.Popen(["git", "-C", top, "archive", "--format=tar", tree, "--", *present],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        raise DiffError("找不到 git 命令：directory diff 需要安装 git") from None
    broken = False
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(into, filter=_inside)
    except tarfile.TarError:
        broken = True
    finally:
        process.stdout.close()
        failed = process.wait() != 0
    if broken or failed:
        raise DiffError(f"无法从 git 读出版本 {commit[:10]} 的名录文件")


def _inside(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, but a link pointing out of the library is left out instead of
    stopping the run (the working tree's copy of it is reported by validate)."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, encoding="utf-8",
                              errors="replace", check=False)
    except OSError:
        raise DiffError("找不到 git 命令：directory diff 需要安装 git") from None


# ---------------------------------------------------------------- comparing

@dataclass
class _Side:
    """One revision of the library: read, checked and turned into its public catalogue."""

    repository: Repository
    catalogue: Catalogue
    findings: set[Finding]

    @classmethod
    def load(cls, root: Path, today: date) -> "_Side":
        calendar = load_calendar(root)
        repository = load_repository(root)
        findings = set(validate_repository(repository, today, calendar)) | set(calendar.findings)
        if not (root / "schemes").is_dir():  # before the library existed: nothing was "fixed" since
            findings = set()
        catalogue = build_catalogue(repository, repository.compiled_schemas()[0], calendar, today)
        return cls(repository, catalogue, findings)

    def records(self) -> dict[tuple, Record]:
        return {(r.scheme_id, r.kind, r.stem): r for r in self.repository.records}

    def entries(self) -> dict[tuple, Entry]:
        return {(e.scheme.id, e.kind, e.id): e for e in self.catalogue.entries}

    def fields(self, record: Record) -> tuple[Field, ...]:
        validator = self.repository.compiled_schemas()[0].validators.get((record.scheme_id, record.kind))
        return fields_of(validator.schema) if validator else ()


def compare(base_root: Path, head_root: Path, today: date, base: str = "", commit: str = "") -> Review:
    """The review of the library at `head_root` against the one at `base_root`, both judged on `today`."""
    before, after = _Side.load(base_root, today), _Side.load(head_root, today)
    review = Review(base, commit, today)
    old_records, new_records = before.records(), after.records()
    old_entries, new_entries = before.entries(), after.entries()
    for key in sorted(set(old_records) | set(new_records)):
        old, new = old_records.get(key), new_records.get(key)
        shown = key in old_entries or key in new_entries
        change = (_record_change(old, new, old_entries.get(key), new_entries.get(key), after) if shown
                  else _pending_change(old, new, after))
        if change is not None:
            (review.records if shown else review.pending).append(change)
    review.notices = _notice_changes(before.catalogue.notices, after.catalogue.notices)
    review.rules_files = _changed_rules_files(base_root, head_root)

    def key(finding: Finding):  # lines move when a file is edited above a problem: not compared
        return finding.path, finding.rule, finding.json_path, finding.message, finding.severity
    old_keys, new_keys = {key(f) for f in before.findings}, {key(f) for f in after.findings}
    review.new_findings = sorted(f for f in after.findings if key(f) not in old_keys)
    review.fixed_findings = sorted(f for f in before.findings if key(f) not in new_keys)
    return review


def _label(record: Record, other: Record | None = None) -> str:
    """「name」（scheme/id）: the name as it is now, else as it was (a name broken by the change)."""
    names = [r.data.get("name") for r in (record, other) if r is not None]
    name = next((name for name in names if isinstance(name, str)), record.stem)
    short = Path(record.path).relative_to("providers").with_suffix("").as_posix()
    return f"「{name}」（{short}）"


def _record_change(old: Record | None, new: Record | None, was: Entry | None, now: Entry | None,
                   after: _Side) -> Change | None:
    """A record on the site before or after the change (or both)."""
    label = _label(new or old, old)
    if new is None:
        if (after.repository.root / old.path).exists():
            return Change(label, "记录文件无法读取（见下面的问题）：网站上不再显示")
        return Change(label, "记录文件已删除：网站上不再显示")
    if now is None:
        rejected = new.recognition.get("status") == "rejected"
        return Change(label, "未通过认定：网站上不再显示" if rejected else "退回审核中：网站上不再显示")
    event = _event(was, now, _unpublished_label(old))
    if old is None:
        return Change(label, f"新增记录，{event}")
    if was is None:  # an application entering the site: all of it is new there
        return Change(label, event, private=_private_changes(old, new, after.fields(new)))
    titles = after.fields(new)
    public = _compare(_view(was, keep_actions=not event), _view(now, keep_actions=not event), titles)
    if not event:
        public = _derived_changes(was, now) + public
    private = _private_changes(old, new, titles)
    return Change(label, event, tuple(public), private) if event or public or private else None


def _pending_change(old: Record | None, new: Record | None, after: _Side) -> Change | None:
    """An application on the site neither before nor after: only named, with the fields it changed."""
    label = _label(new or old, old)
    if old is None:
        return Change(label, "新申请（审核中，不在网站上）")
    if new is None:
        return Change(label, "申请的记录文件已删除（不在网站上）")
    titles = {f.key: f.title for f in after.fields(new)}
    changed = [titles.get(key, key) for key in _keys(old.data, new.data) if old.data.get(key) != new.data.get(key)]
    if not changed:
        return None
    rejected = new.recognition.get("status") == "rejected" and old.recognition.get("status") != "rejected"
    return Change(label, "未通过认定（不在网站上）" if rejected else "审核中的申请已修改（不在网站上）",
                  private=tuple(changed))


def _unpublished_label(record: Record | None) -> str:
    """The state of a record the site does not show: a new file, rejected, or under review."""
    if record is None:
        return "不在网站上"
    return "未通过认定" if record.recognition.get("status") == "rejected" else STATUS_LABELS["review"]


def _event(was: Entry | None, now: Entry, unpublished: str) -> str:
    """What a change of derived status means, with the dates the site shows; "" when unchanged."""
    if was is not None and was.status == now.status:
        return ""
    life = now.life
    status = now.status
    if status == "publicity":
        text = f"进入公示：{life.publicity_start} 至 {life.publicity_end or '（截止日期待定）'}"
    elif status in ("valid", "expiring") and was is not None and was.status in ("valid", "expiring"):
        text = f"有效期至：{was.life.valid_until or '长期'} → {life.valid_until or '长期'}"   # an extension
    elif status in ("valid", "expiring"):
        verb = "认定" if was is None or was.status in ("publicity", "review") else "恢复有效"
        text = f"{verb}：有效期至 {life.valid_until or '长期'}"
    elif status == "expired":
        text = f"已过期：有效期至 {life.valid_until}"
    else:  # suspended, revoked, withdrawn: the action's own date, reason and basis
        text = f"{STATUS_LABELS[status]}：自 {life.since} 起"
        action = {"suspended": now.suspension, "revoked": now.revocation, "withdrawn": now.withdrawal}[status]
        text += "".join(f"，{title}：{action[key]}" for key, title in (("reason", "原因"), ("basis", "依据"))
                        if action.get(key))
        if status == "revoked" and life.reapply_from:
            text += "，不得再申报" if life.reapply_from == date.max else f"，{life.reapply_from} 起方可再申报"
    return f"{text}；状态：{was.status_label if was else unpublished} → {now.status_label}"


def _derived_changes(was: Entry, now: Entry) -> list[tuple[str, str, str]]:
    """The dates the site derives, when they move without a change of status (an extension)."""
    pairs = [("有效期至", was.life.valid_until, now.life.valid_until),
             ("公示截止", was.life.publicity_end, now.life.publicity_end),
             ("禁止再申报至", was.life.ban_until, now.life.ban_until)]
    return [(title, _show(old), _show(new)) for title, old, new in pairs if old != new]


def _view(entry: Entry, keep_actions: bool) -> dict:
    """What the site shows of a record: its public fields, and of `recognition` the public part
    with the public part of its suspension, revocation or withdrawal."""
    view = dict(entry.public)
    recognition = dict(view.get("recognition") or {})
    if keep_actions:
        recognition.update({key: value for key, value in
                            zip(ACTION_KEYS, (entry.suspension, entry.revocation, entry.withdrawal)) if value})
    view["recognition"] = recognition
    return view


def _compare(old, new, fields: tuple[Field, ...], prefix: str = "") -> list[tuple[str, str, str]]:
    """(title, old, new) for each published value that differs; objects are compared key by key."""
    lines = []
    known = {f.key: f for f in fields}
    for key in _keys(old, new):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        here = known.get(key)
        title = f"{prefix}{here.title if here else key}"
        if isinstance(before or {}, dict) and isinstance(after or {}, dict) and (here is None or here.kind == "object"):
            lines += _compare(before or {}, after or {}, here.children if here else (), f"{title} · ")
        elif _show(before) == _show(after):  # 430102 unquoted: the same digits, now a number
            lines.append((title, _show(before), f"{_show(after)}（写法改变）"))
        else:
            lines.append((title, _show(before), _show(after)))
    return lines


def _private_changes(old: Record, new: Record, fields: tuple[Field, ...]) -> tuple[str, ...]:
    """The titles of changed fields the site never shows; their values are left out."""
    published = {f.key for f in fields if not f.private}
    known = {f.key: f for f in fields}
    named = []
    for key in _keys(old.data, new.data):
        if key == "recognition":
            recognition = known.get(key)
            hidden = set(PUBLIC_RECOGNITION) | set(ACTION_KEYS) | set(DERIVED_KEYS)
            for sub in _keys(old.recognition, new.recognition):
                if sub not in hidden and old.recognition.get(sub) != new.recognition.get(sub):
                    child = recognition.child(sub) if recognition else None
                    named.append(_private_title(f"{recognition.title if recognition else key} · "
                                                f"{child.title if child else sub}"))
        elif key not in published and old.data.get(key) != new.data.get(key):
            named.append(_private_title(known[key].title if key in known else key))
    return tuple(named)


def _private_title(title: str) -> str:
    return title if "不公开" in title else f"{title}（不公开）"


def _notice_changes(old: list[PublicityNotice], new: list[PublicityNotice]) -> list[Change]:
    before = {(n.scheme.id, n.batch_id): n for n in old}
    after = {(n.scheme.id, n.batch_id): n for n in new}
    changes = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        label = f"「{(now or was).title}」（{key[0]}/{key[1]}）"
        if was is None:
            changes.append(Change(label, f"新的公示：{now.start} 至 {now.end or '（截止日期待定）'}，"
                                         f"{len(now.entries)} 条，异议受理：{now.objection_contact or '（未写）'}"))
        elif now is None:
            changes.append(Change(label, "公示公告不再显示"))
        else:
            pairs = [("名称", was.title, now.title), ("公示开始", was.start, now.start), ("公示截止", was.end, now.end),
                     ("公示渠道", was.channel, now.channel), ("异议受理", was.objection_contact, now.objection_contact),
                     ("认定日期", was.decision_date, now.decision_date),
                     ("认定文号", was.decision_doc_no, now.decision_doc_no),
                     ("名单", "、".join(e.name for e in was.entries), "、".join(e.name for e in now.entries))]
            fields = tuple((title, _show(a), _show(b)) for title, a, b in pairs if a != b)
            if fields:
                changes.append(Change(label, fields=fields))
    return changes


def _changed_rules_files(base_root: Path, head_root: Path) -> list[str]:
    """The scheme files (not batches) added, removed or edited: their effect shows in the records."""
    def files(root: Path) -> dict[str, bytes]:
        found = {}
        for path in sorted((root / "schemes").rglob("*")) if (root / "schemes").is_dir() else ():
            relative = path.relative_to(root).as_posix()
            if "/batches/" not in relative and path.is_file() and not path.is_symlink():
                found[relative] = path.read_bytes()
        return found
    old, new = files(base_root), files(head_root)
    return [f"{path}（{'新增' if path not in old else '删除' if path not in new else '已修改'}）"
            for path in sorted(set(old) | set(new)) if old.get(path) != new.get(path)]


def _keys(old: dict, new: dict) -> list:
    """The keys of both, in the order of the newer one, then those only the older one has."""
    return list(new) + [key for key in old if key not in new]


def _show(value) -> str:
    """A value as one short line for staff."""
    if value is None or value == "" or value == [] or value == {}:
        text = "（无）"
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, list):
        text = "、".join(_show(item) for item in value)
    elif isinstance(value, dict):  # an item of a list (a service: name and description)
        text = "：".join(_show(item) for item in value.values())
    else:
        text = str(value)
    text = reporters.one_line(text)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + "…"


# ---------------------------------------------------------------- reporters

def text(review: Review) -> str:
    lines = [f"与 {review.base}（{review.commit}）相比，按 {review.today} 判断："]
    if review.empty:
        return lines[0] + "这次修改对公开名录没有影响，校验结果也没有变化。"
    for heading, changes in (("公开名录的记录", review.records), ("公示公告", review.notices),
                             ("不在网站上的申请", review.pending)):
        if changes:
            lines += ["", f"{heading}（{len(changes)} 条）："]
            for change in changes:
                lines.append(f"  {change.label}：{change.event}" if change.event else f"  {change.label}：")
                lines += [f"    {title}：{old} → {new}" for title, old, new in change.fields]
                lines += [f"    {title}已修改（内容不显示）" for title in change.private]
    if review.rules_files:
        lines += ["", "规则文件（影响已体现在上面的记录中）："] + [f"  {path}" for path in review.rules_files]
    for heading, findings in (("新出现的问题", review.new_findings), ("已解决的问题", review.fixed_findings)):
        if findings:
            lines += ["", f"{heading}（{len(findings)} 个）："]
            lines += ["  " + line for line in reporters.text(findings).splitlines()]
    return "\n".join(lines)


def markdown(review: Review) -> str:
    """For the job summary of GitHub or Gitea Actions: every value escaped, so a record's text
    cannot turn into links, HTML or headings there."""
    lines = ["## 公开名录的变化", "",
             f"与 `{_code(review.base)}`（`{review.commit}`）相比，按 {review.today} 判断。"]
    if review.empty:
        return "\n".join(lines + ["", "这次修改对公开名录没有影响，校验结果也没有变化。"])
    for heading, changes in (("公开名录的记录", review.records), ("公示公告", review.notices),
                             ("不在网站上的申请", review.pending)):
        if changes:
            lines += ["", f"### {heading}（{len(changes)} 条）", ""]
            for change in changes:
                lines.append(f"- **{_md(change.label)}**" + (f"：{_md(change.event)}" if change.event else ""))
                lines += [f"  - {_md(title)}：{_md(old)} → {_md(new)}" for title, old, new in change.fields]
                lines += [f"  - {_md(title)}已修改（内容不显示）" for title in change.private]
    if review.rules_files:
        lines += ["", "### 规则文件", "", "影响已体现在上面的记录中。", ""]
        lines += [f"- {_md(path)}" for path in review.rules_files]
    for heading, findings in (("新出现的问题", review.new_findings), ("已解决的问题", review.fixed_findings)):
        if findings:
            lines += ["", f"### {heading}（{len(findings)} 个）", ""]
            for finding in findings:
                where = f"{finding.path}:{finding.line}" if finding.line else finding.path
                basis = f"（{finding.basis}）" if finding.basis else ""
                level = "错误" if finding.severity == "error" else "提醒"
                lines.append(f"- {level} `{_code(where)}` `{_code(finding.rule)}`：{_md(finding.message + basis)}")
    return "\n".join(lines)


# inline only: a value never starts a line here, so "-", "+" and "#" need no escape
_MARKDOWN = str.maketrans({char: "\\" + char for char in "\\`*_[]|~"}
                          | {"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def _md(value: str) -> str:
    return reporters.one_line(value).translate(_MARKDOWN)


def _code(value: str) -> str:
    """Inside `…`: nothing is interpreted there but a backtick, which would end it."""
    return reporters.one_line(value).replace("`", "'")
