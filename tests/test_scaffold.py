"""`directory new`: a commented skeleton that staff fill in, and that validates once filled."""
from __future__ import annotations

import subprocess
import sys

from conftest import TODAY

FILLED = {
    "name:": "name: 长沙新申报企业服务有限公司",
    "credit_code:": 'credit_code: "91430102MA4L2X1Q5B"',
    "nature:": "nature: 私人企业",
    "region:": 'region: "430102"',
    "established:": "established: 2018-05-10",
    "categories: []": "categories: [技术创新]",
    "  service_assets_wan:": "  service_assets_wan: 200",
    "  area_m2:": "  area_m2: 300",
    "  staff_full_time:": "  staff_full_time: 20",
    "  staff_qualified:": "  staff_qualified: 15",
    "  staff_social_insured:": "  staff_social_insured: 5",
    "  no_bad_credit_record:": "  no_bad_credit_record: true",
    "  not_affiliate_of_core_institution:": "  not_affiliate_of_core_institution: true",
    "  registered_on_platform:": "  registered_on_platform: true",
}


def new(library, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "directory", "new", *args], cwd=library.root,
                          capture_output=True, text=True, timeout=60)


def test_a_skeleton_has_every_field_with_its_chinese_label_and_basis(library):
    assert new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new").returncode == 0
    text = (library.root / "providers/hunan-sme-hexin/cs-new.yaml").read_text(encoding="utf-8")
    assert 'id: "cs-new"' in text and 'scheme: "hunan-sme-hexin"' in text
    assert "# 统一社会信用代码（必填）" in text
    assert "# 机构性质；可选：事业单位、民非组织、社会团体、私人企业、国有企业、其他企业" in text
    assert "入库条件：固定服务场地 150 平方米以上（湖南核心服务机构认定管理办法 第七条（三））" in text
    assert "waivers" not in text  # 湖南 allows no relaxing


def test_a_filled_in_skeleton_validates(library):
    new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new")
    path = library.root / "providers/hunan-sme-hexin/cs-new.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(FILLED.get(line, line) for line in lines) + "\n", encoding="utf-8")
    assert library.errors(TODAY) == []


def test_an_unfilled_skeleton_points_at_the_empty_lines(library):
    new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new")
    text = (library.root / "providers/hunan-sme-hexin/cs-new.yaml").read_text(encoding="utf-8")
    name_line = text.splitlines().index("name:") + 1
    assert ("schema-required", name_line) in {(f.rule, f.line) for f in library.errors(TODAY)}


def test_an_expert_skeleton_lists_the_education_levels(library):
    assert new(library, "expert", "--scheme", "jilin-city-sme", "--id", "wang-wu").returncode == 0
    text = (library.root / "providers/jilin-city-sme/experts/wang-wu.yaml").read_text(encoding="utf-8")
    assert "可选：高中及以下、中专、大专、本科、硕士研究生、博士研究生" in text and "term:" in text


def test_an_existing_record_is_not_overwritten_without_force(library):
    new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new")
    path = library.root / "providers/hunan-sme-hexin/cs-new.yaml"
    path.write_text("id: cs-new\n", encoding="utf-8")
    refused = new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new")
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert path.read_text(encoding="utf-8") == "id: cs-new\n"
    assert new(library, "provider", "--scheme", "hunan-sme-hexin", "--id", "cs-new", "--force").returncode == 0
    assert path.read_text(encoding="utf-8") != "id: cs-new\n"


def test_an_expert_in_a_scheme_without_experts_is_refused(library):
    result = new(library, "expert", "--scheme", "hunan-sme-hexin", "--id", "wang-wu")
    assert result.returncode == 2 and "不收录专家" in result.stderr
