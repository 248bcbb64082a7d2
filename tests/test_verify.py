"""The data behind /verify/ (directory/site/verify.py): keys, shards, status intervals, and what the
shard files hold (public fields only, each record under its own keys, in the shard the key hashes to).

The intervals are checked against the lifecycle itself: on any day, the state the page would read
from them is the status `derive` gives for that day.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from directory.library.repository import load_repository
from directory.lifecycle.derive import derive
from directory.rules.calendar import load_calendar
from directory.site.verify import (KEYS_PER_SHARD, STATES, lookup_key, shard_count, shard_of, state_on,
                                   status_intervals)
from site_fixtures import REPO, build_sample_site

# ---------------------------------------------------------------------------------------------------
# Keys and shards


@pytest.mark.parametrize("typed, key", [
    ("91430602325760147U", "91430602325760147U"),
    (" 9143 0602 3257 6014 7u ", "91430602325760147U"),          # spaces, a lower-case letter
    ("９１４３０６０２３２５７６０１４７Ｕ", "91430602325760147U"),    # full-width digits and letter
    ("岳阳洞庭数智科技有限公司", "岳阳洞庭数智科技有限公司"),
    ("岳阳洞庭数智科技（有限）公司。", "岳阳洞庭数智科技有限公司"),    # full-width punctuation
    ("岳阳洞庭数智科技(有限)公司", "岳阳洞庭数智科技有限公司"),       # half-width punctuation
    ("岳阳\u3000洞庭 数智科技有限公司", "岳阳洞庭数智科技有限公司"),   # ideographic and plain space
    ("abc·科技", "ABC科技"),
])
def test_a_code_or_name_is_looked_up_under_its_normalised_key(typed, key):
    assert lookup_key(typed) == key


# Published FNV-1a 32-bit test vectors (the FNV authors' test suite), not computed by our code.
@pytest.mark.parametrize("text, value", [("", 0x811C9DC5), ("a", 0xE40C292C), ("foobar", 0xBF9CF968)])
def test_the_shard_hash_is_fnv1a_of_the_utf8_bytes(text, value):
    assert shard_of(text, 1 << 32) == value


@pytest.mark.parametrize("keys, shards", [(0, 1), (1, 1), (KEYS_PER_SHARD, 1), (KEYS_PER_SHARD + 1, 2),
                                          (20_000, 128), (200_000, 1024)])
def test_the_shard_count_is_the_smallest_power_of_two_for_the_keys(keys, shards):
    assert shard_count(keys) == shards


# ---------------------------------------------------------------------------------------------------
# Status intervals of the sample records


@pytest.fixture(scope="module")
def repository():
    return load_repository(REPO)


@pytest.fixture(scope="module")
def calendar():
    return load_calendar(REPO)


def _record(repository, stem):
    return next(r for r in repository.records if r.stem == stem)


@pytest.mark.parametrize("stem, intervals", [
    # 湖南 2023-1: 公示 from 2023-11-27 (7 working days), decided 2023-12-20, revoked 2026-04-16
    ("yy-dongting", [("", "2023-11-26", "not_yet"), ("2023-11-27", "2023-12-05", "publicity"),
                     ("2023-12-06", "2023-12-19", "not_yet"), ("2023-12-20", "2026-04-15", "valid"),
                     ("2026-04-16", "", "revoked")]),
    # 湖南 2024-1: decided 2024-12-06, valid 3 years; suspended 2026-08-12 until the validity ends
    ("hy-xinghan", [("", "2024-11-10", "not_yet"), ("2024-11-11", "2024-11-19", "publicity"),
                    ("2024-11-20", "2024-12-05", "not_yet"), ("2024-12-06", "2026-08-11", "valid"),
                    ("2026-08-12", "2027-12-05", "suspended"), ("2027-12-06", "", "expired")]),
    # 吉林 expert: term from 2024-09-01, withdrawn 2026-04-20
    ("chen-jianjun", [("", "2024-08-31", "not_yet"), ("2024-09-01", "2026-04-19", "valid"),
                      ("2026-04-20", "", "withdrawn")]),
])
def test_a_record_has_its_status_intervals(repository, calendar, stem, intervals):
    got = status_intervals(_record(repository, stem), repository, calendar)
    assert [(i["from"], i["until"], i["state"]) for i in got] == intervals


def _days():
    day = date(2023, 1, 1)
    while day <= date(2031, 12, 31):
        yield day
        day += timedelta(days=5)


def test_on_any_day_the_intervals_give_the_status_the_lifecycle_derives(repository, calendar):
    mismatches = []
    for record in repository.records:
        scheme, batch = repository.schemes[record.scheme_id], repository.batch_of(record)
        intervals = status_intervals(record, repository, calendar)
        bounds = {date.fromisoformat(i[k]) + timedelta(days=shift)
                  for i in intervals for k in ("from", "until") if i[k] for shift in (-1, 0, 1)}
        for day in sorted(set(_days()) | bounds):
            expected = STATES[derive(record, scheme, batch, calendar, day).status]
            if state_on(intervals, day.isoformat()) != expected:
                mismatches.append((record.path, day.isoformat(), expected))
    assert len(repository.records) > 30
    assert mismatches == []


# ---------------------------------------------------------------------------------------------------
# The shard files of a built site

RECORD_FIELDS = {"kind", "scheme", "name", "code", "url", "batch", "decision", "certificate_no", "inclusion",
                 "valid_from", "valid_until", "intervals"}
ACTION_FIELDS = {"suspension", "revocation", "withdrawal"}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("verify") / "root") / "verify" / "data"


@pytest.fixture(scope="module")
def meta(data) -> dict:
    return json.loads((data / "meta.json").read_text(encoding="utf-8"))


def _lookup(data: Path, meta: dict, text: str) -> list[dict]:
    key = lookup_key(text)
    shard = json.loads((data / f"{shard_of(key, meta['shards'])}.json").read_text(encoding="utf-8"))
    return shard.get(key, [])


def test_every_shard_is_written_and_meta_names_their_count(data, meta):
    assert sorted(p.name for p in data.glob("*.json")) == sorted(["meta.json"] + [f"{n}.json" for n in range(meta["shards"])])
    assert meta["hash"] == "fnv1a32-utf8" and meta["labels"]["valid"] == "有效"


@pytest.mark.parametrize("asked", ["91430602325760147U", "岳阳洞庭数智科技有限公司", "岳阳洞庭数智科技（有限）公司"])
def test_a_provider_is_found_by_its_code_and_by_its_full_name(data, meta, asked):
    [record] = _lookup(data, meta, asked)
    assert record["name"] == "岳阳洞庭数智科技有限公司" and record["code"] == "91430602325760147U"
    assert record["decision"] == {"doc_no": "湘工信中小服务〔2023〕262号", "date": "2023-12-20"}
    assert record["certificate_no"] == "湘核心〔2023〕031"
    assert (record["valid_from"], record["valid_until"]) == ("2023-12-20", "2026-12-19")
    assert record["revocation"] == {"date": "2026-04-16", "basis": "第十九条（四）",
                                    "reason": "经查实，该机构在承接中小企业数字化改造项目中虚报服务合同、套取补助资金"}
    assert record["url"] == "hunan-sme-hexin/yy-dongting/"


def test_an_expert_is_found_by_name_and_has_no_code(data, meta):
    [record] = _lookup(data, meta, "陈建军")
    assert record["kind"] == "expert" and record["code"] == ""
    assert record["withdrawal"]["date"] == "2026-04-20"


def test_a_record_holds_only_public_fields(data, meta):
    records = [r for n in range(meta["shards"])
               for rs in json.loads((data / f"{n}.json").read_text(encoding="utf-8")).values() for r in rs]
    assert records
    for record in records:
        assert RECORD_FIELDS <= set(record) <= RECORD_FIELDS | ACTION_FIELDS, record["url"]
        for action in ACTION_FIELDS & set(record):
            assert set(record[action]) <= {"date", "reason", "basis"}


def test_a_shard_holds_only_the_keys_that_hash_to_it(data, meta):
    for number in range(meta["shards"]):
        shard = json.loads((data / f"{number}.json").read_text(encoding="utf-8"))
        assert all(shard_of(key, meta["shards"]) == number for key in shard)
