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
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from mkdocs.plugins import BasePlugin

MANIFEST = Path(".cache") / "directory" / "pages.json"
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
    site_dir: str = ""
    pages: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> "Manifest":
        try:
            content = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
            pages = {str(k): [str(x) for x in v] for k, v in content["pages"].items() if len(v) == 3}
            return cls(str(content["site_key"]), str(content["site_dir"]), pages)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()   # none yet, or unreadable: build everything

    def write(self, root: Path) -> None:
        target = root / MANIFEST
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            temporary.write_text(json.dumps({"site_key": self.site_key, "site_dir": self.site_dir,
                                             "pages": self.pages}, sort_keys=True), encoding="utf-8")
            temporary.replace(target)
        except OSError:
            pass   # without a manifest the next build renders every page: slower, never wrong


def _markdown_key(page) -> str:
    meta = json.dumps(page.meta, sort_keys=True, ensure_ascii=False, default=str)
    return _digest(f"{meta}\0{page.markdown}".encode("utf-8"))


class PageReuse(BasePlugin):
    """Hands mkdocs the previous HTML of each unchanged page, and records the new manifest."""

    def __init__(self, previous: Manifest, site_key: str, site_dir: Path):
        super().__init__()
        usable = previous.site_key == site_key and previous.site_dir == str(site_dir)
        self.previous = previous.pages if usable else {}
        self.site_dir = site_dir
        self.manifest = Manifest(site_key, str(site_dir))
        self.reused: dict[str, str] = {}    # source path -> the previous HTML
        self.markdown_keys: dict[str, str] = {}

    def on_env(self, env, config, files):
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({REUSED_TEMPLATE: ""}), env.loader])
        return env

    def on_page_markdown(self, markdown, page, config, files):
        source = page.file.src_uri
        key = _markdown_key(page)
        self.markdown_keys[source] = key
        recorded = self.previous.get(source)
        if recorded and recorded[0] == key and recorded[2] == page.file.dest_uri:
            try:
                html = (self.site_dir / page.file.dest_uri).read_bytes()
            except OSError:
                return markdown
            if _digest(html) == recorded[1]:
                self.reused[source] = html.decode("utf-8")
                page.meta["template"] = REUSED_TEMPLATE
                page.render = lambda *args, **kwargs: setattr(page, "content", "")   # no conversion: the HTML is known
        return markdown

    def on_post_page(self, output, page, config):
        source = page.file.src_uri
        output = self.reused.get(source, output)
        html = output.encode("utf-8", errors="xmlcharrefreplace")   # as mkdocs writes it
        self.manifest.pages[source] = [self.markdown_keys.get(source, ""), _digest(html), page.file.dest_uri]
        return output
