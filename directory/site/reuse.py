"""Incremental builds: a page whose inputs are as in the previous build keeps the previous HTML.

mkdocs renders every page on every build; with ten thousand record pages that is most of a
rebuild after one record was edited. Our render stage writes each page's Markdown (front matter
included) from the records, so that Markdown, together with the site-wide inputs (mkdocs
configuration and nav, theme and its version, the template overrides, the build date), is
everything mkdocs makes the page from: record pages are not in the nav, so no page's HTML depends
on another page's content.

A manifest in `.cache/directory/pages.json` records, for each page of the site now in site/, the
hash of its Markdown and of the HTML mkdocs wrote. In the next build, a page whose Markdown hash
and site-wide key are unchanged, and whose HTML in site/ still has the recorded hash, is not
converted or templated again: `PageReuse`, an mkdocs plugin, hands mkdocs the previous HTML. The
HTML check makes a stale manifest harmless (a build killed after the swap, a site edited by hand):
a page is reused only when its bytes are known to be what this build would write.

Shards (a national directory, one CI job per scheme): `directory build --shard S` renders the whole
library's Markdown as usual but lets mkdocs write only the pages under `S/` (every page stays in
mkdocs' file list, so navigation and links come out exactly as in a full build), into a folder with
its own manifest. A final `directory build --from-shards DIR...` then takes those pages' HTML from
the shard folders by the same checks, and writes the rest: home, lists, search, open data.

Memory (issue 15: ≤ 3 GB at 100,000 records): mkdocs reads and converts every page before it writes
the first, so it would hold all pages' Markdown and HTML at once. `PageReuse` therefore keeps no page's
text longer than that page needs: a reused page's previous HTML is read again only when the page is
written; a page outside the navigation (records, lists: no other page shows its title, contents or
table of contents) is read and converted just before its template is rendered, and its text is let go
once it is written. The conversion is the same as in mkdocs' order (our HTML bodies are taken as
they are: site/html_pages.py), with the same inputs, so the HTML is the same. A reused page's file
is linked from the previous site, not written again.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page
from mkdocs.structure.pages import log as pages_log

from directory.library.repository import machine_secret
from directory.site.html_pages import as_html
from directory.site.links import link

MANIFEST = Path(".cache") / "directory" / "pages.json"
SHARD_MANIFEST = ".directory-pages.json"          # in a shard's output folder
REUSED_TEMPLATE = "directory-reused-page.html"   # empty: the HTML comes from the previous build


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def site_key(config: dict, overrides: Path | None, today: str) -> str:
    """What every page's HTML depends on besides its own Markdown."""
    import material
    import mkdocs

    parts = [json.dumps(config, sort_keys=True, ensure_ascii=False, default=str), mkdocs.__version__,
             getattr(material, "__version__", ""), today]
    if overrides is not None and overrides.is_dir():
        for path in sorted(p for p in overrides.rglob("*") if p.is_file()):
            parts += [path.relative_to(overrides).as_posix(), _digest(path.read_bytes())]
    return _digest("\0".join(parts).encode("utf-8"))


@dataclass
class Manifest:
    """The pages of one built site: source path -> (Markdown hash, HTML hash, output path)."""

    site_key: str = ""
    pages: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, signed: bool = True) -> "Manifest":
        """`signed`: the site's own manifest, which counts only with this machine's signature; a
        shard's (made by another CI job) is taken as it is."""
        try:
            text = path.read_text(encoding="utf-8")
            content = read_signed(text) if signed else json.loads(text)
            pages = {str(k): [str(x) for x in v] for k, v in content["pages"].items() if len(v) == 3}
            return cls(str(content["site_key"]), pages)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()   # none yet, unreadable or not ours: build everything

    def write(self, path: Path, signed: bool = True) -> None:
        content = {"site_key": self.site_key, "pages": self.pages}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_text(write_signed(content) if signed else json.dumps(content, sort_keys=True),
                                 encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass   # without a manifest the next build renders every page: slower, never wrong


def write_signed(content: dict) -> str:
    """JSON with this machine's signature on its first line (OSError: no secret to sign with)."""
    body = json.dumps(content, sort_keys=True)
    return _signature(body) + "\n" + body


def read_signed(text: str) -> dict:
    """What write_signed wrote here; ValueError for anything else (copied, committed, edited)."""
    signature, _, body = text.partition("\n")
    if not hmac.compare_digest(signature, _signature(body)):
        raise ValueError("not signed here")
    return json.loads(body)


def _signature(body: str) -> str:
    return hashlib.blake2b(body.encode("utf-8"), key=machine_secret().encode("ascii")).hexdigest()


def _markdown_key(page) -> str:
    meta = json.dumps(page.meta, sort_keys=True, ensure_ascii=False, default=str)
    return _digest(f"{meta}\0{page.markdown}".encode("utf-8"))


class ChangedDuringBuild(Exception):
    """A previous page's HTML changed between the check and the copy (edited during the build)."""


# Page events that see a page's Markdown or HTML: deferring the conversion is safe only when no
# other plugin or hook of mkdocs.yml handles them.
_TEXT_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content")


def _no_render(page: Page) -> None:
    page.render = lambda *args, **kwargs: setattr(page, "content", "")


class PageReuse(BasePlugin):
    """Hands mkdocs the previous HTML of each unchanged page, and records the new manifest.

    `sources`: (manifest, the folder its HTML is in) — the previous site, or shard folders.
    `only`: a shard's scheme id; pages outside `<only>/` are neither rendered nor written.
    `defer`: convert pages outside the navigation just before writing them (see the module's
    docstring); False gives mkdocs' own order, for the test that both write the same site.
    `html_bodies`: a page's body is its HTML, not converted as Markdown (site/html_pages.py);
    False converts it as mkdocs does, for a plain mkdocs build.
    """

    def __init__(self, sources: list[tuple[Manifest, Path]], site_key: str, only: str | None = None,
                 defer: bool = True, html_bodies: bool = True):
        super().__init__()
        self.sources = [(manifest.pages, folder) for manifest, folder in sources if manifest.site_key == site_key]
        self.only = only
        self.defer = defer
        self.html_bodies = html_bodies
        self.manifest = Manifest(site_key)
        self.reused: dict[str, tuple[Path, str]] = {}   # source path -> (the previous HTML file, its hash)
        self.skipped: set[str] = set()      # outside the shard
        self.deferred: set[str] = set()     # converted in on_page_context, not before
        self.in_nav: set[str] = set()
        self.files = None                   # mkdocs' file list, for the deferred conversions
        self.markdown_keys: dict[str, str] = {}

    def on_env(self, env, config, files):
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({REUSED_TEMPLATE: ""}), env.loader])
        return env

    def on_files(self, files, config):
        if self.only is None:
            return files
        # a shard copies only its own static files (QR codes); pages all stay, for the navigation
        for file in [f for f in files if not f.is_documentation_page() and not self._in_shard(f.src_uri)]:
            files.remove(file)
        return files

    def on_nav(self, nav, config, files):
        # nav pages' titles and contents show on other pages: those pages are converted up front
        self.in_nav = {page.file.src_uri for page in nav.pages}
        others = [method for event in _TEXT_EVENTS for method in config.plugins.events[event]
                  if getattr(method, "__self__", None) is not self]
        self.defer = self.defer and not others
        return nav

    def _in_shard(self, source: str) -> bool:
        return self.only is None or source.startswith(f"{self.only}/")

    def _previous_html(self, source: str, key: str, destination: str) -> tuple[Path, str] | None:
        """The previous build's HTML file for this page and its hash, if its bytes are as recorded."""
        for pages, folder in self.sources:
            recorded = pages.get(source)
            if not recorded or recorded[0] != key or recorded[2] != destination:
                continue
            try:
                html = (folder / destination).read_bytes()
            except OSError:
                continue
            if _digest(html) == recorded[1]:
                return folder / destination, recorded[1]
        return None

    def on_page_markdown(self, markdown, page, config, files):
        source = page.file.src_uri
        key = self.markdown_keys[source] = _markdown_key(page)
        if not self._in_shard(source):
            self.skipped.add(source)
        elif (previous := self._previous_html(source, key, page.file.dest_uri)) is not None:
            self.reused[source] = previous
        elif self.defer and source not in self.in_nav:
            self.deferred.add(source)
            self.files = files
            _no_render(page)
            return ""          # read again in on_page_context
        else:
            if self.html_bodies:
                page.render = lambda *args, **kwargs: as_html(page)
            return markdown
        page.meta["template"] = REUSED_TEMPLATE
        _no_render(page)       # no conversion: the HTML is known
        return ""

    def on_page_context(self, context, page, config, nav):
        if page.file.src_uri in self.deferred:
            del page.render                  # mkdocs' own conversion again
            page.read_source(config)         # the same file and front matter as in the first pass
            if self.html_bodies:
                as_html(page)
            else:
                page.render(config, self.files)
        return context

    def on_post_page(self, output, page, config):
        source = page.file.src_uri
        if source in self.skipped:
            return ""      # mkdocs writes no file for an empty page
        if source in self.reused:
            path, digest = self.reused[source]
            html = path.read_bytes()
            if _digest(html) != digest:
                raise ChangedDuringBuild(f"上一次生成的网页 {path} 在生成过程中被改动，请重新运行 directory build")
            output = html.decode("utf-8")
            if link(path, Path(page.file.abs_dest_path)):   # linked, not written again (site/links.py)
                self.manifest.pages[source] = [self.markdown_keys.get(source, ""), digest, page.file.dest_uri]
                return ""   # written: mkdocs writes nothing for an empty page
        else:
            html = output.encode("utf-8", errors="xmlcharrefreplace")   # as mkdocs writes it
        self.manifest.pages[source] = [self.markdown_keys.get(source, ""), _digest(html), page.file.dest_uri]
        if source in self.deferred:
            self._let_go(page, config)
        return output

    @staticmethod
    def _let_go(page: Page, config) -> None:
        """Drop a written page's text; what mkdocs still asks of it afterwards stays."""
        page.title = page.title      # computed from the text: fixed before the text goes
        page.markdown, page.content, page.toc = "", "", []
        # the anchor check after the last page needs every page's anchors, unless its messages go nowhere
        if not pages_log.isEnabledFor(config.validation.links.anchors):
            page.present_anchor_ids = None
