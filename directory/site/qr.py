"""QR codes of provider and expert pages, for certificates and 牌匾 (plaques): scanning one opens the
page, which shows the status as of the last build.

The code holds the page's canonical address: mkdocs.yml `site_url` + the entry's url, nothing else
(no query string, so the address on a plaque printed today still works after any change of the
site). Without `site_url` there is no address a phone could open, so there is no QR code.
The page shows it as inline SVG (no request to any host); qr.svg and qr.png beside the page are the
files to print (segno writes PNG itself, no Pillow).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from markupsafe import Markup

# Colours fixed (not the theme's): scanners need dark modules on a light ground.
DARK, LIGHT = "#000000", "#ffffff"
BORDER = 4          # the quiet zone the QR standard asks for, in modules
PRINT_SCALE = 10    # pixels per module of qr.png: about 450 px, sharp on an A4 certificate


@dataclass(frozen=True)
class PageQR:
    url: str            # what the code holds
    svg: Markup         # inline <svg>, sized by CSS (.dir-qr svg)
    svg_file: str       # beside the page: "qr.svg"
    png_file: str


def canonical_url(site_url: str, entry_url: str) -> str:
    """https://fwjg.example.org.cn/ + hunan-sme-hexin/cs-zhiyuan/ -> the page's address."""
    return site_url.rstrip("/") + "/" + entry_url.lstrip("/")


def page_qr(site_url: str, entry_url: str, page_folder: Path) -> PageQR | None:
    """The QR code of one page, its files written into `page_folder`; None without a site_url."""
    if not site_url:
        return None
    url = canonical_url(site_url, entry_url)
    # make_qr, not make: a Micro QR code (chosen for short data) is not read by phone cameras.
    code = segno.make_qr(url, error="m")
    page_folder.mkdir(parents=True, exist_ok=True)
    colours = {"dark": DARK, "light": LIGHT, "border": BORDER}
    code.save(page_folder / "qr.svg", kind="svg", scale=PRINT_SCALE, **colours)
    code.save(page_folder / "qr.png", kind="png", scale=PRINT_SCALE, **colours)
    # omitsize: only a viewBox, so the stylesheet sets the size the page shows
    inline = code.svg_inline(omitsize=True, svgclass="dir-qr__code", lineclass=None, **colours)
    return PageQR(url, Markup(inline), "qr.svg", "qr.png")
