"""`directory build`: the validated repository -> the public site in site/.

Stages, top to bottom: lock -> validate -> derive (catalogue) -> render pages and open data -> mkdocs ->
pagefind -> swap. Everything is written into a fresh folder beside site/; only when every stage
has succeeded does it replace site/, in one atomic exchange, so at every instant site/ is a complete
site, old or new, even if the build is killed. One build runs at a time (a lock file beside site/),
and each build first removes what killed builds left behind.
"""
from __future__ import annotations

import ctypes
import errno
import io
import logging
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import yaml
from filelock import FileLock, Timeout
from jinja2 import TemplateError

from directory.site.catalogue import build_catalogue
from directory.findings import Finding
from directory import progress
from directory.site.form import render_apply_pages
from directory.site.feeds import write_feeds
from directory.site.opendata import data_licence, write_open_data
from directory.site.qr import QRCodes
from directory.site.reuse import MANIFEST, SHARD_MANIFEST, Manifest, PageReuse, read_signed, site_key, write_signed
from directory.site.verify import write_verify_data
from directory.site.render import PACKAGE_TEMPLATES, record_entries, render_pages
from directory.site.search import build_search_index, write_search_index
from directory.library.repository import load_repository
from directory.checks.validate import validate_repository
from directory.rules.calendar import WorkCalendar



class BuildError(Exception):
    """A stage failed after validation passed (mkdocs.yml, a template, mkdocs or pagefind);
    site/ was not touched."""


class BuildBusy(Exception):
    """Another `directory build` holds the lock beside site/; nothing was touched."""


# What the search bundles in site/ were indexed from (site/search.py: write_search_index).
SEARCH_MANIFEST = Path(".cache") / "directory" / "search.json"

# the stages timed in BuildResult.timings, in order, as staff see them (progress bar, summary line)
STAGE_TITLES = {"validate": "校验数据", "render": "生成页面", "mkdocs": "mkdocs 生成网页",
                "pagefind": "pagefind 建立搜索索引", "swap": "替换 site/", "cleanup": "删除旧网站与临时文件"}


@dataclass
class BuildResult:
    findings: list[Finding]
    site_dir: Path | None = None
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)   # stage -> seconds
    reused: int = 0             # pages whose HTML was kept from the previous build (site/reuse.py)

    @property
    def ok(self) -> bool:
        return self.site_dir is not None


def build_site(root: Path, today: date, calendar: WorkCalendar, site_dir: Path | None = None,
               keep_docs: Path | None = None, shard: str | None = None,
               from_shards: tuple[Path, ...] = ()) -> BuildResult:
    """Build the site; `keep_docs` (for the benchmark) receives the generated Markdown pages.

    `shard`: write only that scheme's pages (and no search index) into `site_dir`, with their
    manifest, for a final build `from_shards` those folders to take them from (site/reuse.py)."""
    root = root.resolve()
    site_dir = (site_dir or root / "site").resolve()
    if shard is not None and not (root / "schemes" / shard / "scheme.yaml").is_file():
        raise BuildError(f"没有名录 {shard}（schemes/{shard}/scheme.yaml 不存在）")
    # 0. lock: one build at a time; under the lock, what killed builds left behind is no one's.
    with _lock(site_dir), progress.stages("生成网站", STAGE_TITLES) as stages:
        _remove_leftovers(site_dir)
        return _build_locked(root, today, calendar, site_dir, keep_docs, stages, shard,
                             tuple(Path(folder).resolve() for folder in from_shards))


def _build_locked(root: Path, today: date, calendar: WorkCalendar, site_dir: Path, keep_docs: Path | None,
                  stages: progress.Stages, shard: str | None, from_shards: tuple[Path, ...]) -> BuildResult:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        stages.done(stage)

    # 1. validate: the same checks and messages as `directory validate`; any error stops here.
    repository = load_repository(root)
    findings = validate_repository(repository, today, calendar)
    if any(f.severity == "error" for f in findings):
        return BuildResult(findings, timings=timings)
    schemas, _ = repository.compiled_schemas()   # compiled once, by validate
    lap("validate")

    # 2. derive: what the public sees, with statuses for `today`.
    catalogue = build_catalogue(repository, schemas, calendar, today)
    search_index = build_search_index(catalogue)

    work = Path(tempfile.mkdtemp(prefix=_work_prefix(site_dir), dir=site_dir.parent))
    try:
        # 3. render: Markdown pages, assets and open data into a fresh docs folder.
        docs = work / "docs"
        templates = root / "templates" if (root / "templates" / "pages").is_dir() else PACKAGE_TEMPLATES
        config = _mkdocs_config(root)
        data_files = write_open_data(catalogue, docs / "data", schemas, data_licence(config),
                                     root / ".cache" / "directory" / "xlsx")
        write_feeds(catalogue, docs / "feeds", config.get("site_name", "服务机构库"), config.get("site_url"))
        write_verify_data(catalogue, repository, calendar, docs / "verify" / "data")
        qr_codes = QRCodes(str(config.get("site_url") or ""), root)
        try:
            pages = render_pages(catalogue, schemas, templates, docs, config.get("site_name", "服务机构库"), data_files,
                                 search_index, qr_codes=qr_codes)
            pages += render_apply_pages(catalogue, schemas, templates, docs, config.get("site_name", "服务机构库"))
        except TemplateError as error:
            where = f"{getattr(error, 'filename', '') or ''}:{getattr(error, 'lineno', '') or ''}"
            raise BuildError(f"网页模板出错（{where}）：{error}") from error
        shutil.copytree(templates / "assets", docs / "assets", dirs_exist_ok=True)
        (docs / "robots.txt").write_text(_robots(config.get("site_url")), encoding="utf-8")
        lap("render")

        # 4. mkdocs: the theme, navigation and HTML; unchanged pages keep the previous build's HTML.
        built = work / "site"
        sources = [(Manifest.read(root / MANIFEST), site_dir)]
        sources += [(Manifest.read(folder / SHARD_MANIFEST, signed=False), folder) for folder in from_shards]
        reuse = _run_mkdocs(root, config, catalogue.schemes, docs, built, today, templates, sources, shard)
        for entry in record_entries(catalogue):   # the QR files to print, beside each page
            if shard is None or entry.url.startswith(f"{shard}/"):
                qr_codes.place(entry.url, built / entry.url)
        lap("mkdocs")

        # 5. search: the key shards and the pagefind index of providers, experts and notices.
        if shard is None:
            search_manifest = _index_search(search_index, built, work / "search-documents", root, site_dir)
        else:   # a shard's pages and what a final build needs to take them
            reuse.manifest.write(built / SHARD_MANIFEST, signed=False)   # read by another job: no secret in common
        lap("pagefind")

        # 6. swap: the new site and the old one change places in one step; the old one goes with work/.
        try:
            _swap(built, site_dir)
        except OSError as error:
            raise BuildError(f"新网站无法替换 {site_dir}：{error.strerror or error}") from error
        lap("swap")
        if shard is None:   # after the swap: they describe the site now in site_dir
            reuse.manifest.write(root / MANIFEST)
            _write_search_manifest(root / SEARCH_MANIFEST, search_manifest)
        if keep_docs is not None:
            shutil.rmtree(keep_docs, ignore_errors=True)
            shutil.move(str(docs), str(keep_docs))
    finally:
        shutil.rmtree(work, ignore_errors=True)   # the old site (swapped in here) and the scratch files
    lap("cleanup")
    return BuildResult(findings, site_dir, len(pages), timings, len(reuse.reused))


def _write_search_manifest(path: Path, content: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_name(path.name + ".tmp").write_text(write_signed(content), encoding="utf-8")
        path.with_name(path.name + ".tmp").replace(path)
    except OSError:
        pass   # without it the next build indexes everything again: slower, never wrong


def _robots(site_url: str | None) -> str:
    """Every page may be indexed; the sitemap's full address where mkdocs.yml gives the site's."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def _mkdocs_config(root: Path) -> dict:
    path = root / "mkdocs.yml"
    if not path.exists():
        return {"site_name": "服务机构库"}
    from mkdocs.utils.yaml import get_yaml_loader

    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=get_yaml_loader()) or {}
    except yaml.YAMLError as error:
        raise BuildError(f"mkdocs.yml 无法读取：{error}") from error


def _run_mkdocs(root: Path, config: dict, schemes, docs: Path, built: Path, today: date,
                templates: Path | None = None, sources: list[tuple[Manifest, Path]] = (),
                only: str | None = None, html_pages: bool = True) -> PageReuse:
    """mkdocs with a small explicit nav: provider pages are reached through lists, not the sidebar.
    Pages unchanged since a build in `sources` keep its HTML; with `only`, mkdocs writes only that
    scheme's pages (site/reuse.py). `html_pages=False`: mkdocs converts the (HTML) bodies as
    Markdown, as a plain mkdocs build does (site/html_pages.py)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    nav = [{"首页": "index.md"}]
    nav += [{scheme.title: f"{scheme.id}/index.md"} for scheme in schemes]   # nav label = the page's title
    nav += [{"公示公告": "notices/index.md"}, {"撤销公告": "notices/revocations.md"},
            {"搜索": "search.md"}, {"开放数据": "data.md"}]
    nav.insert(nav.index({"搜索": "search.md"}) + 1, {"核验": "verify.md"})
    theme = dict(config.get("theme") or {"name": "material"})
    theme.setdefault("language", "zh")
    theme["font"] = False   # never Google Fonts
    if templates is not None and "custom_dir" not in theme and (templates / "overrides").is_dir():
        theme["custom_dir"] = str(templates / "overrides")   # the header's search box
    # SOURCE_DATE_EPOCH: the sitemap and any date mkdocs prints come from --today, not the clock,
    # so two builds on the same day give identical pages.
    epoch = int(datetime(today.year, today.month, today.day, tzinfo=timezone.utc).timestamp())
    previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        try:
            cfg = load_config(
                # no mkdocs.yml: the defaults of _mkdocs_config, not mkdocs's search for one in the current folder
                config_file=str(root / "mkdocs.yml") if (root / "mkdocs.yml").exists() else io.StringIO("site_name: 服务机构库"),
                docs_dir=str(docs), site_dir=str(built), nav=nav, theme=theme, plugins=[],
                extra_css=list(config.get("extra_css") or []) + ["assets/directory.css", "assets/verify.css"],
                strict=False,
            )
        except MkDocsException as error:   # mkdocs refuses the library's mkdocs.yml
            raise BuildError(f"mkdocs.yml 配置有误：{error}") from error
        settings = {"config": config, "nav": nav, "theme": theme, "extra_css": cfg["extra_css"]}
        overrides = Path(root, theme["custom_dir"]) if theme.get("custom_dir") else None
        reuse = PageReuse(list(sources), site_key(settings, overrides, str(today)), only, html_bodies=html_pages)
        cfg.plugins["directory-reuse"] = reuse
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        try:
            build(cfg)
        except Exception as error:  # noqa: BLE001 - raised inside mkdocs (theme, Markdown, a hook of mkdocs.yml)
            raise BuildError(f"mkdocs 生成失败：{error}") from error
    finally:
        if previous_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous_epoch
    return reuse


def _index_search(search_index, built: Path, scratch: Path, root: Path, site_dir: Path) -> dict:
    """The search files; a pagefind bundle whose documents are unchanged is taken from site_dir."""
    try:
        recorded = read_signed((root / SEARCH_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}   # none yet, unreadable or not ours: index every bundle
    try:
        return write_search_index(search_index, built, scratch, (recorded, site_dir))
    except (OSError, RuntimeError) as error:   # pagefind missing, killed or refusing
        raise BuildError(f"pagefind 建立索引失败：{error}") from error


@contextmanager
def _lock(site_dir: Path) -> Iterator[None]:
    """Hold the lock file beside site/ (released by the system if the build is killed); a second
    build gets BuildBusy at once, with the PID the holder wrote into the file."""
    path = site_dir.with_name(f".{site_dir.name}.lock")
    lock = FileLock(path, timeout=0, on_acquired=_write_pid)
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = path.read_text(encoding="ascii").strip()
        except (OSError, ValueError):   # gone or garbled: say it without the PID
            holder = ""
        pid = f"（PID {holder}）" if holder.isdigit() else ""
        raise BuildBusy(f"另一个 directory build 正在运行{pid}，请等它结束后再运行") from None
    try:
        yield
    finally:
        lock.release()


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode("ascii"))


def _work_prefix(site_dir: Path) -> str:
    return f".{site_dir.name}-build-"


def _aside(site_dir: Path) -> Path:
    """Where the fallback swap keeps the old site for an instant (see _swap)."""
    return site_dir.with_name(f".{site_dir.name}-previous")


def _remove_leftovers(site_dir: Path) -> None:
    """Remove the work folders of killed builds; if one was killed inside the fallback swap, or
    by the two-rename swap of older versions (site.old), put the old site back first."""
    for aside in (_aside(site_dir), site_dir.with_name(site_dir.name + ".old")):
        if aside.is_dir() and not site_dir.exists():
            os.replace(aside, site_dir)
        shutil.rmtree(aside, ignore_errors=True)
    for work in site_dir.parent.glob(_work_prefix(site_dir) + "*"):
        shutil.rmtree(work, ignore_errors=True)


def _swap(built: Path, site_dir: Path) -> None:
    """Put `built` at site_dir; at no instant is there no site_dir (except in the fallback)."""
    if not site_dir.exists():
        os.replace(built, site_dir)   # the first build: one rename, atomic
    elif not _exchange(built, site_dir):
        # No atomic exchange here (not Linux, or a filesystem such as NFS): two renames. A build
        # killed between them leaves the old site in the aside folder, and the next build puts it back.
        aside = _aside(site_dir)
        os.replace(site_dir, aside)
        os.replace(built, site_dir)
        shutil.rmtree(aside, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step with Linux renameat2(RENAME_EXCHANGE); False where
    the C library, the kernel or the filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:   # glibc before 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
