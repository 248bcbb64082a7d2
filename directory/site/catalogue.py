"""What the public site shows, derived from a validated repository: plain dataclasses, no HTML.

Only public fields leave this module: a record's top-level fields whose schema is not marked
`x-private` (facts, waivers, reports, private, service_log, an expert's contact), and of its
`recognition` only what a notice needs. Records under review are not published.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from directory.lifecycle.derive import Lifecycle, derive, publicity_end, publicity_state
from directory.rules.fields import fields_of
from directory.rules.regions import Region, regions
from directory.library.repository import Batch, Record, Repository
from directory.rules.schemas import SchemaSet
from directory.rules.schemes import Scheme
from directory.rules.calendar import CalendarGap, WorkCalendar
from directory.site.updated import last_commit_dates

# recognition fields a visitor may see (grades and anything else stay internal)
PUBLIC_RECOGNITION = ("batch", "certificate_no", "direct_inclusion")
PUBLIC_ACTION = ("date", "reason", "basis")


@dataclass(frozen=True)
class Entry:
    """One published provider or expert."""

    scheme: Scheme
    kind: str
    id: str
    name: str
    url: str                    # site-relative, e.g. hunan-sme-hexin/cs-zhiyuan/
    life: Lifecycle
    public: dict                # the record's public fields
    region: Region | None
    categories: tuple[str, ...]
    revocation: dict = field(default_factory=dict)
    suspension: dict = field(default_factory=dict)
    withdrawal: dict = field(default_factory=dict)
    batch_id: str = ""
    updated: str = ""           # YYYY-MM-DD of the record file's last commit; "" when git cannot tell

    @property
    def status(self) -> str:
        return self.life.status

    @property
    def published(self) -> bool:
        return self.life.status != "review"

    @property
    def status_label(self) -> str:
        return self.life.label


@dataclass(frozen=True)
class PublicityNotice:
    scheme: Scheme
    batch_id: str
    title: str
    start: date | None
    end: date | None
    working_days: int | None
    channel: str
    objection_contact: str
    decision_date: str
    decision_doc_no: str
    entries: tuple[Entry, ...]
    active: bool
    calendar_gap: str = ""

    @property
    def url(self) -> str:
        return f"notices/{self.scheme.id}--{self.batch_id}/"


@dataclass
class Catalogue:
    today: date
    schemes: list[Scheme]
    entries: list[Entry]
    notices: list[PublicityNotice]
    common: dict = field(default_factory=dict)   # schemes/_common/common.yaml (search settings)

    def of_scheme(self, scheme_id: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.scheme.id == scheme_id]

    @property
    def revoked(self) -> list[Entry]:
        return sorted((e for e in self.entries if e.status == "revoked"),
                      key=lambda e: (e.revocation.get("date", ""), e.url), reverse=True)


def build_catalogue(repository: Repository, schemas: SchemaSet, calendar: WorkCalendar, today: date) -> Catalogue:
    derived = []
    updated = last_commit_dates(repository.root)   # one git call for every record
    for record in sorted(repository.records, key=lambda r: (r.scheme_id, r.kind, r.stem)):
        if record.recognition.get("status") == "rejected":   # turned down: on no page, not even its batch's notice
            continue
        scheme = repository.schemes[record.scheme_id]
        batch = repository.batch_of(record)
        life = derive(record, scheme, batch, calendar, today)
        validator = schemas.validators.get((record.scheme_id, record.kind))
        derived.append(replace(_entry(record, scheme, batch, life, validator.schema if validator else {}),
                               updated=updated.get(record.path, "")))
    # Applications under review get no page. A batch's notice still names the records it listed
    # in its 公示 (without a link while they await the decision).
    entries = [entry for entry in derived if entry.published]

    notices = []
    for (scheme_id, batch_id), batch in sorted(repository.batches.items()):
        scheme = repository.schemes[scheme_id]
        notice = _notice(scheme, batch_id, batch, calendar, today,
                         [e for e in derived if e.scheme.id == scheme_id and e.batch_id == batch_id])
        if notice.start is not None and notice.start <= today:  # nothing is announced before its start
            notices.append(notice)
    return Catalogue(today, [repository.schemes[s] for s in sorted(repository.schemes)], entries, notices,
                     repository.common)


def _entry(record: Record, scheme: Scheme, batch: Batch | None, life: Lifecycle, schema: dict) -> Entry:
    published = {field.key for field in fields_of(schema) if not field.private and field.key != "recognition"}
    public = {key: value for key, value in record.data.items() if key in published}
    recognition = record.recognition
    public["recognition"] = {key: recognition[key] for key in PUBLIC_RECOGNITION if key in recognition}

    def action(key: str) -> dict:
        value = recognition.get(key)
        return {k: value[k] for k in PUBLIC_ACTION if isinstance(value, dict) and k in value}

    rules = scheme.rules(record.kind)
    categories = record.data.get(rules.categories_field)
    folder = f"{rules.folder}/" if rules.folder else ""
    region_code = record.data.get("region")
    return Entry(
        scheme=scheme, kind=record.kind, id=record.stem, name=str(record.data.get("name", record.stem)),
        url=f"{scheme.id}/{folder}{record.stem}/", life=life, public=public,
        region=regions().get(region_code) if isinstance(region_code, str) else None,
        categories=tuple(str(c) for c in categories) if isinstance(categories, list) else (),
        revocation=action("revocation"), suspension=action("suspension"), withdrawal=action("withdrawal"),
        batch_id=str(recognition.get("batch", "")),
    )


def _notice(scheme: Scheme, batch_id: str, batch: Batch, calendar: WorkCalendar, today: date,
            entries: list[Entry]) -> PublicityNotice:
    publicity = batch.section("publicity")
    decision = batch.section("decision")
    gap = ""
    try:
        end = publicity_end(batch, scheme, calendar)
    except CalendarGap as error:
        end, gap = None, str(error)
    start = batch.values.publicity_start
    active = publicity_state(start, end, today) == "active"
    return PublicityNotice(
        scheme=scheme, batch_id=batch_id, title=str(batch.data.get("title", batch_id)), start=start, end=end,
        working_days=publicity.get("working_days") or scheme.publicity_days,
        channel=str(publicity.get("channel", "")), objection_contact=str(publicity.get("objection_contact", "")),
        decision_date=str(decision.get("date", "")), decision_doc_no=str(decision.get("doc_no", "")),
        entries=tuple(entries), active=active, calendar_gap=gap,
    )
