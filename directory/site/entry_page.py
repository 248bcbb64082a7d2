"""What a provider or expert page shows beyond the record itself: the facts a visitor checks it by.

* contacts (phone, email, address, website) are left out of the page once the recognition has ended
  (revoked or expired): a plaque or an old link must not keep sending clients to them;
* the other pages of the same organisation (the same 统一社会信用代码 in another scheme, or an
  earlier recognition in the same one): 同时入选;
* the QR code of the page's canonical address (qr.py) and the query of its verify page;
* dates written the Chinese way, without leading zeros: 2026年3月5日.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from directory.site.catalogue import Entry
from directory.site.qr import QRCodes

# The public contact fields of the provider schemas (schemes/_common/defs.schema.json).
CONTACT_FIELDS = ("address", "postal_code", "website", "contact")
CONTACTS_WITHHELD = ("revoked", "expired")


def cn_date(value: date | str | None) -> str:
    """date(2026, 3, 5) or "2026-03-05" -> "2026年3月5日"; anything else as it is ("" for None)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return f"{value.year}年{value.month}月{value.day}日"


def as_shown(entry: Entry) -> Entry:
    """The entry as its page shows it: without contacts once revoked or expired."""
    if entry.status not in CONTACTS_WITHHELD:
        return entry
    return replace(entry, public={key: value for key, value in entry.public.items() if key not in CONTACT_FIELDS})


def siblings_of(entries: list[Entry]) -> dict[str, tuple[Entry, ...]]:
    """{entry url: the other published entries with its credit code}, in scheme and url order."""
    by_code: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        code = entry.public.get("credit_code")
        if isinstance(code, str) and code:
            by_code[code].append(entry)
    siblings = {}
    for group in by_code.values():
        for entry in group:
            others = sorted((e for e in group if e is not entry), key=lambda e: (e.scheme.id, e.url))
            if others:
                siblings[entry.url] = tuple(others)
    return siblings


def verify_query(entry: Entry) -> str:
    """What the verify page looks the entry up by: an organisation's credit code, an expert's name."""
    code = entry.public.get("credit_code")
    return code if entry.kind == "provider" and isinstance(code, str) and code else entry.name


def page_extras(entry: Entry, siblings: dict[str, tuple[Entry, ...]], qr_codes: QRCodes) -> dict:
    """The template values of one entry page beyond the record (its qr.svg and qr.png are placed
    into the built site after mkdocs: QRCodes.place)."""
    return {
        "qr": qr_codes.page(entry.url),
        "siblings": siblings.get(entry.url, ()),
        "verify_query": verify_query(entry),
    }
