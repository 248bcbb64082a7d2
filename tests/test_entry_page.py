"""The provider/expert page a visitor trusts: the status first (a banner once the recognition has
ended or paused, with its date), contacts left out once revoked or expired, 状态截至 and 最后更新,
the other schemes of the same organisation (同时入选), and a QR code of the page's own address.

Two sites: one built from a copy of the sample data plus the records below (not a git checkout),
one built inside a git checkout with known commit dates. The QR codes are decoded with zxing-cpp.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
import zxingcpp

from directory.rules.calendar import load_calendar
from directory.site.build import build_site
from directory.site.qr import QRCodes
from directory.site.updated import last_commit_dates
from site_fixtures import CHROMIUM, COPIED, REPO, TODAY, build_sample_site, chromium_browser, credit_code, serving

SITE_URL = "https://fwjg.example.org.cn/"   # the shipped mkdocs.yml


def yanxuan(stem: str, name: str, code17: str, phone: str, recognition: str, batch: str = "2025-1") -> str:
    """A 湖北严选 provider that passes every rule, with its own contacts and recognition."""
    return f"""\
id: {stem}
scheme: hubei-sme-yanxuan
name: {name}
credit_code: "{credit_code(code17)}"
nature: 有限责任公司
subject_type: 专业服务机构
region: "420111"
address: 湖北省武汉市洪山区{stem}大道 8 号
postal_code: "430074"
established: 2018-06-22
legal_representative: 万某
website: https://www.{stem}.example.cn
contact: {{phone: "{phone}", email: service@{stem}.example.cn}}
categories: [数字化服务类]
profile: 一家为中小企业提供数字化服务的机构。
recommender: 武汉市中小企业服务中心
facts:
  registered_capital_wan: 500
  area_m2: 300
  staff_full_time: 20
  staff_qualified: 18
  smes_served_per_year: 120
  satisfaction_pct: 92
  public_benefit_pct: 15
  partner_institutions: 5
  no_bad_credit_record: true
  not_under_investigation: true
recognition:
  batch: {batch}
{recognition}"""


RECORDS = {
    "valid": yanxuan("pg-youxiao", "武汉鹏光有效数字科技有限公司", "91420111MA4PGQ001", "027-81110001",
                     "  status: recognized\n"),
    "revoked": yanxuan("pg-chexiao", "武汉鹏光撤销数字科技有限公司", "91420111MA4PGQ002", "027-81110002",
                       "  status: revoked\n  revocation: {date: 2026-03-05, reason: 复评满意度仍未达标, basis: 第十八条（1）}\n"),
    "expired": yanxuan("pg-guoqi", "武汉鹏光过期数字科技有限公司", "91420111MA4PGQ003", "027-81110003",
                       "  status: recognized\n", batch="2023-1"),
    "suspended": yanxuan("pg-zanting", "武汉鹏光暂停数字科技有限公司", "91420111MA4PGQ004", "027-81110004",
                         "  status: suspended\n  suspension: {date: 2026-08-12, reason: 机构重组中, basis: 第十八条（1）}\n"),
    "withdrawn": yanxuan("pg-tuichu", "武汉鹏光退出数字科技有限公司", "91420111MA4PGQ005", "027-81110005",
                         "  status: withdrawn\n  withdrawal: {date: 2026-05-18, reason: 主动申请退出}\n"),
}
PATHS = {status: f"providers/hubei-sme-yanxuan/{re.search(r'id: (.+)', text)[1]}.yaml"
         for status, text in RECORDS.items()}
URLS = {status: path[len("providers/"):-len(".yaml")] + "/" for status, path in PATHS.items()}

# The valid record's organisation is also a 湖北安防协会 provider: the same credit code.
SIBLING_PATH = "providers/hubei-afxh/pg-youxiao.yaml"
SIBLING = f"""\
id: pg-youxiao
scheme: hubei-afxh
name: 武汉鹏光有效数字科技有限公司
credit_code: "{credit_code('91420111MA4PGQ001')}"
nature: 有限责任公司
council_member: true
region: "420111"
address: 湖北省武汉市洪山区 pg-youxiao 大道 8 号
categories: [数字化服务类]
recommender: 武汉市安全技术防范行业协会
facts: {{staff_full_time: 20, satisfaction_pct: 92, no_bad_credit_record: true}}
recognition: {{batch: 2025-1, status: recognized}}
"""

# An expert whose two-year term ended: the banner names the 聘任期.
EXPERT_URL = "jilin-city-sme/experts/pg-guoqi-zhuanjia/"
EXPERT = """\
id: pg-guoqi-zhuanjia
scheme: jilin-city-sme
name: 鹏过期
title: 高级经济师
employer: 北华大学
education: 硕士研究生
years_of_service: 12
expertise: [财会税务]
region: "220204"
recommender: 船营区中小企业服务中心
term: {start: 2023-09-01}
recognition: {status: recognized}
"""

EXTRA = {**{PATHS[status]: text for status, text in RECORDS.items()}, SIBLING_PATH: SIBLING,
         f"providers/{EXPERT_URL.rstrip('/')}.yaml": EXPERT}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_sample_site(tmp_path_factory.mktemp("entry-page") / "root", EXTRA)


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def article(site: Path, url: str) -> str:
    """The page's own content (the theme's header and footer left out)."""
    text = page(site, url)
    return text[text.index('<article class="dir-entry"'):text.index("</article>", text.index('class="dir-entry"'))]


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# ---------------------------------------------------------------------------------------------------
# Banners

@pytest.mark.parametrize("url, banner", [(EXPERT_URL, "已过期：聘任期至 2025年8月31日，本专家已不在有效名单中。")])
def test_an_expert_whose_term_ended_opens_with_a_banner_naming_the_term(site, url, banner):
    assert banner in text_of(article(site, url))


@pytest.mark.parametrize("status, banner", [
    ("revoked", "本机构已于 2026年3月5日 被撤销入选资格（依据 第十八条（1））。原因：复评满意度仍未达标"),
    ("expired", "已过期：有效期至 2026年6月14日"),
    ("suspended", "暂停中：自 2026年8月12日 起暂停（依据 第十八条（1））。机构重组中"),
    ("withdrawn", "已退出：本机构已于 2026年5月18日 自愿退出本名录。"),
])
def test_a_page_whose_recognition_ended_or_paused_opens_with_a_banner_saying_so_and_since_when(site, status, banner):
    content = article(site, URLS[status])
    first = re.search(r'<article class="dir-entry"[^>]*>\s*(<p[^>]*>.*?</p>)', content, re.S)[1]
    assert 'class="dir-alert dir-banner' in first
    assert banner in text_of(first)


def test_a_valid_page_has_no_banner(site):
    assert "dir-banner" not in article(site, URLS["valid"])


@pytest.mark.parametrize("status", ["valid", "revoked", "expired", "suspended", "withdrawn"])
def test_every_page_says_on_which_day_its_status_was_worked_out(site, status):
    assert f"状态截至 {TODAY.year}年{TODAY.month}月{TODAY.day}日" in text_of(article(site, URLS[status]))


@pytest.mark.parametrize("status, validity", [
    ("valid", "有效期 2025年10月20日 至 2028年10月19日"),
    ("revoked", "有效期 2025年10月20日 至 2026年3月5日"),
    ("expired", "有效期 2023年6月15日 至 2026年6月14日"),
])
def test_the_validity_stands_near_the_top_before_the_field_list(site, status, validity):
    content = text_of(article(site, URLS[status]))
    assert validity in content
    assert content.index(validity) < content.index("统一社会信用代码")


# ---------------------------------------------------------------------------------------------------
# Contacts

def contacts(status: str) -> list[str]:
    stem = URLS[status].rstrip("/").rsplit("/", 1)[1]
    phone = re.search(r'phone: "([^"]+)"', RECORDS[status])[1]
    return [phone, f"service@{stem}.example.cn", f"https://www.{stem}.example.cn", f"{stem}大道 8 号", "430074"]


@pytest.mark.parametrize("status", ["revoked", "expired"])
def test_the_contacts_of_a_revoked_or_expired_provider_are_not_in_the_html(site, status):
    text = page(site, URLS[status])
    assert [value for value in contacts(status) if value in text] == []
    assert "对外联系方式不再公示" in text_of(article(site, URLS[status]))


@pytest.mark.parametrize("status", ["valid", "suspended", "withdrawn"])
def test_the_contacts_of_a_provider_still_listed_are_on_its_page(site, status):
    text = page(site, URLS[status])
    assert [value for value in contacts(status) if value not in text] == []


# ---------------------------------------------------------------------------------------------------
# 同时入选

def test_an_organisation_in_two_schemes_links_from_each_page_to_the_other_with_its_status(site):
    yanxuan_page = article(site, URLS["valid"])
    afxh_page = article(site, "hubei-afxh/pg-youxiao/")
    assert re.search(r'同时入选：湖北省安全技术防范行业协会服务机构库 — <a href="../../hubei-afxh/pg-youxiao/">'
                     r'武汉鹏光有效数字科技有限公司</a> <span class="dir-badge dir-badge--valid">有效</span>', yanxuan_page)
    assert re.search(r'同时入选：湖北省中小企业公共服务严选服务机构 — <a href="../../hubei-sme-yanxuan/pg-youxiao/">'
                     r'武汉鹏光有效数字科技有限公司</a> <span class="dir-badge dir-badge--valid">有效</span>', afxh_page)


def test_a_page_of_an_organisation_in_one_scheme_only_names_no_other(site):
    assert "同时入选" not in article(site, URLS["revoked"])


def test_the_sample_data_has_an_organisation_in_two_schemes(site):
    assert 'href="../../hubei-sme-yanxuan/wh-anxin-caishui/"' in article(site, "hubei-afxh/wh-anxin-caishui/")


# ---------------------------------------------------------------------------------------------------
# QR codes

def svg_modules(svg: str) -> list[list[bool]]:
    """The dark modules segno's SVG draws: a light square (its size in modules), then a stroke
    path of `h` runs, one row per y."""
    size = int(re.search(r'<path fill="[^"]+" d="M0 0h(\d+)v', svg)[1])
    path = re.search(r'<path[^>]*stroke="[^"]+"[^>]*d="([^"]+)"|<path[^>]*d="([^"]+)"[^>]*stroke=', svg)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHhVv])([^MmHhVvz]*)", path[1] or path[2]):
        values = [float(n) for n in numbers.replace(",", " ").split()]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        elif command in "Hh":
            end = values[0] if command == "H" else x + values[0]
            for column in range(int(x), int(end)):
                grid[int(y)][column] = True
            x = end
    return grid


def decode(grid: list[list[bool]], scale: int = 4) -> list[str]:
    """What zxing-cpp reads from the modules drawn black on white, `scale` pixels each."""
    pixels = bytes(0 if grid[row // scale][column // scale] else 255
                   for row in range(len(grid) * scale) for column in range(len(grid[0]) * scale))
    image = memoryview(pixels).cast("B", (len(grid) * scale, len(grid[0]) * scale))
    return [code.text for code in zxingcpp.read_barcodes(image)]


def png_pixels(data: bytes) -> list[list[bool]]:
    """Dark pixels of a 1-bit greyscale or palette PNG (what segno writes), read with zlib."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, b"")
        chunks[kind] += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 1 and colour in (0, 3) and b"IEND" in chunks
    dark_index = 0
    if colour == 3:   # palette: the darker of the two entries
        palette = chunks[b"PLTE"]
        dark_index = min(range(len(palette) // 3), key=lambda i: sum(palette[3 * i:3 * i + 3]))
    raw, stride, rows, previous = zlib.decompress(chunks[b"IDAT"]), (width + 7) // 8, [], bytes((width + 7) // 8)
    for row in range(height):
        line = raw[row * (stride + 1):(row + 1) * (stride + 1)]
        kind, line = line[0], bytearray(line[1:])
        for i in range(stride):   # PNG filters with 1 byte per pixel group
            left, up, corner = (line[i - 1] if i else 0), previous[i], (previous[i - 1] if i else 0)
            predictor = {0: 0, 1: left, 2: up, 3: (left + up) // 2,
                         4: min((left, up, corner), key=lambda p: (abs(left + up - corner - p), (left, up, corner).index(p)))}[kind]
            line[i] = (line[i] + predictor) & 0xFF
        previous = bytes(line)
        bits = [(line[c // 8] >> (7 - c % 8)) & 1 for c in range(width)]
        rows.append([bit == dark_index if colour == 3 else bit == 0 for bit in bits])
    return rows


@pytest.mark.parametrize("url", [URLS["valid"], URLS["revoked"], "jilin-city-sme/experts/sun-hongmei/"])
def test_the_qr_code_on_a_page_reads_as_the_page_s_canonical_address(site, url):
    svg = re.search(r'<svg[^>]*class="dir-qr__code".*?</svg>', article(site, url), re.S)[0]
    assert decode(svg_modules(svg)) == [SITE_URL + url]
    assert "扫码核验本页" in article(site, url)


@pytest.mark.parametrize("url", [URLS["valid"], "jilin-city-sme/experts/sun-hongmei/"])
def test_the_downloadable_svg_and_png_read_as_the_page_s_address_and_are_linked_from_the_page(site, url):
    svg = (site / url / "qr.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert decode(svg_modules(svg)) == [SITE_URL + url]
    assert decode(png_pixels((site / url / "qr.png").read_bytes()), scale=1) == [SITE_URL + url]
    root, content = "../" * url.count("/"), article(site, url)
    assert f'href="{root}{url}qr.svg" download>下载二维码（SVG）' in content
    assert f'href="{root}{url}qr.png" download>下载二维码（PNG）' in content


@pytest.mark.parametrize("url, query", [
    (URLS["valid"], credit_code("91420111MA4PGQ001")),
    ("jilin-city-sme/experts/sun-hongmei/", quote("孙红梅")),
])
def test_each_page_links_to_its_verify_page_by_credit_code_or_expert_name(site, url, query):
    root = "../" * url.count("/")
    assert f'href="{root}verify/?q={query}"' in article(site, url)


def test_without_a_site_url_there_is_no_qr_code(tmp_path):
    site = build_sample_site(tmp_path / "root", {"mkdocs.yml": "site_name: 服务机构库\n"})
    content = article(site, "hunan-sme-hexin/cs-zhiyuan/")
    assert "<svg" not in content and "扫码核验本页" not in content
    assert not (site / "hunan-sme-hexin/cs-zhiyuan/qr.svg").exists()
    assert 'verify/?q=' in content


# ---------------------------------------------------------------------------------------------------
# 最后更新

def git(root: Path, *args: str, day: str = "") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T10:00:00+08:00", "GIT_COMMITTER_DATE": f"{day}T10:00:00+08:00"}
    subprocess.run(["git", "-C", str(root), "-c", "user.name=测试", "-c", "user.email=test@example.cn",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def git_site(tmp_path_factory) -> Path:
    """The sample data committed on 2026-10-02, one record changed on 2026-11-05, one never committed."""
    root = tmp_path_factory.mktemp("entry-page-git") / "root"
    root.mkdir()
    for name in COPIED:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, root / name)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "sample", day="2026-10-02")
    changed = root / "providers/hunan-sme-hexin/cs-zhiyuan.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("profile: ", "profile: 更新后的简介。", 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "change", day="2026-11-05")
    (root / PATHS["valid"]).write_text(RECORDS["valid"], encoding="utf-8")
    result = build_site(root, TODAY, load_calendar(root))
    assert result.ok, result.findings
    return result.site_dir


@pytest.mark.parametrize("url, line", [
    ("hunan-sme-hexin/cs-zhiyuan/", "最后更新 2026年11月5日"),
    ("hunan-sme-hexin/xt-xiangrong/", "最后更新 2026年10月2日"),
])
def test_in_a_git_checkout_a_page_shows_the_date_of_its_record_s_last_commit(git_site, url, line):
    assert line in text_of(article(git_site, url))


def test_a_record_never_committed_shows_no_last_update(git_site):
    assert "最后更新" not in article(git_site, URLS["valid"])


def test_outside_a_git_checkout_no_page_shows_a_last_update(site):
    assert "最后更新" not in article(site, "hunan-sme-hexin/cs-zhiyuan/")


def test_the_open_data_has_the_last_update_as_its_last_column(git_site, site):
    for built, expected in ((git_site, "2026-11-05"), (site, "")):
        lines = (built / "data/providers.csv").read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].endswith(",页面,最后更新,状态日期")
        row = next(line for line in lines if ",cs-zhiyuan," in line)
        assert row.endswith(f"hunan-sme-hexin/cs-zhiyuan/,{expected},{TODAY}")


def test_last_commit_dates_come_from_one_log_and_leave_out_what_git_cannot_tell(tmp_path):
    assert last_commit_dates(tmp_path) == {}
    (tmp_path / "providers/a").mkdir(parents=True)
    for name in ("one", "two"):
        (tmp_path / f"providers/a/{name}.yaml").write_text(name, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "providers/a/one.yaml", "providers/a/two.yaml")
    git(tmp_path, "commit", "-q", "-m", "first", day="2026-01-02")
    (tmp_path / "providers/a/two.yaml").write_text("changed", encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "second", day="2026-03-04")
    (tmp_path / "providers/a/three.yaml").write_text("new", encoding="utf-8")
    assert last_commit_dates(tmp_path) == {"providers/a/one.yaml": "2026-01-02", "providers/a/two.yaml": "2026-03-04"}


def test_a_shallow_clone_dates_only_the_files_changed_after_its_cut_off(tmp_path):
    source = tmp_path / "source"
    (source / "providers").mkdir(parents=True)
    git(source, "init", "-q")
    for name, day in (("old", "2025-01-02"), ("middle", "2025-06-01"), ("new", "2026-03-04")):
        (source / f"providers/{name}.yaml").write_text(name, encoding="utf-8")
        git(source, "add", ".")
        git(source, "commit", "-q", "-m", name, day=day)
    # depth 2: the history starts at "middle", which seems to add every file older than it
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{source}", str(tmp_path / "clone")], check=True)
    assert last_commit_dates(tmp_path / "clone") == {"providers/new.yaml": "2026-03-04"}


# ---------------------------------------------------------------------------------------------------
# On a 375 px phone (chromium)

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")


@pytest.fixture(scope="module")
def phone_page(site):
    with serving(site) as base_url, chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 375, "height": 740}, service_workers="block")
        tab = context.new_page()

        def open_page(url: str):
            tab.goto(f"{base_url}/{url}", wait_until="load")
            return tab
        yield open_page
        context.close()


@needs_chromium
@pytest.mark.parametrize("url", [URLS["valid"], URLS["revoked"], "hunan-sme-hexin/xt-xiangrong/"])
def test_on_a_phone_the_status_the_validity_and_the_scheme_are_above_the_fold(phone_page, url):
    tab = phone_page(url)
    for what, selector in (("status", "article.dir-entry .dir-badge"), ("validity", "article.dir-entry .dir-facts span"),
                           ("scheme", "article.dir-entry .dir-muted a")):
        box = tab.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 740, f"{what} of {url} is below the fold: {box}"


@needs_chromium
def test_on_a_phone_the_qr_code_is_at_least_160_css_pixels_wide(phone_page):
    box = phone_page(URLS["valid"]).locator("article.dir-entry svg.dir-qr__code").bounding_box()
    assert box is not None and box["width"] >= 160 and box["height"] >= 160


# ---------------------------------------------------------------------------------------------------
# The QR cache (.cache/directory/qr/)

def test_a_cached_qr_code_gives_the_same_files_as_a_new_one(tmp_path):
    made = QRCodes(SITE_URL).page("a/b/", tmp_path / "new")
    first = QRCodes(SITE_URL, tmp_path).page("a/b/", tmp_path / "first")
    again = QRCodes(SITE_URL, tmp_path).page("a/b/", tmp_path / "again")
    assert (tmp_path / ".cache/directory/qr/a/b/key").exists()
    assert made == first == again
    for name in ("qr.svg", "qr.png"):
        assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "first" / name).read_bytes() \
            == (tmp_path / "again" / name).read_bytes()


@pytest.mark.parametrize("damage", ["other site", "broken inline", "missing png"])
def test_a_cached_qr_code_that_no_longer_fits_is_made_again(tmp_path, damage):
    expected = QRCodes(SITE_URL).page("a/b/", tmp_path / "new")
    cache = tmp_path / ".cache/directory/qr/a/b"
    QRCodes("https://other.example.cn/" if damage == "other site" else SITE_URL, tmp_path).page("a/b/", tmp_path / "x")
    if damage == "broken inline":
        (cache / "inline.svg").write_text('<svg onload="alert(1)"></svg>', encoding="ascii")
    elif damage == "missing png":
        (cache / "qr.png").unlink()
    assert QRCodes(SITE_URL, tmp_path).page("a/b/", tmp_path / "page") == expected
    assert (tmp_path / "page/qr.png").read_bytes() == (tmp_path / "new/qr.png").read_bytes()


def test_a_placed_qr_file_keeps_its_bytes_when_the_cache_is_made_again(tmp_path):
    QRCodes(SITE_URL, tmp_path).place("a/b/", tmp_path / "site")
    before = {name: (tmp_path / "site" / name).read_bytes() for name in ("qr.svg", "qr.png")}
    QRCodes("https://other.example.cn/", tmp_path).page("a/b/")   # the cache, for another address
    assert {name: (tmp_path / "site" / name).read_bytes() for name in ("qr.svg", "qr.png")} == before
    assert decode(png_pixels(before["qr.png"]), scale=1) == [SITE_URL + "a/b/"]


def test_a_qr_cache_made_on_another_machine_is_never_served(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    QRCodes(SITE_URL, tmp_path).page("a/b/")
    cache = tmp_path / ".cache/directory/qr/a/b"
    forged = QRCodes("https://phishing.example.com/", tmp_path / "forger").page("x/", tmp_path / "forged")
    (cache / "qr.png").write_bytes((tmp_path / "forged/qr.png").read_bytes())   # committed in a pull request
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "this-machine"))
    QRCodes(SITE_URL, tmp_path).place("a/b/", tmp_path / "site")
    assert forged is not None
    assert decode(png_pixels((tmp_path / "site/qr.png").read_bytes()), scale=1) == [SITE_URL + "a/b/"]


def sitemap_lastmod(built: Path) -> dict[str, str]:
    xml = (built / "sitemap.xml").read_text(encoding="utf-8")
    return dict(re.findall(r"<loc>https?://[^/<]+/([^<]*)</loc>\s*<lastmod>([0-9-]+)</lastmod>", xml))


def test_the_sitemap_dates_a_record_page_by_its_last_commit_and_other_pages_by_the_build(git_site):
    lastmod = sitemap_lastmod(git_site)
    assert lastmod["hunan-sme-hexin/cs-zhiyuan/"] == "2026-11-05"
    assert lastmod["hunan-sme-hexin/xt-xiangrong/"] == "2026-10-02"
    assert lastmod[URLS["valid"]] == TODAY.isoformat()          # never committed: the build's day
    assert lastmod["notices/"] == TODAY.isoformat()
