"""Format checks registered on jsonschema's FormatChecker: credit codes and region codes.

Each check raises ValueError with the Chinese message staff see; jsonschema keeps it as the
error's `cause`, and schemacheck.py prints it.
"""
from __future__ import annotations

from jsonschema import FormatChecker

from directory.rules.regions import SOURCE as REGION_SOURCE, regions

# GB 32100-2015 §4: the 31 characters of the code (no I, O, S, V, Z) and the weights of positions 1-17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a credit code.

    >>> credit_code_check_character("91350100M000100Y4")   # the example code of GB 32100-2015
    '3'
    """
    total = sum(CREDIT_CODE_CHARSET.index(char) * weight
                for char, weight in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def check_credit_code(value: object) -> bool:
    """Raise ValueError with a staff-readable message if `value` is not a valid credit code."""
    if not isinstance(value, str):
        return True  # the type check reports it
    if len(value) != 18:
        raise ValueError(f"统一社会信用代码应为 18 位，「{value}」是 {len(value)} 位")
    if value != value.upper() and all(char in CREDIT_CODE_CHARSET for char in value.upper()):
        raise ValueError(f"统一社会信用代码中的字母应为大写：「{value.upper()}」")
    wrong = [char for char in value if char not in CREDIT_CODE_CHARSET]
    if wrong:
        raise ValueError(f"统一社会信用代码「{value}」含有不允许的字符「{''.join(dict.fromkeys(wrong))}」"
                         "：只能是数字和大写字母（不含 I、O、S、V、Z）")
    expected = credit_code_check_character(value[:17])
    if value[17] != expected:
        raise ValueError(f"统一社会信用代码「{value}」校验位不对：按前 17 位计算，第 18 位应为「{expected}」，"
                         "请核对营业执照")
    return True


def check_region_code(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValueError(f"行政区划代码应为 6 位数字，「{value}」不是")
    if value not in regions():
        raise ValueError(f"行政区划代码「{value}」不存在（对照 {REGION_SOURCE}）")
    return True


def format_checker() -> FormatChecker:
    checker = FormatChecker(formats=("date", "email"))
    checker.checks("credit-code", raises=ValueError)(check_credit_code)
    checker.checks("region-code", raises=ValueError)(check_region_code)
    return checker
