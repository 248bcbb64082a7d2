"""Dates derived from what records and batches say once: publicity end, validity, bans, statuses.

Every function is pure: (record, scheme, batch, calendar, today) in, dates or a status out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta
from functools import lru_cache

from directory.rules.dates import years_end
from directory.library.model import ACTIONS, Action
from directory.library.repository import Batch, Record
from directory.rules.schemes import Scheme
from directory.rules.calendar import CalendarGap, WorkCalendar


@dataclass(frozen=True)
class Validity:
    start: date
    until: date | None      # None: valid until revoked (the scheme sets no term)
    explanation: str        # how it was derived, for messages


def publicity_end(batch: Batch, scheme: Scheme, calendar: WorkCalendar) -> date | None:
    """Last day of a batch's 公示: the N-th working day counting the start as day 1.

    N is the batch's `publicity.working_days`, or the scheme's default (湖北严选/河北 5, 湖南 7).
    Raises CalendarGap when the holiday schedule of a year it reaches is not known.
    """
    start = batch.values.publicity_start
    days = batch.values.working_days or scheme.publicity_days
    if start is None or isinstance(days, bool) or not isinstance(days, int) or days < 1:
        return None
    return _nth_working_day(calendar, start, days)


def publicity_state(start: date | None, end: date | None, today: date) -> str | None:
    """"upcoming" before the start, "active" from the start through the end (an end that cannot be
    worked out yet keeps it active), "ended" after; None without a start."""
    if start is None:
        return None
    if today < start:
        return "upcoming"
    return "active" if end is None or today <= end else "ended"


@lru_cache(maxsize=4096)
def _nth_working_day(calendar: WorkCalendar, start: date, days: int) -> date:
    # every record of a batch asks the same question: answer it once
    return calendar.nth_working_day(start, days)


def derive_validity(record: Record, scheme: Scheme, batch: Batch | None) -> Validity | None:
    """From the batch decision date (or 吉林's term start) for the kind's years, through the day
    before the anniversary: decided 2025-10-20, 3 years -> valid through 2028-10-19 (or through
    31 December of the last calendar year where the scheme says `ends: calendar_year_end`).
    Each recorded extension (河北 第十二条 到期自评通过 -> 有效期延长三年) adds `extension_years`.
    An application under review (no `recognition`) has no validity yet, except under a term-based
    scheme (吉林), where the written `term` is the recruitment itself (SPEC §3 gives experts a term
    and no `recognition`)."""
    rule = scheme.rules(record.kind).validity
    values = record.values
    if not values.recognized and rule.starts != "term":
        return None
    if values.inclusion is not None and scheme.direct_inclusion:
        # 河北 第十条: included directly for the rest of the platform's own validity
        inclusion = values.inclusion
        if inclusion.included is None or inclusion.valid_until is None:
            return None
        return Validity(inclusion.included, inclusion.valid_until, f"直接纳入（{inclusion.title}）至原有效期届满")
    if rule.starts == "term":
        start, source = values.term_start, "聘任起始日期"
    else:
        start, source = (batch.values.decision_date if batch else None), "批次认定日期"
    if start is None:
        return None
    if not rule.years:
        return Validity(start, None, f"{source}（{start}）起长期有效")
    extensions = values.extensions if rule.extension_years else 0
    years = rule.years + extensions * (rule.extension_years or 0)
    if rule.ends == "calendar_year_end":
        until = date(min(start.year + years - 1, MAXYEAR), 12, 31)  # a mistyped year: see rules/dates.py
        explanation = f"{source} {start} 起至第 {years} 个自然年年底"
    else:
        until = years_end(start, years)
        explanation = f"{source} {start} 起 {rule.years} 年"
    if extensions:
        explanation += f"，经 {extensions} 次延期各延长 {rule.extension_years} 年"
    return Validity(start, until, explanation)


def validity_end_in_effect(record: Record, validity: Validity) -> date | None:
    """The validity's real end: a revocation or withdrawal (with that status) ends it early."""
    for key in ("revocation", "withdrawal"):
        action = record.values.action_in_force(key)
        if action is not None and action.date is not None:
            return action.date if validity.until is None else min(action.date, validity.until)
    return validity.until


def ban_end(scheme: Scheme, revocation: Action | None) -> date | None:
    """Last day of the re-application ban after a revocation, or None when no article bans.

    湖南 第十七条/第十九条: 3 years; 河北 第十三条/第十五条: 2 years (scheme.yaml `revocation_bans`).
    """
    years = scheme.ban_years(revocation.basis) if revocation is not None else None
    if revocation is None or revocation.date is None or not years:
        return None
    return years_end(revocation.date, years)


def reference_date(record: Record, scheme: Scheme, batch: Batch | None, today: date) -> date:
    """The day an application is judged on: its batch's publicity start, else its decision or term
    start, else (an application still under review) today."""
    if batch is not None and (batch.values.publicity_start or batch.values.decision_date):
        return batch.values.publicity_start or batch.values.decision_date
    return record.values.term_start or today


# Derived statuses, with the badge text the site and the staff report show (SPEC §4).
STATUS_LABELS = {
    "publicity": "公示中",
    "valid": "有效",
    "expiring": "即将到期",
    "expired": "已过期",
    "suspended": "暂停",
    "revoked": "已撤销",
    "withdrawn": "自愿退出",
    "review": "审核中",
}


@dataclass(frozen=True)
class Lifecycle:
    """Everything about a record that depends on the date, derived in one place."""

    status: str                         # a key of STATUS_LABELS
    validity: Validity | None
    valid_until: date | None            # the end in effect (a revocation or withdrawal ends it early)
    days_left: int | None               # days of validity left after today, while valid
    publicity_start: date | None
    publicity_end: date | None
    since: date | None                  # date of the suspension, revocation or withdrawal
    ban_until: date | None              # last day re-applying is barred, after a revocation
    calendar_gap: str = ""              # why a publicity end could not be worked out

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def reapply_from(self) -> date | None:
        """The first day a revoked provider may apply again (a ban to 9999-12-31 never ends)."""
        if self.ban_until is None:
            return None
        return self.ban_until + timedelta(days=1) if self.ban_until < date.max else date.max


def derive(record: Record, scheme: Scheme, batch: Batch | None, calendar: WorkCalendar,
           today: date, expiring_days: int | None = None) -> Lifecycle:
    """The status of a record on `today`.

    Order: no `recognition` -> 审核中; revoked / withdrawn / suspended as written, from their
    dates; a batch still in 公示 (or awaiting its decision) -> 公示中 / 审核中; then the validity:
    after its last day 已过期, with ≤ `expiring_days` left 即将到期, else 有效.
    """
    if expiring_days is None:
        expiring_days = scheme.expiring_days
    values = record.values
    validity = derive_validity(record, scheme, batch)
    valid_until = validity_end_in_effect(record, validity) if validity else None
    publicity_start = batch.values.publicity_start if batch else None
    gap = ""
    try:
        end_of_publicity = publicity_end(batch, scheme, calendar) if batch else None
    except CalendarGap as error:
        end_of_publicity, gap = None, str(error)

    def result(status: str, since: date | None = None, ban_until: date | None = None) -> Lifecycle:
        days_left = (validity.until - today).days if status in ("valid", "expiring") and validity.until else None
        return Lifecycle(status, validity, valid_until, days_left, publicity_start, end_of_publicity,
                         since, ban_until, gap)

    if not values.recognized and (validity is None or today < validity.start):
        return result("review")
    for key in ("revocation", "withdrawal", "suspension"):
        action = values.action_in_force(key)
        if action is None:
            continue
        # A suspension pauses a recognition, it does not prolong it: past the validity's
        # last day the record is expired, suspended or not.
        lapsed = key == "suspension" and validity is not None and validity.until is not None \
            and today > validity.until
        if action.date is not None and action.date <= today and not lapsed:
            ban = ban_end(scheme, action) if key == "revocation" else None
            return result(ACTIONS[key], action.date, ban)
    if validity is None or today < validity.start:
        if publicity_state(publicity_start, end_of_publicity, today) == "active":
            return result("publicity")
        return result("review")
    # A revocation or withdrawal dated later ends the validity then, but it is not an expiry.
    until = validity.until
    if until is not None and today > until:
        return result("expired")
    if until is not None and (until - today).days <= expiring_days:
        return result("expiring")
    return result("valid")
