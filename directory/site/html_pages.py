"""Our pages skip mkdocs' Markdown step: their bodies are HTML already.

The render stage writes every page as front matter + HTML blocks (site/render.py: jinja2 escapes
each value, so a provider's `**bold**` or `<script>` is text). Python-Markdown passes raw HTML
blocks through unchanged, so converting them only costs time: parsing every page's HTML to find
where its blocks end was almost half of mkdocs' build (the same 1,000-record pages, side by side:
4.6 s converted, 2.5 s taken as they are). The incremental-build plugin (site/reuse.py) gives mkdocs the body as the page's HTML
instead. What the theme reads from a conversion is what a raw-HTML page gives anyway: no table of contents (headings inside raw HTML
are not in it) and the title from the front matter. tests/test_html_pages.py builds the sample
site both ways and compares every file.

So a page template is HTML, not Markdown: Markdown syntax in one would be shown as written.
"""
from __future__ import annotations

import re

from mkdocs.structure.toc import get_toc

# Python-Markdown joins blocks with one blank line however many were between them.
BLANK_LINES = re.compile(r"\n{3,}")


def as_html(page) -> None:
    """What mkdocs' conversion sets on a page, for a body of HTML blocks (in place of Page.render)."""
    page.content = BLANK_LINES.sub("\n\n", page.markdown.strip("\n"))
    page.toc = get_toc([])
    page.present_anchor_ids = set()
    page.links_to_anchors = {}
