"""Typed values of records and batches (directory/library/model.py): parsed once, None when not valid."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import good_record
from directory.library.model import batch_values, record_values
from directory.library.repository import load_repository


def test_a_records_values_are_parsed_once_and_kept(library):
    library.add("hunan-sme-hexin", good_record("hunan-sme-hexin"))
    [record] = load_repository(library.root).records
    assert record.values is record.values
    assert record.values.established == date(2018, 5, 10) and record.values.batch == "t-2025"


@pytest.mark.parametrize("recognition, key, in_force", [
    ({"status": "revoked", "revocation": {"date": "2026-04-16", "basis": "第十九条（四）"}}, "revocation", True),
    ({"status": "recognized", "revocation": {"date": "2026-04-16"}}, "revocation", False),   # status decides
    ({"status": "suspended", "suspension": "2026-04-16"}, "suspension", False),              # not a mapping
])
def test_an_action_is_in_force_only_when_the_status_says_so(recognition, key, in_force):
    assert (record_values({"recognition": recognition}).action_in_force(key) is not None) is in_force


@pytest.mark.parametrize("data, expected", [
    ({"established": "2018-02-30"}, None),          # not a date: the schema check names it
    ({"established": "1899-12-31"}, None),          # out of the range the tool accepts
    ({"established": 20180510}, None),
    ({"established": "2018-05-10"}, date(2018, 5, 10)),
])
def test_a_date_that_is_not_valid_is_none(data, expected):
    assert record_values(data).established == expected


@pytest.mark.parametrize("days, expected", [(7, 7), (True, None), ("7", None)])
def test_a_batch_counts_only_whole_working_days(days, expected):
    assert batch_values({"publicity": {"start": "2026-09-24", "working_days": days}}).working_days == expected
