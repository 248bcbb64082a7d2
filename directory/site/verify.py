"""The data behind the public /verify/ page: each published record's status as dated intervals.

A visitor asks "was 91430100… recognised on 2026-05-01?" The answer is worked out here, once per
build: the lifecycle (lifecycle/derive.py) is asked for the status on every day where it can
change (validity start and end, each action's date, the 公示 start and end), and equal statuses in a
row become one interval. The page's script only compares the asked date with interval bounds, so it
answers exactly what `derive` would say for that date.

Files, under docs/verify/data/:
  meta.json      how to find a key's shard (FNV-1a of the key's UTF-8 bytes mod `shards`), the
                 state words, and the credit-code alphabet for spotting a mistyped code
  <n>.json       {key: [record, …]} for the keys whose hash falls in shard n (every shard is
                 written, an empty one too, so no lookup meets a 404)
A provider is filed under its credit code and under its full name, an expert under its name; a
key is normalised by `lookup_key` (the page's script does the same). Only public fields are written:
names, codes, scheme, batch and decision, certificate number, dates, and the public date/reason/
basis of a suspension, revocation or withdrawal.
"""
from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from directory.library.repository import Record, Repository
from directory.lifecycle.derive import derive
from directory.rules.calendar import WorkCalendar
from directory.rules.codes import CREDIT_CODE_CHARSET, CREDIT_CODE_WEIGHTS
from directory.rules.dates import EARLIEST
from directory.site.catalogue import Catalogue, Entry

# A lookup downloads one shard: about this many keys each (two keys per provider) keeps a shard
# to a few KB gzip at any size, and the shard count a power of two.
KEYS_PER_SHARD = 256

# derive's statuses -> the words a verification answers with. 即将到期 is still 有效 on that day,
# and an application not yet decided is 尚未认定 (its 公示 says so as 公示中).
STATES = {"review": "not_yet", "publicity": "publicity", "valid": "valid", "expiring": "valid",
          "expired": "expired", "suspended": "suspended", "revoked": "revoked", "withdrawn": "withdrawn"}
STATE_LABELS = {"not_yet": "尚未认定", "publicity": "公示中（尚未认定）", "valid": "有效", "expired": "已过期",
                "suspended": "暂停", "revoked": "已撤销", "withdrawn": "已退出"}
ACTION_STATES = {"suspension": "suspended", "revocation": "revoked", "withdrawal": "withdrawn"}

# Characters a key drops: punctuation and separators of any width (NFKC has already turned the
# full-width ones into their ASCII forms where there are such), and the control whitespace the
# page's /[\p{P}\p{Z}\t\n\v\f\r\uFEFF]/u drops too.
_DROPPED_CONTROLS = "\t\n\v\f\r\ufeff"
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def lookup_key(text: str) -> str:
    """What a code or a name is filed and looked up under: NFKC, without spaces and punctuation,
    ASCII letters upper-cased (only ASCII: JavaScript and Python agree on those).

    >>> lookup_key(" ９１４３ 0100ma4l2x3y4k ")
    '91430100MA4L2X3Y4K'
    >>> lookup_key("长沙智远企业管理咨询（有限）公司")
    '长沙智远企业管理咨询有限公司'
    """
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(char for char in text
                   if unicodedata.category(char)[0] not in "PZ" and char not in _DROPPED_CONTROLS)
    return kept.translate(_ASCII_UPPER)


def shard_of(key: str, shards: int) -> int:
    """FNV-1a (32 bit) of the key's UTF-8 bytes, mod `shards`: a few lines in the page's script.

    >>> shard_of("", 1 << 32), shard_of("a", 1 << 32)
    (2166136261, 3826002220)
    """
    value = 0x811C9DC5
    for byte in key.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % shards


def shard_count(keys: int) -> int:
    """The smallest power of two that keeps shards to about KEYS_PER_SHARD keys."""
    count = 1
    while count * KEYS_PER_SHARD < keys:
        count *= 2
    return count


def status_intervals(record: Record, repository: Repository, calendar: WorkCalendar) -> list[dict]:
    """The record's state on every day, as [{"from", "until", "state"}] with inclusive ISO bounds
    ("" = open). The status only changes on the days collected here, so asking `derive` on each
    of them (and once before the first) gives the whole timeline."""
    scheme = repository.schemes[record.scheme_id]
    batch = repository.batch_of(record)

    def state(day: date) -> str:
        return STATES[derive(record, scheme, batch, calendar, day).status]

    life = derive(record, scheme, batch, calendar, EARLIEST)
    days = {action.date for action in record.values.actions.values()}
    days |= {life.publicity_start, _day_after(life.publicity_end)}
    if life.validity is not None:
        days |= {life.validity.start, _day_after(life.validity.until)}
    days = sorted(day for day in days if day is not None and day > EARLIEST)

    intervals = [{"from": "", "until": "", "state": state(EARLIEST)}]
    for day in days:
        now = state(day)
        if now != intervals[-1]["state"]:
            intervals[-1]["until"] = (day - timedelta(days=1)).isoformat()
            intervals.append({"from": day.isoformat(), "until": "", "state": now})
    return intervals


def _day_after(day: date | None) -> date | None:
    return day + timedelta(days=1) if day is not None and day < date.max else None


def state_on(intervals: list[dict], day: str) -> str:
    """The state on `day` (YYYY-MM-DD): the page's script does this same string comparison."""
    for interval in intervals:
        if (not interval["from"] or interval["from"] <= day) and (not interval["until"] or day <= interval["until"]):
            return interval["state"]
    raise ValueError(f"intervals do not cover {day}")


def verify_record(entry: Entry, record: Record, repository: Repository, calendar: WorkCalendar) -> dict:
    """One record as the page shows it: public fields only."""
    intervals = status_intervals(record, repository, calendar)
    batch = repository.batch_of(record)
    decision = batch.section("decision") if batch else {}
    validity = entry.life.validity
    states = {interval["state"] for interval in intervals}
    recognition = entry.public.get("recognition", {})
    inclusion = recognition.get("direct_inclusion")
    result = {
        "kind": entry.kind, "scheme": entry.scheme.title, "name": entry.name,
        "code": str(entry.public.get("credit_code", "")), "url": entry.url,
        "batch": str(batch.data.get("title", entry.batch_id)) if batch else entry.batch_id,
        "decision": {"doc_no": str(decision.get("doc_no", "")), "date": str(decision.get("date", ""))},
        "certificate_no": str(recognition.get("certificate_no", "")),
        "inclusion": str(inclusion.get("title", "")) if isinstance(inclusion, dict) else "",
        "valid_from": validity.start.isoformat() if validity else "",
        "valid_until": validity.until.isoformat() if validity and validity.until else "",
        "intervals": intervals,
    }
    # An action is shown only where it took effect (the timeline has its state).
    for key, action in (("suspension", entry.suspension), ("revocation", entry.revocation),
                        ("withdrawal", entry.withdrawal)):
        if action and ACTION_STATES[key] in states:
            result[key] = {k: str(v) for k, v in action.items()}
    return result


def write_verify_data(catalogue: Catalogue, repository: Repository, calendar: WorkCalendar, out: Path) -> int:
    """Write meta.json and every shard into `out`; returns the number of shards."""
    records = {(r.scheme_id, r.kind, r.stem): r for r in repository.records}
    by_key: dict[str, list[dict]] = defaultdict(list)
    for entry in catalogue.entries:
        item = verify_record(entry, records[(entry.scheme.id, entry.kind, entry.id)], repository, calendar)
        keys = {lookup_key(entry.name), lookup_key(item["code"])} - {""}
        for key in keys:
            by_key[key].append(item)

    shards = shard_count(len(by_key))
    files: list[dict[str, list[dict]]] = [{} for _ in range(shards)]
    for key in sorted(by_key):
        files[shard_of(key, shards)][key] = by_key[key]
    out.mkdir(parents=True, exist_ok=True)
    for number, content in enumerate(files):
        _write_json(out / f"{number}.json", content)
    _write_json(out / "meta.json", {
        "shards": shards, "hash": "fnv1a32-utf8", "records": len(catalogue.entries),
        "labels": STATE_LABELS,
        "credit_code": {"charset": CREDIT_CODE_CHARSET, "weights": list(CREDIT_CODE_WEIGHTS)},
    })
    return shards


def _write_json(path: Path, content) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
