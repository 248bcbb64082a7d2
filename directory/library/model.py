"""The typed values of a record and of a batch, parsed once from what YAML held.

Dates stay strings through loading and the schema check (jsonschema checks their format only on
strings); the lifecycle reads these views instead, which parse each date once and keep the
result on the record (`Record.values`, `Batch.values`). A value that is missing or not valid is
None here: the schema check reports it.

    >>> record_values({"established": "2018-05-10", "recognition": {"status": "revoked",
    ...     "revocation": {"date": "2026-04-16", "basis": "第十九条（四）"}}}).actions["revocation"].date
    datetime.date(2026, 4, 16)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from directory.rules.dates import parse_date

ACTIONS = {"suspension": "suspended", "revocation": "revoked", "withdrawal": "withdrawn"}  # key -> status


@dataclass(frozen=True)
class Action:
    """A suspension, revocation or withdrawal as written in `recognition`."""

    date: date | None
    reason: str
    basis: str


@dataclass(frozen=True)
class Inclusion:
    """河北 第十条: a platform included directly, until its own validity ends."""

    title: str
    included: date | None
    valid_until: date | None


@dataclass(frozen=True)
class RecordValues:
    recognized: bool                    # the record has a `recognition` section
    status: str | None                  # recognition.status, as written
    batch: str | None
    established: date | None
    term_start: date | None
    actions: dict[str, Action] = field(default_factory=dict)  # ACTIONS keys written as mappings
    extensions: int = 0                 # dated entries of recognition.extensions
    inclusion: Inclusion | None = None

    def action_in_force(self, key: str) -> Action | None:
        """The action under `key` when the status says it happened (revocation with status revoked)."""
        action = self.actions.get(key)
        return action if action is not None and self.status == ACTIONS[key] else None


@dataclass(frozen=True)
class BatchValues:
    publicity_start: date | None
    working_days: int | None            # as the batch writes it (else the scheme's)
    written_end: date | None
    decision_date: date | None


def _section(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def record_values(data: dict) -> RecordValues:
    recognition = _section(data, "recognition")
    actions = {key: Action(parse_date(section.get("date")), _text(section.get("reason")), _text(section.get("basis")))
               for key in ACTIONS for section in [recognition.get(key)] if isinstance(section, dict)}
    extensions = recognition.get("extensions")
    inclusion = recognition.get("direct_inclusion")
    batch = recognition.get("batch")
    return RecordValues(
        recognized=bool(recognition) and recognition.get("status") != "rejected",  # turned down: never published
        status=recognition.get("status") if isinstance(recognition.get("status"), str) else None,
        batch=str(batch) if batch is not None else None,
        established=parse_date(data.get("established")),
        term_start=parse_date(_section(data, "term").get("start")),
        actions=actions,
        extensions=sum(1 for e in extensions if isinstance(e, dict) and parse_date(e.get("date")))
        if isinstance(extensions, list) else 0,
        inclusion=Inclusion(_text(inclusion.get("title")), parse_date(inclusion.get("included")),
                            parse_date(inclusion.get("valid_until"))) if isinstance(inclusion, dict) else None,
    )


def batch_values(data: dict) -> BatchValues:
    publicity = _section(data, "publicity")
    days = publicity.get("working_days")
    return BatchValues(
        publicity_start=parse_date(publicity.get("start")),
        working_days=days if isinstance(days, int) and not isinstance(days, bool) else None,
        written_end=parse_date(publicity.get("end")),
        decision_date=parse_date(_section(data, "decision").get("date")),
    )
