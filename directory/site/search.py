"""Site search: what a visitor types finds the page, whatever the browser does to the query.

Why not pagefind's own Chinese indexing. Pagefind segments pages at build time with its own
dictionary; the browser segments the query with Intl.Segmenter (ICU) at search time. The two
disagree: 荆州 is one word in the index and 荆|州 in the query, 王立新 is 王立|新, 洪山区 is 洪|山区.
Pagefind matches each query piece as the prefix of an indexed word, so a piece that is not such a
prefix (州, 新, 山区) finds nothing. The cure is one tokeniser on both sides, ours:

* every run of Han characters becomes its overlapping bigrams plus its last character
  (王立新 -> 王立 立新 新), every run of letters and digits one lower-case word;
* records go to pagefind as small documents in a language it does not segment (`zxx`), and
  search.js cuts the query's Han runs into bigrams side by side (数字化转型 -> 数字 化转 型). Each
  is an indexed token or the prefix of one, and whatever piece the browser still cuts a bigram
  into is the prefix of an indexed token too, so no text is missed that contains the query.

Two more parts make names, codes and places certain rather than likely:

* an exact-match key index: normalised full name, short name, credit code, certificate number,
  expert name -> hits that search.js shows first, without asking pagefind; region and category
  names -> a list of the records located there / of that category, paged into small files. The
  keys are split into shards by an FNV-1a hash, so a lookup fetches one small file however many
  records there are (a pagefind search by filter alone would fetch the whole index);
* pagefind filters: 名录, 类别 (one list shared by all schemes, from common.yaml), 城市 and 状态 for
  the visitor; and 分组, by which search.js lists valid providers and experts first, then the
  others, then notices.

Two pagefind bundles, so a first search downloads the index of the records it shows first:
`pagefind/` holds the current providers and experts (valid, expiring, in 公示), `pagefind-more/`
the others and the notices, merged in the browser (pagefind's `mergeIndex`) only when a visitor
goes past the current ones or filters for the others. Pagefind's metadata lists every page of a
bundle (≈ 6 bytes gzip each) and a search fetches it whole, so this split is what keeps a free-text
first search under its byte target as the library grows.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from html import escape
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.rules.regions import Region, regions, short_names
from directory.site.catalogue import Catalogue, Entry, PublicityNotice
from directory.site.links import link

INDEX_LANGUAGE = "zxx"          # "no linguistic content": pagefind neither segments nor stems it
KEYS_PER_SHARD = 100            # ≈ 2.5 KB gzip a shard: what a name or code lookup downloads
KEYS_FOLDER = "search/keys"     # site-relative
LISTS_FOLDER = "search/lists"   # site-relative: <list id>/<page>.json
LIST_PAGE = 50                  # hits a list file holds

# 分组 values: the order search.js lists results in.
GROUP_CURRENT, GROUP_OTHER, GROUP_NOTICE = "1", "2", "3"
CURRENT_STATUSES = ("valid", "expiring", "publicity")
# site-relative pagefind bundles: the current records (searched first), the rest (merged on demand)
CURRENT_BUNDLE, MORE_BUNDLE = "pagefind", "pagefind-more"

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

    def without_suffix(self, name: str) -> str:
        """The name without its company-type suffix (有限公司 is in nearly every name: indexing it
        would make every search download its posting list; search.js drops it from queries too)."""
        name = unicodedata.normalize("NFKC", name)
        for suffix in self.name_suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
        return name

    def shared_categories(self, entry: Entry) -> list[str]:
        return list(dict.fromkeys(self.category_of.get(label, self.other_category) for label in entry.categories))


@lru_cache(maxsize=None)
def region_chain(region: Region | None) -> tuple[tuple[str, Region], ...]:
    """(filter name, region) for the province, the city and the county of a record, top down."""
    if region is None:
        return ()
    table = regions()
    chain, seen = [], set()
    for level, code in (("省份", region.province_code), ("城市", region.city_code), ("区县", region.code)):
        if code in table and code not in seen:
            seen.add(code)
            chain.append((level, table[code]))
    return tuple(chain)


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
    name = settings.without_suffix(name)
    return name if len(name) >= 2 and name != unicodedata.normalize("NFKC", entry.name) else ""


def group_of(entry: Entry) -> str:
    return GROUP_CURRENT if entry.status in CURRENT_STATUSES else GROUP_OTHER


@dataclass(frozen=True)
class SearchRecord:
    """One page as pagefind indexes it: tokens of its name and codes (weighted as a heading), the
    other tokens once each (a token repeated would only lengthen the download of its posting list)."""

    url: str
    heading: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]


def _distinct_tokens(texts, already: set[str] | None = None) -> list[str]:
    seen = set(already or ())
    tokens = []
    for text in texts:
        for token in index_tokens(text):
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return tokens


@dataclass
class SearchIndex:
    records: list[SearchRecord]
    shards: dict[int, dict[str, list[dict]]]     # shard number -> normalised key -> hits
    shard_count: int
    name_suffixes: tuple[str, ...]               # search.js drops them from the end of a query
    lists: dict[str, list[dict]]                 # list id -> hits (a place's or a category's records)
    categories: list[tuple[str, int]]            # shared category -> published records, common.yaml's order
    cities: list[tuple[str, int]]                # city -> published records, most first

    def bundle_of(self, record: SearchRecord) -> str:
        return MORE_BUNDLE if record.filters.get("分组") else CURRENT_BUNDLE

    @property
    def bundles(self) -> list[str]:
        """The pagefind bundles the build writes, the current one first; a bundle with no page is
        left out (pagefind refuses to index nothing), and search.js is told which exist."""
        present = {self.bundle_of(record) for record in self.records}
        return [bundle for bundle in (CURRENT_BUNDLE, MORE_BUNDLE) if bundle in present]


def build_search_index(catalogue: Catalogue) -> SearchIndex:
    settings = Settings.from_common(catalogue.common)
    records: list[SearchRecord] = []
    keys: dict[str, list[dict]] = {}
    in_region: dict[str, list[dict]] = {}          # region code -> hits of the records located there
    region_forms: dict[str, set[str]] = {}         # normalised place name -> region codes
    in_category: dict[str, list[dict]] = {}        # shared category -> hits
    category_forms: dict[str, set[str]] = {}       # normalised category name (shared or a scheme's) -> shared

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
        for _, region in region_chain(entry.region):
            in_region.setdefault(region.code, []).append(hit)
            for form in short_names(region):
                region_forms.setdefault(normalise(form), set()).add(region.code)
        for label in entry.categories:
            category_forms.setdefault(normalise(label), set()).add(settings.category_of.get(label, settings.other_category))
        for shared in settings.shared_categories(entry):
            in_category.setdefault(shared, []).append(hit)
            category_forms.setdefault(normalise(shared), set()).add(shared)
    for notice in catalogue.notices:
        records.append(_notice_record(notice))

    # A place or a category opens a list, paged into files (search.js fetches a page at a time):
    # the records located there (a county's first when a name is both, 吉林 -> 吉林市 then 吉林省),
    # or of that category; current ones first. Keys with the same list share its files.
    lists: dict[str, list[dict]] = {}
    list_ids: dict[tuple[str, ...], str] = {}

    def add_list(key: str, label: str, kind: str, groups: list[list[dict]]) -> None:
        members, seen = [], set()
        for group in groups:
            for hit in sorted(group, key=lambda h: (h["g"], h["s"], h["u"])):
                if hit["u"] not in seen:
                    seen.add(hit["u"])
                    members.append(hit)
        urls = tuple(hit["u"] for hit in members)
        if urls not in list_ids:
            list_ids[urls] = f"{kind[0]}{len(list_ids)}"
            lists[list_ids[urls]] = members
        keys.setdefault(key, []).append({"l": list_ids[urls], "c": len(members), "n": label, "m": kind})

    table = regions()
    for key, codes in sorted(region_forms.items()):
        ordered = sorted(codes, key=lambda code: (-_significance(code), code))
        add_list(key, "、".join(table[code].full_name for code in ordered), "地区", [in_region[c] for c in ordered])
    for key, shared in sorted(category_forms.items()):
        names = sorted(shared)
        add_list(key, "、".join(names), "类别", [in_category.get(name, []) for name in names])

    for hits in keys.values():   # a record's own key first, current before the rest; lists after
        hits.sort(key=lambda hit: ("l" in hit, hit.get("g", ""), hit.get("s", ""), hit.get("u", hit.get("l", ""))))
    shard_count = max(1, math.ceil(len(keys) / KEYS_PER_SHARD))
    shards: dict[int, dict[str, list[dict]]] = {number: {} for number in range(shard_count)}
    for key in sorted(keys):
        shards[fnv1a(key) % shard_count][key] = keys[key]
    listed = list((catalogue.common.get("search") or {}).get("categories") or {}) + [settings.other_category]
    city_counts = Counter(c for record in records for c in record.filters.get("城市", ()))
    return SearchIndex(records, shards, shard_count, settings.name_suffixes, lists,
                       [(name, len(in_category[name])) for name in listed if in_category.get(name)],
                       sorted(city_counts.items(), key=lambda item: (-item[1], item[0])))


def _significance(code: str) -> int:
    """How narrow a division is: 6 a county, 4 a city, 2 a province."""
    return 2 if code.endswith("0000") else 4 if code.endswith("00") else 6


def _entry_record(entry: Entry, settings: Settings) -> SearchRecord:
    public = entry.public
    codes = [str(public.get("credit_code", "")), str(public.get("recognition", {}).get("certificate_no", ""))]
    heading = _distinct_tokens([settings.without_suffix(entry.name), *codes])
    places = [form for _, region in region_chain(entry.region) for form in short_names(region)]
    services = [f"{s.get('name', '')} {s.get('description', '')}" for s in public.get("services") or []
                if isinstance(s, dict)]
    content = _distinct_tokens([*places, entry.scheme.title, entry.scheme.short_title, *entry.categories,
                                *settings.shared_categories(entry), *services, str(public.get("profile", ""))],
                               set(heading))
    filters = {
        "名录": [entry.scheme.short_title],
        "类别": settings.shared_categories(entry),
        "状态": [entry.status_label],
        # the first group has no value: most records are in it, and the filter file lists every page it names
        "分组": [group_of(entry)] if group_of(entry) != GROUP_CURRENT else [],
    }
    if city := city_of(entry):
        filters["城市"] = [city]
    meta = {"title": entry.name, "scheme": entry.scheme.short_title, "status": entry.status,
            "status_label": entry.status_label, "city": city_of(entry), "category": "、".join(entry.categories),
            "kind": "专家" if entry.kind == "expert" else "服务机构"}
    return SearchRecord(entry.url, " ".join(heading), " ".join(content),
                        meta, {name: values for name, values in filters.items() if values})


def _notice_record(notice: PublicityNotice) -> SearchRecord:
    heading = _distinct_tokens([notice.title])
    content = _distinct_tokens([notice.scheme.title, notice.scheme.short_title, notice.decision_doc_no,
                                *(entry.name for entry in notice.entries)], set(heading))
    meta = {"title": notice.title, "scheme": notice.scheme.short_title,
            "status": "publicity" if notice.active else "archived",
            "status_label": "公示中" if notice.active else "公告", "city": "", "category": "", "kind": "公告"}
    filters = {"名录": [notice.scheme.short_title], "分组": [GROUP_NOTICE]}
    return SearchRecord(notice.url, " ".join(heading), " ".join(content), meta, filters)


def write_search_index(index: SearchIndex, built: Path, scratch: Path,
                       previous: tuple[dict, Path] | None = None) -> dict:
    """The key shards and the pagefind bundle into the built site (after mkdocs); returns what
    `previous` needs in the next build.

    Pagefind reads our records as small HTML documents written to `scratch` (one per page, at the
    page's own path, so pagefind gives it the page's URL): its CLI indexes thousands a second,
    while its Python API waits 0.1 s for every record it is handed.

    `previous`: (what an earlier build returned, the site it built). A bundle whose documents are
    all as they were then is taken from that site instead of being indexed again, as long as its
    files there are still the ones recorded: an edit that no search shows (a report registered, a
    private fact) leaves the search as it was, byte for byte (pagefind itself writes some of its
    files in a different order on every run).
    """
    folder = built / KEYS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for number, keys in index.shards.items():
        (folder / f"{number}.json").write_text(
            json.dumps(keys, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    for list_id, members in index.lists.items():
        for page, start in enumerate(range(0, len(members), LIST_PAGE)):
            target = built / LISTS_FOLDER / list_id / f"{page}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(members[start:start + LIST_PAGE], ensure_ascii=False, separators=(",", ":"),
                                         sort_keys=True), encoding="utf-8")
    documents: dict[str, list[tuple[str, str]]] = {bundle: [] for bundle in index.bundles}
    for record in index.records:
        documents[index.bundle_of(record)].append((record.url, _search_document(record)))
    recorded, previous_site = previous or ({}, None)
    written = {}
    for bundle in index.bundles:
        inputs = _digest(json.dumps([_pagefind_version(), sorted(documents[bundle])], ensure_ascii=False).encode("utf-8"))
        before = recorded.get(bundle) if isinstance(recorded, dict) else None
        if previous_site is not None and isinstance(before, dict) and before.get("inputs") == inputs \
                and _take_bundle(previous_site / bundle, built / bundle, before.get("files")):
            written[bundle] = before
            continue
        for url, document in documents[bundle]:
            target = scratch / bundle / url / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(document, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(scratch / bundle), "--output-path",
                                 str(built / bundle), "--silent"], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or result.stdout.strip())
        written[bundle] = {"inputs": inputs, "files": {path.relative_to(built / bundle).as_posix(): _digest(path.read_bytes())
                                                       for path in sorted((built / bundle).rglob("*")) if path.is_file()}}
    return written


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _pagefind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind")
    except PackageNotFoundError:
        return ""


def _take_bundle(source: Path, target: Path, files) -> bool:
    """Link (else copy) an earlier bundle's files into `target` if each is still as recorded."""
    if not isinstance(files, dict) or not files:
        return False
    try:
        for relative, digest in files.items():
            path = source / relative
            if not isinstance(digest, str) or ".." in Path(relative).parts or _digest(path.read_bytes()) != digest:
                raise ValueError(relative)
            if not link(path, target / relative):
                shutil.copyfile(path, target / relative)
    except (OSError, ValueError, TypeError):
        shutil.rmtree(target, ignore_errors=True)   # half taken: index it anew
        return False
    return True


def _search_document(record: SearchRecord) -> str:
    """An HTML document pagefind indexes as `record`: meta and filters as attributes in <head>
    (escaped; a value may hold any character), the tokens as the body."""
    head = [f'<meta data-pagefind-meta="{escape(name)}[content]" content="{escape(value)}">'
            for name, value in record.meta.items() if value]
    head += [f'<meta data-pagefind-filter="{escape(name)}[content]" content="{escape(value)}">'
             for name, values in record.filters.items() for value in values]
    return (f'<!doctype html><html lang="{INDEX_LANGUAGE}"><head><meta charset="utf-8">{"".join(head)}</head>'
            f"<body data-pagefind-body><h1>{escape(record.heading)}</h1><p>{escape(record.content)}</p></body></html>\n")
