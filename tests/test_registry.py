"""The rule registry (directory/checks/registry.py) is the one list of rule ids: every id the code
reports is in it, every id in it has a table row that makes it fail, and the README shows it."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from directory.checks.registry import RULES, markdown_table

REPO = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def _reported_rule_ids() -> dict[str, str]:
    """Rule ids written as literals where findings are made: Finding(path, line, column, RULE, …),
    at(parts, RULE, …), problem(RULE, …), rule=RULE; and `x-rule` in the JSON Schemas."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "directory").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            candidates = [kw.value for kw in node.keywords if kw.arg == "rule"]
            if name == "Finding" and len(node.args) > 3:
                candidates.append(node.args[3])
            elif name == "at" and len(node.args) > 1:
                candidates.append(node.args[1])
            elif name in ("problem", "ImportProblem") and node.args:
                candidates.append(node.args[0])
            for candidate in candidates:
                values = [candidate.body, candidate.orelse] if isinstance(candidate, ast.IfExp) else [candidate]
                for value in values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.setdefault(value.value, path.relative_to(REPO).as_posix())
    for path in sorted((REPO / "schemes").rglob("*.schema.json")):
        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("x-rule"), str):
                    found.setdefault(node["x-rule"], path.relative_to(REPO).as_posix())
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def _test_literals() -> set[str]:
    """Every string constant in the test files (but this one): where the table rows name rules."""
    literals: set[str] = set()
    for path in TESTS.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
                literals.update(part.strip("[]:") for part in node.value.split())
    return literals


def test_every_rule_the_code_reports_is_registered():
    missing = {rule: where for rule, where in _reported_rule_ids().items() if rule not in RULES}
    assert missing == {}


@pytest.mark.parametrize("rule_id", sorted(rule for rule, entry in RULES.items() if not entry.safety_net))
def test_every_registered_rule_has_a_test_row(rule_id):
    literals = _test_literals()
    assert rule_id in literals or f"error[{rule_id}]" in literals or f"warning[{rule_id}]" in literals, \
        f"no test names the rule {rule_id}"


def test_every_rule_has_a_chinese_description_and_a_severity():
    for entry in RULES.values():
        assert entry.severity in ("error", "warning") and entry.description and entry.group


def test_the_readme_lists_the_registered_rules():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README.md is out of date: run scripts/rules-doc"
