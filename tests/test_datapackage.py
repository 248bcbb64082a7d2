"""The open data people can build on: a valid Frictionless Data Package, the published record
schemas and the /data/ page (licence, date, counts, field dictionary), with nothing private in them."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import frictionless
import pytest

from directory.library.repository import load_repository
from directory.rules.fields import fields_of
from directory.site.opendata import Licence, data_licence
from site_fixtures import REPO, build_sample_site

CSVS = ("providers.csv", "experts.csv")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("opendata") / "root")


@pytest.fixture(scope="module")
def package(site) -> dict:
    return json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(site) -> str:
    return (site / "data" / "index.html").read_text(encoding="utf-8")


def private_paths() -> dict[tuple[str, str], set[str]]:
    """(scheme, kind) -> the dotted path of every x-private field of its schema (children included)."""
    schemas, _ = load_repository(REPO).compiled_schemas()
    paths: dict[tuple[str, str], set[str]] = {}

    def walk(fields, found: set[str]):
        for field in fields:
            if field.private:
                found.add(field.dotted)
            walk(field.children, found)
    for key, validator in schemas.validators.items():
        walk(fields_of(validator.schema), paths.setdefault(key, set()))
    return paths


def property_paths(schema, path: str = "") -> set[str]:
    """The dotted path of every property a JSON Schema names anywhere (conditions and items included)."""
    found = set()
    if isinstance(schema, dict):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        for name, sub in properties.items():
            found |= {path + name} | property_paths(sub, f"{path}{name}.")
        found |= {path + name for name in schema.get("required", []) if isinstance(name, str)}
        for key, value in schema.items():
            if key != "properties":
                found |= property_paths(value, path)
    elif isinstance(schema, list):
        for value in schema:
            found |= property_paths(value, path)
    return found


def csv_rows(site: Path, name: str) -> list[dict]:
    with (site / "data" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_frictionless_finds_the_data_package_valid(site):
    report = frictionless.validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.parametrize("name", CSVS)
def test_every_csv_is_a_resource_and_every_header_is_described_in_order(site, package, name):
    resource = next(r for r in package["resources"] if r["path"] == name)
    with (site / "data" / name).open(encoding="utf-8-sig", newline="") as handle:
        headers = next(csv.reader(handle))
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == headers
    assert all(f["title"] and f["type"] for f in fields)
    assert resource["encoding"] == "utf-8-sig"
    assert (site / "data" / name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_status_and_its_date_are_described_as_the_csv_holds_them(package):
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert "有效" in fields["状态"]["constraints"]["enum"]
    assert fields["状态日期"]["type"] == fields["最后更新"]["type"] == "date"
    assert list(fields)[-1] == "状态日期"


@pytest.mark.parametrize("name", CSVS)
def test_every_record_carries_the_build_date_as_its_status_date(site, name):
    assert {row["状态日期"] for row in csv_rows(site, name)} == {"2026-11-23"}


def test_no_private_field_is_named_in_the_record_schemas(site):
    private = private_paths()
    assert "facts" in private[("hunan-sme-hexin", "provider")]
    assert "private.mobile" in private[("jilin-city-sme", "expert")]   # an expert's contact
    for kind in ("provider", "expert"):
        text = (site / "data" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert "x-private" not in text
        for scheme, schema in json.loads(text)["$defs"].items():
            named = property_paths(schema)
            assert named and not named & private[(scheme, kind)], (kind, scheme)


@pytest.mark.parametrize("name, kind", [("providers.csv", "provider"), ("experts.csv", "expert")])
def test_no_private_field_is_a_column_of_the_package_or_the_dictionary(package, page, name, kind):
    private = set().union(*(paths for (_, of_kind), paths in private_paths().items() if of_kind == kind))
    section = page[page.index(f"（{name}）"):]
    keys = set(re.findall(r"<code>([^<]+)</code>", section[: section.index("</table>")]))
    assert "name" in keys and not keys & private
    resource = next(r for r in package["resources"] if r["path"] == name)
    assert len(resource["schema"]["fields"]) == len(keys)


def test_the_record_schemas_keep_the_public_fields_of_each_scheme(site):
    provider = json.loads((site / "data" / "provider.schema.json").read_text(encoding="utf-8"))
    hunan = provider["$defs"]["hunan-sme-hexin"]
    assert {"name", "credit_code", "contact", "recognition"} <= set(hunan["properties"])
    assert {"$ref": "#/$defs/hunan-sme-hexin"} in provider["anyOf"]


def test_the_data_page_links_the_default_licence_and_shows_the_date(page):
    assert '<a href="https://creativecommons.org/licenses/by/4.0/deed.zh-hans" rel="license">CC BY 4.0</a>' in page
    assert "数据日期 2026年11月23日" in text_of(page)
    for name in ("datapackage.json", "provider.schema.json", "expert.schema.json"):
        assert f'href="../data/{name}"' in page


def test_the_data_page_shows_the_licence_set_in_mkdocs_yml(tmp_path):
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("extra:\n", 'extra:\n  data_licence: "CC0 1.0"\n')
    site = build_sample_site(tmp_path / "root", {"mkdocs.yml": config})
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    assert "CC0 1.0</a>" in page and "CC BY 4.0" not in page
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC0-1.0"


BY = "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"


@pytest.mark.parametrize("config, licence", [
    ({}, Licence("CC BY 4.0", "CC-BY-4.0", BY)),
    ({"extra": None}, Licence("CC BY 4.0", "CC-BY-4.0", BY)),
    ({"extra": {"data_licence": " CC0 1.0 "}}, Licence("CC0 1.0", "CC0-1.0",
                                                       "https://creativecommons.org/publicdomain/zero/1.0/deed.zh-hans")),
    ({"extra": {"data_licence": "本中心数据使用协议"}}, Licence("本中心数据使用协议", "", "")),   # named, no link
])
def test_the_licence_is_read_from_mkdocs_extra(config, licence):
    assert data_licence(config) == licence


def test_the_counts_table_equals_the_counts_of_the_open_data(site, page):
    table = page[page.index('class="dir-data__counts"'):]
    table = table[: table.index("</table>")]
    statuses = [text_of(cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0])][2:]
    shown = Counter()
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [text_of(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for status, count in zip(statuses, cells[2:]):
            if int(count):
                shown[(cells[0], cells[1], status)] += int(count)
    titles = {scheme: title for scheme, title in _scheme_titles()}
    expected = Counter((titles[row["名录"]], label, row["状态"])
                       for name, label in (("providers.csv", "服务机构"), ("experts.csv", "专家"))
                       for row in csv_rows(site, name))
    assert shown == expected and sum(expected.values()) > 0


def _scheme_titles():
    for scheme in load_repository(REPO).schemes.values():
        yield scheme.id, scheme.short_title


@pytest.mark.parametrize("name", CSVS)
def test_the_dictionary_lists_each_published_column_with_its_chinese_title(site, package, page, name):
    resource = next(r for r in package["resources"] if r["path"] == name)
    section = page[page.index(f"（{name}）"):]
    section = section[: section.index("</table>")]
    headers = [text_of(cell).strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', section)]
    assert headers == [f["name"] for f in resource["schema"]["fields"]]
    assert all(re.search(r"[\u4e00-\u9fff]", header) for header in headers)


def test_two_builds_on_the_same_day_write_the_same_data_package(site, tmp_path):
    again = build_sample_site(tmp_path / "root")
    for name in ("datapackage.json", "provider.schema.json", "expert.schema.json"):
        assert (again / "data" / name).read_bytes() == (site / "data" / name).read_bytes()
