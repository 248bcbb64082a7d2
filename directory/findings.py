"""Findings: every problem any stage finds is one of these values.

Nothing in the core prints or exits; the CLI formats findings at the edge (see reporters.py).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located in a file.

    line and column are 1-based; 0 means "the whole file". `json_path` is like `$.facts.area_m2`.
    `basis` names the rule's source, e.g. "湖南省中小微企业核心服务机构认定管理办法 第七条（三）".
    """

    path: str
    line: int
    column: int
    rule: str
    message: str
    basis: str = ""
    json_path: str = "$"
    severity: str = "error"


def json_path(parts: tuple) -> str:
    """('facts', 'area_m2') -> '$.facts.area_m2'; list indexes as [0]."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
