"""The feeds (directory/site/feeds.py): Atom and JSON Feed 1.1 for the library and every scheme.

The sample site is built three times: twice on the fixtures' day (the feeds must be byte-identical)
and once a month later (every event keeps its id). Atom feeds are read with feedparser, as feed
readers do; JSON feeds are checked against the JSON Feed 1.1 required fields.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.site.catalogue import Catalogue, build_catalogue
from directory.site.feeds import MAX_ENTRIES, write_feeds
from site_fixtures import REPO, TODAY, build_sample_site

SITE_URL = "https://fwjg.example.org.cn/"   # the sample mkdocs.yml's
LATER = TODAY + timedelta(days=30)
SCHEMES = sorted(p.name for p in (REPO / "schemes").iterdir() if (p / "scheme.yaml").is_file())
FEEDS = ["all", *SCHEMES]
TITLE = re.compile(r"^(公示开始|认定|暂停|撤销|退出|即将到期)：.+（.+）$")
RFC3339_CHINA = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    return {"today": build_sample_site(tmp_path_factory.mktemp("feeds-a") / "library"),
            "again": build_sample_site(tmp_path_factory.mktemp("feeds-b") / "library"),
            "later": build_sample_site(tmp_path_factory.mktemp("feeds-c") / "library", today=LATER)}


@pytest.fixture(scope="module")
def site(sites) -> Path:
    return sites["today"]


def atom(site: Path, name: str):
    return feedparser.parse((site / "feeds" / f"{name}.atom").read_bytes())


def json_feed(site: Path, name: str) -> dict:
    return json.loads((site / "feeds" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue_on():
    repository = load_repository(REPO)
    schemas, _ = repository.compiled_schemas()
    calendar = load_calendar(REPO)
    return lambda today: build_catalogue(repository, schemas, calendar, today)


# --------------------------------------------------------------------------- the built site's feeds

def test_the_library_and_every_scheme_have_an_atom_and_a_json_feed(site):
    assert sorted(p.name for p in (site / "feeds").iterdir()) == sorted(
        f"{name}{suffix}" for name in FEEDS for suffix in (".atom", ".json"))


@pytest.mark.parametrize("name", FEEDS)
def test_every_atom_feed_parses_cleanly_with_chinese_titles_links_and_china_dates(site, name):
    feed = atom(site, name)
    assert not feed.bozo, feed.get("bozo_exception")
    assert HAN.search(feed.feed.title) and feed.feed.title.endswith("· 动态")
    assert feed.entries, "the sample data has events in every scheme"
    for entry in feed.entries:
        assert TITLE.match(entry.title), entry.title
        assert entry.link.startswith(SITE_URL)
        assert RFC3339_CHINA.match(entry.published) and entry.updated == entry.published
        assert entry.id.startswith("tag:fwjg.example.org.cn,2026:")


@pytest.mark.parametrize("name", FEEDS)
def test_entries_come_newest_first_none_after_today_and_the_feed_is_dated_by_the_newest(site, name):
    feed = atom(site, name)
    days = [datetime.fromisoformat(entry.published).date() for entry in feed.entries]
    assert days == sorted(days, reverse=True)
    assert days[0] <= TODAY
    assert len(days) <= MAX_ENTRIES
    assert feed.feed.updated == feed.entries[0].published


@pytest.mark.parametrize("name", FEEDS)
def test_no_id_appears_twice_in_a_feed(site, name):
    ids = [entry.id for entry in atom(site, name).entries]
    assert len(ids) == len(set(ids))


def test_a_scheme_feed_holds_only_that_schemes_events_and_all_holds_them_all(site):
    every = {entry.id for entry in atom(site, "all").entries}
    for scheme in SCHEMES:
        ids = {entry.id for entry in atom(site, scheme).entries}
        assert ids <= every
        assert all(f",2026:{scheme}/" in i or f",2026:notices/{scheme}--" in i for i in ids)


def test_the_revoked_sample_record_has_its_revocation_entry(site):
    [entry] = [e for e in atom(site, "hunan-sme-hexin").entries if e.title.startswith("撤销：")]
    assert entry.title == "撤销：岳阳洞庭数智科技有限公司（湖南核心服务机构）"
    assert entry.id == "tag:fwjg.example.org.cn,2026:hunan-sme-hexin/yy-dongting/revocation/2026-04-16"
    assert entry.published == "2026-04-16T00:00:00+08:00"
    assert entry.link == SITE_URL + "hunan-sme-hexin/yy-dongting/"
    assert "第十九条（四）" in entry.summary


def test_every_entry_links_to_a_page_of_the_site(site):
    for entry in atom(site, "all").entries:
        assert (site / entry.link.removeprefix(SITE_URL) / "index.html").is_file(), entry.link


def test_every_event_keeps_its_id_a_month_later(sites):
    before = {(e.title, e.published): e.id for e in atom(sites["today"], "all").entries}
    after = {(e.title, e.published): e.id for e in atom(sites["later"], "all").entries}
    # 即将到期 ends when the validity does; every other event stays, under the same id
    lasting = {key: i for key, i in before.items() if not key[0].startswith("即将到期")}
    assert lasting and all(after.get(key) == i for key, i in lasting.items())
    assert set(after) - set(before), "a month later has new events (publicity starts, expiries)"


def test_two_builds_on_the_same_day_give_byte_identical_feeds(sites):
    for path in sorted((sites["today"] / "feeds").iterdir()):
        assert path.read_bytes() == (sites["again"] / "feeds" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", FEEDS)
def test_every_json_feed_has_the_json_feed_1_1_required_fields(site, name):
    feed = json_feed(site, name)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and HAN.search(feed["title"])
    assert feed["feed_url"] == f"{SITE_URL}feeds/{name}.json"
    assert isinstance(feed["items"], list) and feed["items"]
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("url") or item.get("content_text") or item.get("content_html")
        assert RFC3339_CHINA.match(item["date_published"])
        assert datetime.fromisoformat(item["date_published"]).utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("name", FEEDS)
def test_the_json_feed_and_the_atom_feed_hold_the_same_entries_in_the_same_order(site, name):
    assert [i["id"] for i in json_feed(site, name)["items"]] == [e.id for e in atom(site, name).entries]


@pytest.mark.parametrize("page", ["index.html", "hunan-sme-hexin/index.html", "hunan-sme-hexin/yy-dongting/index.html",
                                  "notices/index.html", "search/index.html", "404.html"])
def test_every_page_points_feed_readers_to_the_library_feed(site, page):
    html = (site / page).read_text(encoding="utf-8")
    links = re.findall(r'<link rel="alternate feed" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', html)
    base = "https://fwjg.example.org.cn/" + page
    if page != "404.html":   # 404.html is served at any depth: mkdocs makes its links absolute
        assert [urljoin(base, href) for href in links] == [SITE_URL + "feeds/all.atom"]
    else:
        assert len(links) == 1 and links[0].endswith("feeds/all.atom")


def test_a_scheme_page_links_its_own_atom_and_json_feeds(site):
    html = (site / "hunan-sme-hexin" / "index.html").read_text(encoding="utf-8")
    assert '订阅本库动态：<a href="../feeds/hunan-sme-hexin.atom" type="application/atom+xml">Atom</a>' in html
    assert '<a href="../feeds/hunan-sme-hexin.json" type="application/feed+json">JSON Feed</a>' in html


# --------------------------------------------------------------------------- write_feeds on its own

def test_a_scheme_with_no_entries_yet_gets_a_valid_empty_feed_dated_today(catalogue_on, tmp_path):
    catalogue = catalogue_on(TODAY)
    write_feeds(Catalogue(TODAY, catalogue.schemes, [], []), tmp_path, "服务机构库", SITE_URL)
    for name in FEEDS:
        feed = feedparser.parse((tmp_path / f"{name}.atom").read_bytes())
        assert not feed.bozo and feed.entries == []
        assert feed.feed.updated == "2026-11-23T00:00:00+08:00"
        assert json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))["items"] == []


def test_events_dated_after_today_are_left_out(catalogue_on, tmp_path):
    write_feeds(catalogue_on(date(2026, 4, 15)), tmp_path, "服务机构库", SITE_URL)
    feed = feedparser.parse((tmp_path / "all.atom").read_bytes())
    assert feed.entries and all(e.published <= "2026-04-15T00:00:00+08:00" for e in feed.entries)
    assert not [e for e in feed.entries if e.id.endswith("yy-dongting/revocation/2026-04-16")]


def test_without_a_site_url_links_are_relative_to_the_feed_and_ids_use_a_fixed_host(catalogue_on, tmp_path):
    write_feeds(catalogue_on(TODAY), tmp_path, "服务机构库", None)
    feed = feedparser.parse((tmp_path / "hunan-sme-hexin.atom").read_bytes())
    assert not feed.bozo
    assert all(e.id.startswith("tag:directory.local,2026:hunan-sme-hexin") or
               e.id.startswith("tag:directory.local,2026:notices/hunan-sme-hexin--") for e in feed.entries)
    root = ET.fromstring((tmp_path / "hunan-sme-hexin.atom").read_bytes())
    hrefs = [link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert "../feeds/hunan-sme-hexin.atom" in hrefs and "../hunan-sme-hexin/yy-dongting/" in hrefs
    assert json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["home_page_url"] == "../"


def test_a_name_with_markup_and_control_characters_is_escaped(catalogue_on, tmp_path):
    catalogue = catalogue_on(TODAY)
    revoked = next(e for e in catalogue.entries if e.id == "yy-dongting")
    hostile = replace(revoked, name='<script>alert("x")</script> & 公司\x01\x1f')
    catalogue.entries = [hostile if e is revoked else e for e in catalogue.entries]
    write_feeds(catalogue, tmp_path, "服务机构库", SITE_URL)
    root = ET.fromstring((tmp_path / "all.atom").read_bytes())   # well-formed XML
    titles = [t.text for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert '撤销：<script>alert("x")</script> & 公司（湖南核心服务机构）' in titles
    assert b"<script>" not in (tmp_path / "all.atom").read_bytes()
    items = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["items"]
    assert any(i["title"].startswith('撤销：<script>alert("x")</script> & 公司') for i in items)
