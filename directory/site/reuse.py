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
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from mkdocs.plugins import BasePlugin

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
    def read(cls, path: Path) -> "Manifest":
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            pages = {str(k): [str(x) for x in v] for k, v in content["pages"].items() if len(v) == 3}
            return cls(str(content["site_key"]), pages)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()   # none yet, or unreadable: build everything

    def write(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_text(json.dumps({"site_key": self.site_key, "pages": self.pages}, sort_keys=True),
                                 encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass   # without a manifest the next build renders every page: slower, never wrong


def _markdown_key(page) -> str:
    meta = json.dumps(page.meta, sort_keys=True, ensure_ascii=False, default=str)
    return _digest(f"{meta}\0{page.markdown}".encode("utf-8"))


class PageReuse(BasePlugin):
    """Hands mkdocs the previous HTML of each unchanged page, and records the new manifest.

    `sources`: (manifest, the folder its HTML is in) — the previous site, or shard folders.
    `only`: a shard's scheme id; pages outside `<only>/` are neither rendered nor written.
    """

    def __init__(self, sources: list[tuple[Manifest, Path]], site_key: str, only: str | None = None):
        super().__init__()
        self.sources = [(manifest.pages, folder) for manifest, folder in sources if manifest.site_key == site_key]
        self.only = only
        self.manifest = Manifest(site_key)
        self.reused: dict[str, str] = {}    # source path -> the previous HTML
        self.skipped: set[str] = set()      # outside the shard
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

    def _in_shard(self, source: str) -> bool:
        return self.only is None or source.startswith(f"{self.only}/")

    def _previous_html(self, source: str, key: str, destination: str) -> str | None:
        for pages, folder in self.sources:
            recorded = pages.get(source)
            if not recorded or recorded[0] != key or recorded[2] != destination:
                continue
            try:
                html = (folder / destination).read_bytes()
            except OSError:
                continue
            if _digest(html) == recorded[1]:
                return html.decode("utf-8")
        return None

    def on_page_markdown(self, markdown, page, config, files):
        source = page.file.src_uri
        key = self.markdown_keys[source] = _markdown_key(page)
        if not self._in_shard(source):
            self.skipped.add(source)
        elif (html := self._previous_html(source, key, page.file.dest_uri)) is not None:
            self.reused[source] = html
        else:
            return markdown
        page.meta["template"] = REUSED_TEMPLATE
        page.render = lambda *args, **kwargs: setattr(page, "content", "")   # no conversion: the HTML is known
        return markdown

    def on_post_page(self, output, page, config):
        source = page.file.src_uri
        if source in self.skipped:
            return ""      # mkdocs writes no file for an empty page
        output = self.reused.get(source, output)
        html = output.encode("utf-8", errors="xmlcharrefreplace")   # as mkdocs writes it
        self.manifest.pages[source] = [self.markdown_keys.get(source, ""), _digest(html), page.file.dest_uri]
        return output
