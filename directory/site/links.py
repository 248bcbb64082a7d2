"""Files the new site shares with the previous one or with the cache, as hard links.

A link writes no data, and deleting the old site then frees nothing either: on a slow disk both
are most of a rebuild's time. Builds only ever write new files (the QR cache replaces its files,
mkdocs writes into a fresh folder), so two sites sharing a file never see each other's changes.
"""
from __future__ import annotations

import os
from pathlib import Path


def link(source: Path, target: Path) -> bool:
    """`target` as a new link to `source`; False where that cannot be (another filesystem, no
    source): the caller writes the bytes itself."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        os.link(source, target)
    except OSError:
        return False
    return True
