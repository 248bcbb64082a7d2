"""A realistic synthetic library for the benchmarks: N records over the five schemes, each a valid
copy of a test fixture with its own name, credit code and region.

Names look like the real ones (湖南 + 城市 + 字号 + 行业 + 组织形式: 株洲恒信财税咨询有限公司), so
the search index has as many distinct words as a real library; regions are real county codes of
the scheme's province (吉林市's scheme: of 吉林市); credit codes carry valid check characters.
Not every record is current, as in a library some years old: one in ten has been revoked (on its
scheme's first revocation basis) and one in twenty has withdrawn. They stand in for the expired
ones too, which would need batches decided before some schemes' documents were issued.
Deterministic for a given size (seeded), so two runs measure the same library.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SCHEMES = ["hunan-sme-hexin", "hubei-sme-yanxuan", "hebei-sme-youzhi", "hubei-afxh", "jilin-city-sme"]
PROVINCE_OF = {"hunan-sme-hexin": "43", "hubei-sme-yanxuan": "42", "hebei-sme-youzhi": "13", "hubei-afxh": "42",
               "jilin-city-sme": "2202"}
# 字号 characters and trades as businesses in these provinces use them
BRAND = "智远信融恒达华创鼎盛泰和宏图博雅天成众合聚力卓越启航新源弘毅嘉禾瑞丰汇通金石德润锦程明道致远兴业"
TRADES = ["财税咨询", "企业管理咨询", "信息技术", "数字科技", "检验检测", "知识产权代理", "人力资源服务", "律师事务",
          "会展服务", "文化传媒", "融资担保", "创业服务", "工业设计", "技术转移", "品牌策划", "软件开发"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "服务中心"]
REVOKED_EVERY, WITHDRAWN_EVERY = 10, 20      # one provider in ten revoked, one in twenty withdrawn
ENDED_ON = "2026-06-15"                      # after the fixtures' batches were decided


def ended(text: str, number: int, basis: str) -> str:
    """The record revoked or withdrawn, or as it was (experts are left current)."""
    if number % REVOKED_EVERY == REVOKED_EVERY - 1:
        block = (f"  status: revoked\n  revocation:\n    date: {ENDED_ON}\n"
                 f"    reason: 复核不合格，经整改后仍不符合要求\n    basis: {basis}\n")
    elif number % WITHDRAWN_EVERY == 3:
        block = f"  status: withdrawn\n  withdrawal:\n    date: {ENDED_ON}\n    reason: 本机构申请退出\n"
    else:
        return text
    return text.replace("  status: recognized\n", block, 1)


def make_library(root: Path, size: int, seed: int = 20261201) -> None:
    """Write schemes/, templates/, mkdocs.yml and `size` valid records under providers/ into `root`."""
    from directory.rules.codes import credit_code_check_character
    from directory.rules.regions import regions

    rng = random.Random(seed)
    shutil.copytree(REPO / "schemes", root / "schemes", ignore=shutil.ignore_patterns("batches"))
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for batch in (FIXTURES / "batches").glob("*.yaml"):
        scheme, stem = batch.stem.split("--")
        (root / "schemes" / scheme / "batches").mkdir(parents=True, exist_ok=True)
        shutil.copy(batch, root / "schemes" / scheme / "batches" / f"{stem}.yaml")
    table = regions()
    counties = {scheme: sorted(code for code in table if code.startswith(prefix) and not code.endswith("00"))
                for scheme, prefix in PROVINCE_OF.items()}
    templates = {scheme: (FIXTURES / "records" / f"{scheme}.yaml").read_text(encoding="utf-8") for scheme in SCHEMES}
    bases = {scheme: yaml.safe_load((REPO / "schemes" / scheme / "scheme.yaml").read_text(encoding="utf-8"))
             ["revocation_bases"][0]["basis"] for scheme in SCHEMES}
    for number in range(size):
        scheme = SCHEMES[number % len(SCHEMES)]
        text = templates[scheme]
        lines = text.splitlines()
        old_id = lines[0].split(":", 1)[1].strip()
        old_code = next(line for line in lines if line.startswith("credit_code:")).split('"')[1]
        old_name = next(line for line in lines if line.startswith("name:")).split(":", 1)[1].strip()
        old_region = next(line for line in lines if line.startswith("region:")).split('"')[1]
        county = rng.choice(counties[scheme])
        city = table.get(county[:4] + "00")
        place = (city.name if city else table[county].name).removesuffix("市")
        name = f"{place}{''.join(rng.sample(BRAND, 2))}{rng.choice(TRADES)}{rng.choice(FORMS)}"
        first17 = f"9{1 + number % 3}{county}MA{number:07d}"[:17]
        code = first17 + credit_code_check_character(first17)
        record_id = f"{old_id}-{number:06d}"
        certificate = next((line for line in lines if line.strip().startswith("certificate_no:")), None)
        if certificate:   # each record its own number (湘核心〔2025〕0042), as a scheme numbers them
            text = text.replace(certificate, f"{certificate.split('〕')[0]}〕{number:04d}", 1)
        text = (text.replace(f"id: {old_id}", f"id: {record_id}", 1).replace(old_code, code)
                .replace(f"name: {old_name}", f"name: {name}", 1).replace(f'region: "{old_region}"', f'region: "{county}"', 1))
        text = ended(text, number, bases[scheme])
        folder = root / "providers" / scheme
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{record_id}.yaml").write_text(text, encoding="utf-8")
