"""Load a whole library (schemes, batches, records) from the repository it is run in.

Layout (SPEC §3):
  providers/<scheme-id>/<record-id>.yaml           organisations
  providers/<scheme-id>/experts/<record-id>.yaml   experts
  schemes/<scheme-id>/batches/<batch-id>.yaml      recognition batches
Files are read in a stable order; every file that cannot be read is a finding, never an exception.

When only some records are to be checked (`directory validate FILE`), the others are needed only
for the checks across records; their few fields that matter (CROSS_RECORD_KEYS) are kept in a
cache, `.cache/directory/records.json`, keyed by file size and modification time, so a single
edit is re-checked without reading the whole library again.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from directory.findings import Finding
from directory.loading.yamlfile import Document, load_file
from directory.rules.schemas import SchemaSet, build_schemas
from directory.rules.schemes import KIND_DEFAULTS, Scheme, display_path, load_schemes

YAML_SUFFIXES = (".yaml", ".yml")
CACHE_FILE = Path(".cache") / "directory" / "records.json"
CACHE_VERSION = 1
CROSS_RECORD_KEYS = ("id", "credit_code", "recognition", "term")  # what checks across records read


@dataclass
class Record:
    """One provider or expert file. `data` is what YAML held; positions live in `document`."""

    path: str               # as shown to staff, relative to the repository root
    scheme_id: str          # the folder it lies in
    kind: str               # "provider" or "expert"
    stem: str
    document: Document
    focused: bool = True    # False: read only for the checks across records
    stamp: tuple = ()       # (size, mtime_ns) of the file when read

    @property
    def data(self) -> dict:
        return self.document.data if isinstance(self.document.data, dict) else {}

    @property
    def recognition(self) -> dict:
        value = self.data.get("recognition")
        return value if isinstance(value, dict) else {}


@dataclass
class Batch:
    path: str
    scheme_id: str
    stem: str
    document: Document

    @property
    def data(self) -> dict:
        return self.document.data if isinstance(self.document.data, dict) else {}

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}


@dataclass
class Repository:
    root: Path
    schemes: dict[str, Scheme]
    common: dict
    batches: dict[tuple[str, str], Batch] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    _compiled: tuple | None = field(default=None, repr=False)

    def compiled_schemas(self) -> tuple[SchemaSet, list[Finding]]:
        """Every schema compiled once, shared by validate, the site build and the forms;
        with the findings met compiling them (reported by validate)."""
        if self._compiled is None:
            self._compiled = build_schemas(self.root, self.schemes)
        return self._compiled

    def batch_of(self, record: Record) -> Batch | None:
        batch_id = record.recognition.get("batch")
        return self.batches.get((record.scheme_id, str(batch_id))) if batch_id is not None else None


def load_repository(root: Path, focus: list[str] | None = None) -> Repository:
    """Read everything under `root`; problems found while reading are in `.findings`.

    `focus`: repository-relative paths (files or folders) whose records are to be checked; the
    other records are taken from the cache where it is still fresh.
    """
    root = root.resolve()
    loaded = load_schemes(root)
    repository = Repository(root, loaded.schemes, loaded.common, findings=list(loaded.findings))
    cache = _read_cache(root) if focus is not None else {}

    for scheme_id in sorted(repository.schemes):
        for path in _yaml_files(root / "schemes" / scheme_id / "batches"):
            document = _read(repository, path)
            if document is not None:
                repository.batches[(scheme_id, path.stem)] = Batch(display_path(root, path), scheme_id, path.stem, document)

    providers = root / "providers"
    for folder in sorted(p for p in providers.iterdir() if p.is_dir()) if providers.is_dir() else ():
        if folder.name not in repository.schemes:
            if folder.name in loaded.unusable:
                continue  # its scheme.yaml has findings; one there says more than one per record
            for path in _yaml_files(folder) + _yaml_files(folder / "experts"):
                repository.findings.append(Finding(
                    display_path(root, path), 1, 1, "unknown-scheme",
                    f"文件夹「providers/{folder.name}」不是已知的名录：可用的有 {'、'.join(sorted(repository.schemes))}"))
            continue
        # each kind's own folder (scheme.yaml), and the usual ones, so that an expert file in a
        # scheme without experts is reported (kind-not-allowed) instead of being skipped
        folders = {kind: defaults["folder"] for kind, defaults in KIND_DEFAULTS.items()}
        folders.update({kind: rules.folder for kind, rules in repository.schemes[folder.name].kind_rules.items()})
        for kind, sub_folder in folders.items():
            for path in _yaml_files(folder / sub_folder if sub_folder else folder):
                display = display_path(root, path)
                focused = focus is None or within_focus(display, focus)
                stat = path.stat()
                stamp = (stat.st_size, stat.st_mtime_ns)
                cached = cache.get(display)
                if not focused and cached and tuple(cached["stamp"]) == stamp:
                    document = Document(display, cached["data"])
                else:
                    document = _read(repository, path)
                if document is not None:
                    repository.records.append(Record(display, folder.name, kind, path.stem, document, focused, stamp))
    return repository


def save_cache(repository: Repository) -> None:
    """Keep the cross-record fields of every record read, for the next focused run."""
    entries = {record.path: {"stamp": list(record.stamp),
                             "data": {key: record.data[key] for key in CROSS_RECORD_KEYS if key in record.data}}
               for record in repository.records}
    path = repository.root / CACHE_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "records": entries}, ensure_ascii=False),
                             encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _read_cache(root: Path) -> dict:
    try:
        content = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return content.get("records", {}) if content.get("version") == CACHE_VERSION else {}


def within_focus(path: str, focus: list[str]) -> bool:
    return any(path == wanted or path.startswith(wanted.rstrip("/") + "/") or wanted in ("", ".") for wanted in focus)


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())


def _read(repository: Repository, path: Path) -> Document | None:
    document, findings = load_file(path, display_path(repository.root, path))
    repository.findings.extend(findings)
    if document is not None and not isinstance(document.data, dict):
        repository.findings.append(Finding(document.path, 1, 1, "yaml-not-mapping",
                                           "文件内容应为“键: 值”的映射（一条记录），而不是列表或单个值"))
        return None
    return document
