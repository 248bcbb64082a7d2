"""Site search: what a visitor types finds the page, whatever the browser does to the query.

Why not pagefind's own Chinese indexing. Pagefind segments pages at build time with its own
dictionary; the browser segments the query with Intl.Segmenter (ICU) at search time. The two
disagree: 荆州 is one word in the index and 荆|州 in the query, 王立新 is 王立|新, 洪山区 is 洪|山区.
Pagefind matches each query piece as the prefix of an indexed word, so a piece that is not such a
prefix (州, 新, 山区) finds nothing. The cure is one tokeniser on both sides, ours:

* every run of Han characters becomes its overlapping bigrams plus its last character
  (王立新 -> 王立 立新 新), every run of letters and digits one lower-case word;
* records go to pagefind as custom records in a language it does not segment (`zxx`), and
  search.js turns the query into the same bigrams. Whatever piece the browser still cuts a bigram
  into is the prefix of an indexed token, so no text is missed that contains the query.

Two more parts make names, codes and places certain rather than likely:

* an exact-match key index: normalised full name, short name, credit code, certificate number,
  expert name and region names -> hits that search.js shows first, without asking pagefind. It is
  split into shards by an FNV-1a hash of the key, so a lookup fetches one small file however many
  records there are;
* pagefind filters: 名录, 类别 (one list shared by all schemes, from common.yaml), 城市 and 状态 for
  the visitor; 省份, 城市, 区县 for place keys; and 分组, by which search.js lists valid providers and
  experts first, then the others, then notices.
"""
from __future__ import annotations

import json
import subprocess
import sys
from html import escape
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from directory.rules.regions import Region, regions, short_names
from directory.site.catalogue import Catalogue, Entry, PublicityNotice

INDEX_LANGUAGE = "zxx"          # "no linguistic content": pagefind neither segments nor stems it
KEYS_PER_SHARD = 200            # ≈ 8 KB gzip a shard
KEYS_FOLDER = "search/keys"     # site-relative
NAME_WEIGHT = 3                 # a name's tokens are repeated: a match in the name ranks above one in a profile

# 分组 values: the order search.js lists results in.
GROUP_CURRENT, GROUP_OTHER, GROUP_NOTICE = "1", "2", "3"
CURRENT_STATUSES = ("valid", "expiring", "publicity")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(f"([{_HAN}]+)|([^\\W_{_HAN}]+)")
_NOT_KEY = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """The form keys are compared in: NFKC, no spaces or punctuation, Latin upper-case
    (search.js `normalise` does the same: 91430100 ma4l… and 长沙智远（有限公司） match)."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", str(text))).upper()


def index_tokens(text: str) -> list[str]:
    """Tokens of indexed text: Han runs as bigrams plus the run's last character, other words
    lower-cased (search.js `queryTokens` cuts a query the same way, without the last character)."""
    tokens: list[str] = []
    for han, word in _RUNS.findall(unicodedata.normalize("NFKC", str(text))):
        if word:
            tokens.append(word.lower())
        else:
            tokens.extend(han[i:i + 2] for i in range(len(han) - 1))
            tokens.append(han[-1])
    return tokens


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: the shard function, a few lines in search.js too."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@dataclass(frozen=True)
class Settings:
    """common.yaml `search`: the shared category list and the company-type suffixes."""

    category_of: dict[str, str]     # a scheme's own label -> the shared category
    other_category: str
    name_suffixes: tuple[str, ...]

    @classmethod
    def from_common(cls, common: dict) -> "Settings":
        search = common.get("search") or {}
        category_of = {label: shared for shared, labels in (search.get("categories") or {}).items()
                       for label in labels}
        suffixes = tuple(sorted((unicodedata.normalize("NFKC", s) for s in search.get("name_suffixes") or ()),
                                key=len, reverse=True))
        return cls(category_of, search.get("other_category", "其他服务"), suffixes)

    def shared_categories(self, entry: Entry) -> list[str]:
        return list(dict.fromkeys(self.category_of.get(label, self.other_category) for label in entry.categories))


def region_chain(region: Region | None) -> list[tuple[str, Region]]:
    """(filter name, region) for the province, the city and the county of a record, top down."""
    if region is None:
        return []
    table = regions()
    chain, seen = [], set()
    for level, code in (("省份", region.province_code), ("城市", region.city_code), ("区县", region.code)):
        if code in table and code not in seen:
            seen.add(code)
            chain.append((level, table[code]))
    return chain


def region_filter_value(level: str, region: Region) -> str:
    # county names repeat across the country (鼓楼区 is in four cities): counties by full name
    return region.full_name if level == "区县" else region.name


def city_of(entry: Entry) -> str:
    chain = region_chain(entry.region)
    cities = [region.name for level, region in chain if level == "城市"]
    return cities[0] if cities else (chain[0][1].name if chain else "")


def short_name(entry: Entry, settings: Settings) -> str:
    """The name without its leading place names and its company-type suffix:
    武汉安信财税咨询有限公司 -> 安信财税咨询. Empty when nothing is left or nothing was removed."""
    name = unicodedata.normalize("NFKC", entry.name)
    places = sorted({form for _, region in region_chain(entry.region) for form in short_names(region)},
                    key=len, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for place in places:
            if name.startswith(place) and len(name) > len(place):
                name, stripped = name[len(place):], True
                break
    for suffix in settings.name_suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name if len(name) >= 2 and name != unicodedata.normalize("NFKC", entry.name) else ""


def group_of(entry: Entry) -> str:
    return GROUP_CURRENT if entry.status in CURRENT_STATUSES else GROUP_OTHER


@dataclass(frozen=True)
class SearchRecord:
    """One pagefind custom record."""

    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]


@dataclass
class SearchIndex:
    records: list[SearchRecord]
    shards: dict[int, dict[str, list[dict]]]     # shard number -> normalised key -> hits
    shard_count: int
    categories: list[tuple[str, int]]            # shared category -> published records, common.yaml's order
    cities: list[tuple[str, int]]                # city -> published records, most first


def build_search_index(catalogue: Catalogue) -> SearchIndex:
    settings = Settings.from_common(catalogue.common)
    records: list[SearchRecord] = []
    keys: dict[str, list[dict]] = {}

    def add_key(text: str, hit: dict) -> None:
        key = normalise(text)
        if key and hit not in keys.setdefault(key, []):
            keys[key].append(hit)

    for entry in catalogue.entries:
        records.append(_entry_record(entry, settings))
        hit = {"u": entry.url, "n": entry.name, "s": entry.scheme.short_title, "st": entry.status,
               "sl": entry.status_label, "c": city_of(entry), "k": "、".join(entry.categories),
               "g": group_of(entry)}
        add_key(entry.name, {**hit, "m": "姓名" if entry.kind == "expert" else "名称"})
        if entry.kind != "expert":
            if abbreviation := short_name(entry, settings):
                add_key(abbreviation, {**hit, "m": "简称"})
        if code := entry.public.get("credit_code"):
            add_key(str(code), {**hit, "m": "统一社会信用代码"})
        if certificate := entry.public.get("recognition", {}).get("certificate_no"):
            add_key(str(certificate), {**hit, "m": "证书编号"})
        for level, region in region_chain(entry.region):
            place = {"r": level, "v": region_filter_value(level, region), "n": region.full_name}
            for form in short_names(region):
                add_key(form, place)
    for notice in catalogue.notices:
        records.append(_notice_record(notice))

    for hits in keys.values():   # places first (they open a list), then current before the rest
        hits.sort(key=lambda hit: ("u" in hit, hit.get("g", ""), hit.get("s", ""), hit.get("u", hit.get("v", ""))))
    shard_count = max(1, math.ceil(len(keys) / KEYS_PER_SHARD))
    shards: dict[int, dict[str, list[dict]]] = {number: {} for number in range(shard_count)}
    for key in sorted(keys):
        shards[fnv1a(key) % shard_count][key] = keys[key]
    listed = list((catalogue.common.get("search") or {}).get("categories") or {}) + [settings.other_category]
    category_counts = Counter(c for record in records for c in record.filters.get("类别", ()))
    city_counts = Counter(c for record in records for c in record.filters.get("城市", ()))
    return SearchIndex(records, shards, shard_count,
                       [(name, category_counts[name]) for name in listed if category_counts[name]],
                       sorted(city_counts.items(), key=lambda item: (-item[1], item[0])))


def _entry_record(entry: Entry, settings: Settings) -> SearchRecord:
    public = entry.public
    names = [entry.name] * NAME_WEIGHT + [short_name(entry, settings)]
    codes = [str(public.get("credit_code", "")), str(public.get("recognition", {}).get("certificate_no", ""))]
    places = [form for _, region in region_chain(entry.region) for form in short_names(region)]
    services = [f"{s.get('name', '')} {s.get('description', '')}" for s in public.get("services") or []
                if isinstance(s, dict)]
    text = [*names, *codes, *places, entry.scheme.title, entry.scheme.short_title, *entry.categories,
            *settings.shared_categories(entry), *services, str(public.get("profile", ""))]
    filters = {
        "名录": [entry.scheme.short_title],
        "类别": settings.shared_categories(entry),
        "状态": [entry.status_label],
        "分组": [group_of(entry)],
    }
    for level, region in region_chain(entry.region):
        filters[level] = [region_filter_value(level, region)]
    meta = {"title": entry.name, "scheme": entry.scheme.short_title, "status": entry.status,
            "status_label": entry.status_label, "city": city_of(entry), "category": "、".join(entry.categories),
            "kind": "专家" if entry.kind == "expert" else "服务机构"}
    return SearchRecord(entry.url, " ".join(" ".join(index_tokens(t)) for t in text if t),
                        meta, {name: values for name, values in filters.items() if values})


def _notice_record(notice: PublicityNotice) -> SearchRecord:
    text = [notice.title, notice.scheme.title, notice.scheme.short_title, notice.decision_doc_no,
            *(entry.name for entry in notice.entries)]
    meta = {"title": notice.title, "scheme": notice.scheme.short_title,
            "status": "publicity" if notice.active else "archived",
            "status_label": "公示中" if notice.active else "公告", "city": "", "category": "", "kind": "公告"}
    filters = {"名录": [notice.scheme.short_title], "分组": [GROUP_NOTICE]}
    return SearchRecord(notice.url, " ".join(" ".join(index_tokens(t)) for t in text if t), meta, filters)


def write_search_index(index: SearchIndex, built: Path, scratch: Path) -> None:
    """The key shards and the pagefind bundle into the built site (after mkdocs).

    Pagefind reads our records as small HTML documents written to `scratch` (one per page, at the
    page's own path, so pagefind gives it the page's URL): its CLI indexes thousands a second,
    while its Python API waits 0.1 s for every record it is handed.
    """
    folder = built / KEYS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for number, keys in index.shards.items():
        (folder / f"{number}.json").write_text(
            json.dumps(keys, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    for record in index.records:
        target = scratch / record.url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_search_document(record), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(scratch), "--output-path",
                             str(built / "pagefind"), "--silent"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or result.stdout.strip())


def _search_document(record: SearchRecord) -> str:
    """An HTML document pagefind indexes as `record`: meta and filters as attributes in <head>
    (escaped; a value may hold any character), the tokens as the body."""
    head = [f'<meta data-pagefind-meta="{escape(name)}[content]" content="{escape(value)}">'
            for name, value in record.meta.items() if value]
    head += [f'<meta data-pagefind-filter="{escape(name)}[content]" content="{escape(value)}">'
             for name, values in record.filters.items() for value in values]
    return (f'<!doctype html><html lang="{INDEX_LANGUAGE}"><head><meta charset="utf-8">{"".join(head)}</head>'
            f"<body data-pagefind-body>{escape(record.content)}</body></html>\n")
