"""Feeds people can subscribe to: Atom and JSON Feed 1.1 of what happened in the library.

In: the Catalogue. Out: docs/feeds/all.atom, all.json and <scheme>.atom, <scheme>.json for every
scheme (one with nothing to say yet gets an empty feed, so its address works from the first day).

An entry is one dated event: a batch's 公示 starting, a record's 认定, 暂停, 撤销, 退出, or its entering
the 即将到期 window. Its id is made of what it is about, the event and its date, never of the build,
so a feed reader sees each event once however often the site is built. Nothing depends on the
clock: a feed's `updated` is its newest entry's date, and events dated after --today are left out.
Only what the pages show goes in (the catalogue's public fields and actions).
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

from directory.site.catalogue import Catalogue, Entry
from directory.rules.dates import parse_date
from directory.rules.schemes import Scheme

MAX_ENTRIES = 100           # per feed, newest first
TAG_YEAR = 2026             # the tag URIs' date (RFC 4151): fixed for good, or every id would change
DEFAULT_HOST = "directory.local"
ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED = "https://jsonfeed.org/version/1.1"

# event -> the title's prefix; the order breaks ties between events of one day
EVENTS = {"publicity": "公示开始", "recognition": "认定", "suspension": "暂停", "revocation": "撤销",
          "withdrawal": "退出", "expiring": "即将到期"}

# characters XML 1.0 cannot carry at all (a control character in a name must not break the feed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedItem:
    scheme: Scheme
    subject: str        # what it is about, site-relative: hunan-sme-hexin/yy-dongting or notices/<scheme>--<batch>
    event: str          # a key of EVENTS
    day: date
    name: str           # the provider's, expert's or batch's name
    url: str            # the page, site-relative
    summary: str

    @property
    def title(self) -> str:
        return f"{EVENTS[self.event]}：{self.name}（{self.scheme.short_title}）"

    def tag(self, host: str) -> str:
        return f"tag:{host},{TAG_YEAR}:{self.subject}/{self.event}/{self.day.isoformat()}"


def write_feeds(catalogue: Catalogue, feeds_dir: Path, site_name: str, site_url: str | None) -> list[Path]:
    """Write every feed into `feeds_dir` (docs/feeds); returns the files written."""
    items = sorted(feed_items(catalogue), key=lambda i: (i.day, list(EVENTS).index(i.event), i.subject),
                   reverse=True)
    links = _Links(site_url)
    feeds_dir.mkdir(parents=True, exist_ok=True)
    written = []
    feeds = [("all", f"{site_name} · 动态", site_name, "", items)]
    feeds += [(s.id, f"{s.title} · 动态", s.issuer, f"{s.id}/", [i for i in items if i.scheme.id == s.id])
              for s in catalogue.schemes]
    for name, title, author, page, chosen in feeds:
        feed = _Feed(name, title, author, page, chosen[:MAX_ENTRIES], catalogue.today, links)
        for suffix, text in ((".atom", _atom(feed)), (".json", _json_feed(feed))):
            path = feeds_dir / f"{name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def feed_items(catalogue: Catalogue) -> list[FeedItem]:
    """Every event on or before catalogue.today, in no particular order."""
    today = catalogue.today
    items = []
    for notice in catalogue.notices:
        if notice.start is not None and notice.start <= today:
            period = f"公示期 {notice.start} 至 {notice.end}" if notice.end else f"公示自 {notice.start} 起"
            items.append(FeedItem(notice.scheme, notice.url.rstrip("/"), "publicity", notice.start, notice.title,
                                  notice.url, f"{period}，共 {len(notice.entries)} 家（名）。"))
    for entry in catalogue.entries:
        items += [item for item in _entry_items(entry) if item.day <= today]
    return items


def _entry_items(entry: Entry) -> list[FeedItem]:
    life = entry.life

    def item(event: str, day: date, summary: str) -> FeedItem:
        return FeedItem(entry.scheme, entry.url.rstrip("/"), event, day, entry.name, entry.url, summary)

    items = []
    if life.validity is not None:
        until = f"，有效期至 {life.validity.until}" if life.validity.until else "，长期有效"
        items.append(item("recognition", life.validity.start, f"认定日期 {life.validity.start}{until}。"))
    for event, action in (("suspension", entry.suspension), ("revocation", entry.revocation),
                          ("withdrawal", entry.withdrawal)):
        day = parse_date(action.get("date"))
        if day is None:
            continue
        details = [f"{EVENTS[event]}日期 {day}"]
        details += [f"{label}：{action[key]}" for key, label in (("reason", "原因"), ("basis", "依据")) if action.get(key)]
        items.append(item(event, day, "；".join(details) + "。"))
    if life.status == "expiring" and life.valid_until is not None:
        # dated the day it entered the window, so the entry is the same on every later day
        items.append(item("expiring", life.valid_until - timedelta(days=entry.scheme.expiring_days),
                          f"有效期至 {life.valid_until}。"))
    return items


class _Links:
    """Absolute addresses under mkdocs.yml's site_url; without one, relative to the feed's own
    address (docs/feeds/), which is what Atom resolves relative links against."""

    def __init__(self, site_url: str | None):
        self.base = (site_url or "").rstrip("/")
        self.host = urlparse(self.base).hostname or DEFAULT_HOST

    def __call__(self, url: str) -> str:
        return f"{self.base}/{url}" if self.base else f"../{url}"


@dataclass(frozen=True)
class _Feed:
    name: str
    title: str
    author: str
    page: str               # the page the feed is about, site-relative ("" = the home page)
    items: list[FeedItem]
    today: date
    links: _Links

    @property
    def updated(self) -> date:
        return self.items[0].day if self.items else self.today

    @property
    def id(self) -> str:
        return f"tag:{self.links.host},{TAG_YEAR}:feeds/{self.name}"


def _timestamp(day: date) -> str:
    """RFC 3339 at the start of the day in China."""
    return f"{day.isoformat()}T00:00:00+08:00"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def _atom(feed: _Feed) -> str:
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
        if text is not None:
            element.text = _clean(text)
        return element

    add(root, "id", feed.id)
    add(root, "title", feed.title)
    add(root, "updated", _timestamp(feed.updated))
    add(add(root, "author"), "name", feed.author)
    add(root, "link", rel="self", type="application/atom+xml", href=feed.links(f"feeds/{feed.name}.atom"))
    add(root, "link", rel="alternate", type="text/html", href=feed.links(feed.page))
    for item in feed.items:
        entry = add(root, "entry")
        add(entry, "id", item.tag(feed.links.host))
        add(entry, "title", item.title)
        add(entry, "updated", _timestamp(item.day))
        add(entry, "published", _timestamp(item.day))
        add(entry, "link", rel="alternate", type="text/html", href=feed.links(item.url))
        add(entry, "summary", item.summary)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _json_feed(feed: _Feed) -> str:
    document = {
        "version": JSON_FEED,
        "title": feed.title,
        "home_page_url": feed.links(feed.page),
        "feed_url": feed.links(f"feeds/{feed.name}.json"),
        "language": "zh-CN",
        "authors": [{"name": feed.author}],
        "items": [{"id": item.tag(feed.links.host), "url": feed.links(item.url), "title": item.title,
                   "content_text": item.summary, "date_published": _timestamp(item.day),
                   "date_modified": _timestamp(item.day)} for item in feed.items],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
