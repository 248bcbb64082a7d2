"""QR codes of provider and expert pages, for certificates and 牌匾 (plaques): scanning one opens the
page, which shows the status as of the last build.

The code holds the page's canonical address: mkdocs.yml `site_url` + the entry's url, nothing else
(no query string, so the address on a plaque printed today still works after any change of the
site). Without `site_url` there is no address a phone could open, so there is no QR code.
The page shows it as inline SVG (no request to any host); qr.svg and qr.png beside the page are the
files to print (drawn here from segno's modules, no Pillow).

segno picks the mask by trying all eight, as the QR standard asks: with the files drawn, about 7 ms
a code, more than a minute for 10,000 pages on one core. So the files are kept in
`.cache/directory/qr/<entry url>/` with a key of everything they depend on (signed with this
machine's secret), and a build links them into the site while the key still matches.
"""
from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import segno
from markupsafe import Markup

from directory.library.repository import machine_secret
from directory.site.links import link

# Colours fixed (not the theme's): scanners need dark modules on a light ground.
DARK, LIGHT = "#000000", "#ffffff"
BORDER = 4          # the quiet zone the QR standard asks for, in modules
ERROR = "m"         # recovers 15 % of the modules: a scratched plaque still reads
PRINT_SCALE = 10    # pixels per module of qr.png: about 450 px, sharp on an A4 certificate
CACHE = Path(".cache") / "directory" / "qr"
# Raise when the files written below change in any way the constants above do not say.
FORMAT = 2
# What segno's inline SVG looks like: a cached file of any other shape is not copied into a page.
INLINE_SHAPE = re.compile(r'<svg viewBox="0 0 [0-9]+ [0-9]+" class="dir-qr__code"><path fill="#fff" '
                          r'd="[0-9Mhvz -]+"/><path stroke="#000" d="[0-9Mmh. -]+"/></svg>')
FILES = ("qr.svg", "qr.png", "inline.svg")


@dataclass(frozen=True)
class PageQR:
    url: str            # what the code holds
    svg: Markup         # inline <svg>, sized by CSS (.dir-qr__code)
    svg_file: str       # beside the page: "qr.svg"
    png_file: str


def canonical_url(site_url: str, entry_url: str) -> str:
    """https://fwjg.example.org.cn/ + hunan-sme-hexin/cs-zhiyuan/ -> the page's address."""
    return site_url.rstrip("/") + "/" + entry_url.lstrip("/")


class QRCodes:
    """The QR codes of one build: `site_url` from mkdocs.yml, the cache under the library's root."""

    def __init__(self, site_url: str, root: Path | None = None):
        self.site_url = site_url
        self.cache = root / CACHE if root is not None else None
        try:   # the cache's keys are signed with this machine's secret: one committed in a pull request
            self.secret = machine_secret()   # (a QR code pointing elsewhere) is never served
        except OSError:
            self.cache, self.secret = None, ""

    def page(self, entry_url: str, page_folder: Path | None = None) -> PageQR | None:
        """The QR code of one page, None without a site_url; with `page_folder`, its qr.svg and
        qr.png are placed there too (else `place` puts them into the built site later)."""
        if not self.site_url:
            return None
        url = canonical_url(self.site_url, entry_url)
        files = self._cached(entry_url, url) or self._store(entry_url, url, _make(url))
        if page_folder is not None:
            self._write(entry_url, files, page_folder)
        return PageQR(url, Markup(files["inline.svg"].decode("ascii")), "qr.svg", "qr.png")

    def place(self, entry_url: str, page_folder: Path) -> None:
        """qr.svg and qr.png of one page into the built site: linked to the cache's files, which a
        build never changes in place (_store replaces them), so the site keeps its bytes."""
        if not self.site_url:
            return
        url = canonical_url(self.site_url, entry_url)
        self._write(entry_url, self._cached(entry_url, url) or self._store(entry_url, url, _make(url)), page_folder)

    def _write(self, entry_url: str, files: dict[str, bytes], page_folder: Path) -> None:
        page_folder.mkdir(parents=True, exist_ok=True)
        for name in ("qr.svg", "qr.png"):
            target = page_folder / name
            # linked (site/links.py) unless there is no cache, or it was replaced since it was read
            if self.cache is None or not link(self.cache / entry_url / name, target) \
                    or target.read_bytes() != files[name]:
                target.unlink(missing_ok=True)
                target.write_bytes(files[name])

    def _cached(self, entry_url: str, url: str) -> dict[str, bytes] | None:
        if self.cache is None:
            return None
        folder = self.cache / entry_url
        try:
            if (folder / "key").read_text(encoding="ascii") != _key(url, self.secret):
                return None
            files = {name: (folder / name).read_bytes() for name in FILES}
        except (OSError, ValueError):
            return None
        return files if INLINE_SHAPE.fullmatch(files["inline.svg"].decode("ascii", "replace")) else None

    def _store(self, entry_url: str, url: str, files: dict[str, bytes]) -> dict[str, bytes]:
        """Keep the files for the next build; the key goes last, so a build killed midway leaves none."""
        if self.cache is None:
            return files
        folder = self.cache / entry_url
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "key").unlink(missing_ok=True)
            for name, content in files.items():   # new files, not rewritten ones: the site links them
                (folder / name).unlink(missing_ok=True)
                (folder / name).write_bytes(content)
            (folder / "key.new").write_text(_key(url, self.secret), encoding="ascii")
            os.replace(folder / "key.new", folder / "key")
        except OSError:
            pass  # a cache that cannot be written only costs time
        return files


def _make(url: str) -> dict[str, bytes]:
    # make_qr, not make: a Micro QR code (chosen for short data) is not read by phone cameras.
    code = segno.make_qr(url, error=ERROR)
    # omitsize: only a viewBox, so the stylesheet sets the size the page shows
    inline = code.svg_inline(omitsize=True, svgclass="dir-qr__code", lineclass=None, dark=DARK, light=LIGHT,
                             border=BORDER)
    # The files to print are drawn here from the same modules: segno's own writers took almost half
    # of the time of a new code (its PNG writer builds each pixel row in Python, pixel by pixel).
    rows = [bytes(row) for row in code.matrix_iter(scale=1, border=BORDER)]
    size = len(rows) * PRINT_SCALE
    paths = inline[inline.index(">") + 1:inline.rindex("</svg>")]
    svg = (f'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="{size}" '
           f'height="{size}"><g transform="scale({PRINT_SCALE})">{paths}</g></svg>\n')
    return {"qr.svg": svg.encode("ascii"), "qr.png": _png(rows, PRINT_SCALE), "inline.svg": inline.encode("ascii")}


def _png(rows: list[bytes], scale: int) -> bytes:
    """A 1-bit greyscale PNG (dark modules black, the rest white), each module `scale` pixels square."""
    width = len(rows[0]) * scale
    pixel_rows = []
    for row in rows:
        bits = "".join("0" * scale if dark else "1" * scale for dark in row)   # 0 is black
        bits += "1" * (-len(bits) % 8)
        pixel_rows.append(b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big"))   # filter 0: none
    raw = b"".join(line * scale for line in pixel_rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, len(rows) * scale, 1, 0, 0, 0, 0)   # depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _key(url: str, secret: str) -> str:
    """Everything the files depend on, signed with this machine's secret."""
    parts = (FORMAT, segno.__version__, ERROR, BORDER, PRINT_SCALE, DARK, LIGHT, url)
    return hashlib.blake2b("\0".join(map(str, parts)).encode("utf-8"), key=secret.encode("ascii")).hexdigest()
