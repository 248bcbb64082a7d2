"""Render the catalogue into Markdown pages (mkdocs' input) with the jinja2 templates in templates/.

Pages are Markdown files whose bodies are HTML blocks: jinja2 escapes every value (autoescape), and
Python-Markdown leaves raw HTML blocks alone, so a `<script>` or `**bold**` in a profile shows as
text. Links are relative (`root` is the way back to the site root from each page).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from directory.library.repository import parallel_map
from directory.rules.fields import fields_of
from directory.site.catalogue import Catalogue, Entry
from directory.site.search import KEYS_FOLDER, LIST_PAGE, LISTS_FOLDER, SearchIndex
from directory.site.entry_page import as_shown, cn_date, page_extras, siblings_of
from directory.site.notice_text import notice_text
from directory.site.opendata import OpenData
from directory.site.qr import QRCodes
from directory.lifecycle.derive import STATUS_LABELS

# The templates shipped beside the package, for a library that has no templates/ of its own.
PACKAGE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Shown elsewhere on the page (heading, links, sections) or not at all.
NOT_IN_FIELD_LIST = {"id", "scheme", "name", "website", "profile", "services", "recognition"}


@dataclass(frozen=True)
class Page:
    path: str           # relative to docs/, e.g. hunan-sme-hexin/cs-zhiyuan.md
    url: str            # site-relative, e.g. hunan-sme-hexin/cs-zhiyuan/


@dataclass(frozen=True)
class Link:
    name: str
    url: str
    count: int


def page_environment(templates_dir: Path) -> Environment:
    """jinja2 for page templates: every value escaped; `title_text` for front-matter titles."""
    env = Environment(loader=FileSystemLoader(str(templates_dir / "pages")), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined)
    # Titles go to mkdocs' front matter, which the theme prints unescaped: no markup characters.
    env.filters["title_text"] = lambda text: str(text).translate(str.maketrans("<>&\"'", "＜＞＆＂＇"))
    env.filters["cn_date"] = cn_date   # 2026年3月5日
    return env


def render_pages(catalogue: Catalogue, schemas, templates_dir: Path, docs_dir: Path, site_name: str,
                 data_files: OpenData, search_index: SearchIndex, qr_codes: QRCodes | None = None) -> list[Page]:
    env = page_environment(templates_dir)
    pages: list[Page] = []
    templates = {name: env.get_template(name) for name in env.list_templates() if name.endswith(".md.j2")}

    def page(path: str, template: str, **context) -> Page:
        url = path[: -len("index.md")] if path.endswith("index.md") else path[: -len(".md")] + "/"
        root = "../" * url.count("/")
        text = templates[template].render(root=root, today=catalogue.today, site_name=site_name, **context)
        target = docs_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return Page(path, url)

    def write(path: str, template: str, **context) -> None:
        pages.append(page(path, template, **context))

    counts = {scheme.id: Counter(e.status for e in catalogue.of_scheme(scheme.id)) for scheme in catalogue.schemes}
    active = [n for n in catalogue.notices if n.active]
    write("index.md", "home.md.j2", catalogue=catalogue, counts=counts, status_labels=STATUS_LABELS,
          active_notices=active)
    write("search.md", "search.md.j2", search=search_index, keys_folder=KEYS_FOLDER, lists_folder=LISTS_FOLDER,
          list_page=LIST_PAGE, catalogue=catalogue)
    write("data.md", "data.md.j2", data=data_files)
    write("verify.md", "verify.md.j2")
    write("notices/index.md", "notices.md.j2", active=active,
          archive=sorted((n for n in catalogue.notices if not n.active), key=lambda n: str(n.start), reverse=True))
    write("notices/revocations.md", "revocations.md.j2", entries=catalogue.revoked)
    for notice in catalogue.notices:
        text = notice_text(notice)
        write(f"notices/{notice.scheme.id}--{notice.batch_id}.md", "notice.md.j2", notice=notice, text=text,
              rows=list(zip(text.rows, notice.entries)))

    siblings = siblings_of(catalogue.entries)
    qr_codes = qr_codes or QRCodes("")   # no site_url: no QR codes
    for scheme in catalogue.schemes:
        entries = catalogue.of_scheme(scheme.id)
        vocabulary = scheme.vocabulary("category")
        category_links = []
        for number, category in enumerate(vocabulary, start=1):
            members = [e for e in entries if category in e.categories]
            if not members:   # no empty pages: a category gets one when a record has it (its number is kept)
                continue
            url = f"{scheme.id}/categories/c{number}/"
            category_links.append(Link(category, url, len(members)))
            write(f"{scheme.id}/categories/c{number}.md", "listing.md.j2", scheme=scheme,
                  heading=f"{scheme.short_title} · {category}", entries=members)
        region_links = []
        for code in sorted({e.region.code for e in entries if e.region}):
            members = [e for e in entries if e.region and e.region.code == code]
            region_links.append(Link(members[0].region.full_name, f"{scheme.id}/regions/{code}/", len(members)))
            write(f"{scheme.id}/regions/{code}.md", "listing.md.j2", scheme=scheme,
                  heading=f"{scheme.short_title} · {members[0].region.full_name}", entries=members)
        write(f"{scheme.id}/index.md", "scheme.md.j2", scheme=scheme,
              conditions=[c for kind in scheme.conditions for c in scheme.conditions[kind]],
              category_title=scheme.vocabularies.get("category", {}).get("title", "类别"),
              categories=category_links, region_pages=region_links,
              providers=[e for e in entries if e.kind == "provider"],
              experts=[e for e in entries if e.kind == "expert"])

    # The record pages, most of the site, on every core (each page and its QR code on its own).
    field_lists = {key: fields_of(validator.schema) for key, validator in schemas.validators.items()}

    def entry_page(entry: Entry) -> Page:
        entry = as_shown(entry)
        return page(entry.url.rstrip("/") + ".md", "entry.md.j2", entry=entry, public=entry.public,
                    fields=_fields(entry, field_lists.get((entry.scheme.id, entry.kind), ())),
                    **page_extras(entry, siblings, qr_codes))

    return pages + parallel_map(entry_page, record_entries(catalogue), "生成机构页面")


def record_entries(catalogue: Catalogue) -> list[Entry]:
    """The providers and experts that have a page, scheme by scheme."""
    return [entry for scheme in catalogue.schemes for entry in catalogue.of_scheme(scheme.id)]


def _fields(entry: Entry, schema_fields) -> list[tuple[str, str]]:
    """(label, text) of the public fields in schema order; labels are the schema's titles."""
    fields = []
    for field in schema_fields:
        if field.key in NOT_IN_FIELD_LIST or field.key not in entry.public:
            continue
        value = entry.public[field.key]
        if field.key == "region":
            fields.append((field.title, f"{entry.region.full_name}（{value}）" if entry.region else str(value)))
        elif field.key == "term":
            end = entry.life.validity.until if entry.life.validity else None
            fields.append((field.title, f"{value.get('start', '')} 至 {end or value.get('end', '')}"))
        elif isinstance(value, dict):
            for sub_key, sub_value in value.items():
                child = field.child(sub_key)
                fields.append((child.title if child else sub_key, str(sub_value)))
        elif isinstance(value, list):
            fields.append((field.title, "、".join(str(item) for item in value)))
        elif isinstance(value, bool):
            fields.append((field.title, "是" if value else "否"))
        else:
            fields.append((field.title, str(value)))
    recognition = entry.public.get("recognition", {})
    if recognition.get("batch"):
        fields.append(("认定批次", str(recognition["batch"])))
    inclusion = recognition.get("direct_inclusion")
    if isinstance(inclusion, dict) and inclusion.get("title"):
        fields.append(("纳入方式", f"直接纳入：{inclusion['title']}"))
    if recognition.get("certificate_no"):
        fields.append(("证书编号", str(recognition["certificate_no"])))
    life = entry.life
    if life.validity and entry.kind == "provider" and "term" not in entry.public:
        until = life.validity.until
        fields.append(("有效期", f"{life.validity.start} 至 {until}" if until else f"{life.validity.start} 起长期有效"))
    return fields
