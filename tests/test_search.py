"""The search index (directory/site/search.py): keys, tokens, short names, places, shards, groups."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from directory.library.repository import load_repository
from directory.rules.calendar import load_calendar
from directory.rules.regions import regions, short_names
from directory.site.catalogue import build_catalogue
from directory.site.search import (GROUP_CURRENT, GROUP_NOTICE, GROUP_OTHER, Settings, build_search_index, fnv1a,
                                   index_tokens, normalise, short_name)

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def catalogue():
    repository = load_repository(REPO)
    schemas, _ = repository.compiled_schemas()
    return build_catalogue(repository, schemas, load_calendar(REPO), TODAY)


@pytest.fixture(scope="module")
def index(catalogue):
    return build_search_index(catalogue)


def hits_for(index, text: str) -> list[dict]:
    key = normalise(text)
    return index.shards[fnv1a(key) % index.shard_count].get(key, [])


def entry(catalogue, url: str):
    return next(e for e in catalogue.entries if e.url == url)


@pytest.mark.parametrize(("typed", "key"), [
    ("长沙智远企业管理咨询有限公司", "长沙智远企业管理咨询有限公司"),
    ("长沙智远（有限公司）", "长沙智远有限公司"),            # full-width brackets are punctuation
    (" 91430100 ma4l0x1234 ", "91430100MA4L0X1234"),        # spaces gone, Latin upper-case
    ("冀优服〔2024〕022", "冀优服2024022"),
    ("ＡＢＣ１２３", "ABC123"),                               # full-width letters and digits (NFKC)
])
def test_a_key_is_compared_without_spaces_punctuation_or_case(typed, key):
    assert normalise(typed) == key


@pytest.mark.parametrize(("text", "tokens"), [
    ("王立新", ["王立", "立新", "新"]),
    ("荆州", ["荆州", "州"]),
    ("新", ["新"]),
    ("洪山区 MA4L", ["洪山", "山区", "区", "ma4l"]),
    ("数字化转型（SaaS）", ["数字", "字化", "化转", "转型", "型", "saas"]),
])
def test_indexed_text_becomes_han_bigrams_plus_the_last_character(text, tokens):
    assert index_tokens(text) == tokens


def test_every_character_of_an_indexed_name_starts_one_of_its_tokens():
    # why no query piece the browser cuts can miss: each piece starts with some character of the text
    name = "武汉安信财税咨询有限公司"
    tokens = index_tokens(name)
    assert all(any(token.startswith(char) for token in tokens) for char in name)


@pytest.mark.parametrize(("code", "forms"), [
    ("430100", ["长沙市", "长沙"]),
    ("430000", ["湖南省", "湖南"]),
    ("422800", ["恩施土家族苗族自治州", "恩施"]),
    ("450000", ["广西壮族自治区", "广西"]),
    ("421003", ["荆州区", "荆州"]),
])
def test_a_region_is_found_by_its_name_with_and_without_its_suffix(code, forms):
    assert list(short_names(regions()[code])) == forms


@pytest.mark.parametrize(("url", "abbreviation"), [
    ("hubei-afxh/wh-anxin-caishui/", "安信财税咨询"),
    ("hunan-sme-hexin/cs-zhiyuan/", "智远企业管理咨询"),
    ("hebei-sme-youzhi/bd-xinrong/", "信融企业服务"),
])
def test_a_short_name_drops_the_place_and_the_company_type(catalogue, url, abbreviation):
    settings = Settings.from_common(catalogue.common)
    assert short_name(entry(catalogue, url), settings) == abbreviation


def test_a_provider_is_a_key_by_name_short_name_credit_code_and_certificate(catalogue, index):
    provider = entry(catalogue, "hebei-sme-youzhi/bd-xinrong/")
    for typed, match in [(provider.name, "名称"), ("信融企业服务", "简称"),
                         (provider.public["credit_code"], "统一社会信用代码"),
                         (provider.public["recognition"]["certificate_no"], "证书编号")]:
        hits = hits_for(index, typed)
        assert [(hit["u"], hit["m"]) for hit in hits if "u" in hit] == [(provider.url, match)], typed


def test_an_expert_is_a_key_by_name(catalogue, index):
    expert = next(e for e in catalogue.entries if e.kind == "expert")
    assert [hit["u"] for hit in hits_for(index, expert.name)] == [expert.url]


@pytest.mark.parametrize(("typed", "prefix"), [
    ("长沙", "4301"), ("长沙市", "4301"), ("湖南", "43"), ("湖南省", "43"), ("芙蓉区", "430102"), ("洪山区", "420111"),
])
def test_a_place_name_opens_the_list_of_records_located_there_current_first(catalogue, index, typed, prefix):
    (place,) = [hit for hit in hits_for(index, typed) if "l" in hit]
    members = index.lists[place["l"]]
    there = {e.url for e in catalogue.entries if e.region and e.region.code.startswith(prefix)}
    assert {hit["u"] for hit in members} == there and place["c"] == len(there) and place["m"] == "地区"
    groups = [hit["g"] for hit in members]
    assert groups == sorted(groups)


def test_a_category_name_opens_the_list_of_that_shared_category(catalogue, index):
    settings = Settings.from_common(catalogue.common)
    for typed in ("法律服务", "法律服务类", "法律咨询"):   # the shared name and two schemes' own labels
        (listing,) = [hit for hit in hits_for(index, typed) if "l" in hit]
        urls = {hit["u"] for hit in index.lists[listing["l"]]}
        assert urls == {e.url for e in catalogue.entries if "法律服务" in settings.shared_categories(e)}, typed


def test_list_files_hold_at_most_one_page_of_hits(index, tmp_path):
    from directory.site.search import LIST_PAGE, LISTS_FOLDER, write_search_index
    write_search_index(index, tmp_path / "site", tmp_path / "scratch")
    pages = list((tmp_path / "site" / LISTS_FOLDER).rglob("*.json"))
    assert pages and all(len(json.loads(p.read_text(encoding="utf-8"))) <= LIST_PAGE for p in pages)
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").exists()


def test_a_place_without_published_providers_is_no_key(index):
    assert hits_for(index, "拉萨") == []


def test_only_provider_expert_and_notice_pages_are_indexed(catalogue, index):
    urls = {record.url for record in index.records}
    assert urls == {e.url for e in catalogue.entries} | {n.url for n in catalogue.notices}


def test_valid_records_are_grouped_before_the_others_and_notices_last(catalogue, index):
    groups = {record.url: record.filters.get("分组", [GROUP_CURRENT]) for record in index.records}
    assert groups["hunan-sme-hexin/cs-zhiyuan/"] == [GROUP_CURRENT]
    revoked = next(e for e in catalogue.entries if e.status == "revoked")
    assert groups[revoked.url] == [GROUP_OTHER]
    assert all(groups[n.url] == [GROUP_NOTICE] for n in catalogue.notices)
    assert GROUP_CURRENT < GROUP_OTHER < GROUP_NOTICE


def test_every_category_of_every_scheme_maps_into_the_shared_list(catalogue):
    # a label left out of common.yaml falls into 其他服务; the shipped schemes' own 其他 labels only
    settings = Settings.from_common(catalogue.common)
    unmapped = {label for scheme in catalogue.schemes for label in scheme.vocabulary("category")
                if label not in settings.category_of}
    assert unmapped == {"其他", "其他类", "其它服务", "健康及心理咨询服务类"}


def test_the_shards_hold_every_key_once_and_stay_small(index):
    keys = [key for shard in index.shards.values() for key in shard]
    assert len(keys) == len(set(keys))
    assert all(len(json.dumps(shard, ensure_ascii=False).encode()) < 64_000 for shard in index.shards.values())


def test_fnv1a_is_the_32_bit_hash_of_the_utf8_bytes():
    # reference values of 32-bit FNV-1a (the empty string is the offset basis)
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968
