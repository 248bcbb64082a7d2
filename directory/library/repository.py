"""Load a whole library (schemes, batches, records) from the repository it is run in.

Layout (SPEC §3):
  providers/<scheme-id>/<record-id>.yaml           organisations
  providers/<scheme-id>/experts/<record-id>.yaml   experts
  schemes/<scheme-id>/batches/<batch-id>.yaml      recognition batches
Files are read in a stable order; every file that cannot be read is a finding, never an exception,
and so is every entry with a YAML name that is not a regular file inside the repository (a folder,
a FIFO, a broken or looping symbolic link, a link to elsewhere): nothing is silently skipped.

When only some records are to be checked (`directory validate FILE`), the others are needed only
for the checks across records; their few fields that matter (CROSS_RECORD_KEYS) are kept in a
cache, `.cache/directory/records.json`, keyed by file size and modification time, so a single
edit is re-checked without reading the whole library again. The cache is never trusted: an entry
of the wrong shape is dropped (its file is read instead), a damaged file is ignored and rewritten.
"""
from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from directory.findings import Finding
from directory.progress import track
from directory.library.model import BatchValues, RecordValues, batch_values, record_values
from directory.loading.yamlfile import Document, load_file
from directory.rules.schemas import SchemaSet, build_schemas
from directory.rules.schemes import KIND_DEFAULTS, Scheme, display_path, load_schemes

YAML_SUFFIXES = (".yaml", ".yml")
CACHE_FILE = Path(".cache") / "directory" / "records.json"
CACHE_VERSION = 1
CROSS_RECORD_KEYS = ("id", "credit_code", "recognition", "term")  # what checks across records read
MAX_CACHE_BYTES = 200_000_000  # about 20 KB a record for 10,000 records: larger is not ours


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

    @cached_property
    def values(self) -> RecordValues:
        """Its status, dates and actions, parsed once (model.py)."""
        return record_values(self.data)


@dataclass
class Batch:
    path: str
    scheme_id: str
    stem: str
    document: Document

    @property
    def data(self) -> dict:
        return self.document.data if isinstance(self.document.data, dict) else {}

    @cached_property
    def values(self) -> BatchValues:
        """Its dates, parsed once (model.py)."""
        return batch_values(self.data)

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
        for path in _yaml_files(repository, root / "schemes" / scheme_id / "batches"):
            document = _read(repository, path)
            if document is not None:
                repository.batches[(scheme_id, path.stem)] = Batch(display_path(root, path), scheme_id, path.stem, document)

    for folder in _scheme_folders(repository, root / "providers"):
        if folder.name not in repository.schemes:
            if folder.name in loaded.unusable:
                continue  # its scheme.yaml has findings; one there says more than one per record
            for path in _yaml_files(repository, folder) + _yaml_files(repository, folder / "experts"):
                repository.findings.append(Finding(
                    display_path(root, path), 1, 1, "unknown-scheme",
                    f"文件夹「providers/{folder.name}」不是已知的名录：可用的有 {'、'.join(sorted(repository.schemes))}"))
            continue
        # each kind's own folder (scheme.yaml), and the usual ones, so that an expert file in a
        # scheme without experts is reported (kind-not-allowed) instead of being skipped
        folders = {kind: defaults["folder"] for kind, defaults in KIND_DEFAULTS.items()}
        folders.update({kind: rules.folder for kind, rules in repository.schemes[folder.name].kind_rules.items()})
        for kind, sub_folder in folders.items():
            for path in track(_yaml_files(repository, folder / sub_folder if sub_folder else folder),
                              f"读取记录 {folder.name}/{sub_folder}".rstrip("/")):
                display = display_path(root, path)
                focused = focus is None or within_focus(display, focus)
                try:
                    info = path.stat()
                    stamp = (info.st_size, info.st_mtime_ns)
                except OSError:  # gone since it was listed: reading it says so
                    stamp = ()
                cached = cache.get(display)
                if not focused and cached and cached["stamp"] == list(stamp):
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
        temporary.unlink(missing_ok=True)  # never write through a symlink or into a FIFO left there
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "records": entries}, ensure_ascii=False),
                             encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _read_cache(root: Path) -> dict:
    """The cached entries still of the shape `save_cache` writes; anything else is left out."""
    path = root / CACHE_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_CACHE_BYTES:
            return {}
        content = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (OSError, ValueError, RecursionError):  # unreadable, not JSON, NaN, nested too deep
        return {}
    if not isinstance(content, dict) or content.get("version") != CACHE_VERSION \
            or not isinstance(content.get("records"), dict):
        return {}
    return {path: entry for path, entry in content["records"].items() if _is_cache_entry(entry)}


def _refuse_constant(name: str):
    raise ValueError(name)  # NaN, Infinity: save_cache never writes them


def _is_cache_entry(entry: object) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("data"), dict)
            and set(entry["data"]) <= set(CROSS_RECORD_KEYS)
            and isinstance(entry.get("stamp"), list) and len(entry["stamp"]) == 2
            and all(type(number) is int for number in entry["stamp"]))


def within_focus(path: str, focus: list[str]) -> bool:
    return any(path == wanted or path.startswith(wanted.rstrip("/") + "/") or wanted in ("", ".") for wanted in focus)


def _scheme_folders(repository: Repository, providers: Path) -> list[Path]:
    """The folders under providers/; a YAML file lying directly there belongs to no scheme."""
    folders = []
    for path in _entries(repository, providers):
        if _is_folder(path):
            folders.append(path)
        elif path.suffix in YAML_SUFFIXES:
            repository.findings.append(Finding(display_path(repository.root, path), 1, 1, "file-misplaced",
                                               "记录文件应放在 providers/<名录编号>/ 文件夹下（专家放在其 experts/ 下）"))
    return folders


def _yaml_files(repository: Repository, directory: Path) -> list[Path]:
    """The regular YAML files of `directory`; any other entry with a YAML name is a finding."""
    files = []
    for path in _entries(repository, directory):
        if path.suffix not in YAML_SUFFIXES:
            continue
        problem = _not_a_file(repository.root, path)
        if problem:
            repository.findings.append(Finding(display_path(repository.root, path), 1, 1, *problem))
        else:
            files.append(path)
    return files


def _entries(repository: Repository, directory: Path) -> list[Path]:
    """The entries of a folder, sorted; a missing folder has none, an unreadable one is a finding."""
    if not _is_folder(directory):
        return []
    problem = _not_inside(repository.root, directory)
    if problem:
        repository.findings.append(Finding(display_path(repository.root, directory), 1, 1, *problem))
        return []
    try:
        return sorted(directory.iterdir())
    except OSError:
        repository.findings.append(Finding(display_path(repository.root, directory), 1, 1, "folder-unreadable",
                                           "无法读取这个文件夹（没有权限？）：其中的记录都没有检查"))
        return []


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _not_a_file(root: Path, path: Path) -> tuple[str, str] | None:
    """(rule, message) when `path` cannot be a record file. `stat` only: a FIFO is never opened."""
    try:
        is_link = path.is_symlink()
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "file-broken-link", "这是失效的符号链接：它指向的文件不存在"
    except OSError:
        return "file-broken-link", "这是循环的符号链接（最终指向自身）：请换成真正的文件"
    if is_link:
        problem = _not_inside(root, path)
        if problem:
            return problem
    if stat.S_ISDIR(mode):
        return "file-not-regular", "这是文件夹，不是记录文件：文件夹名不要以 .yaml 结尾"
    if not stat.S_ISREG(mode):
        return "file-not-regular", "这不是普通文件（是管道、套接字或设备）：记录只能是 .yaml 文本文件"
    return None


def _not_inside(root: Path, path: Path) -> tuple[str, str] | None:
    """A symbolic link (or a folder behind one) must stay inside the repository."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return "file-broken-link", "这是失效或循环的符号链接：请换成真正的文件"
    if not target.is_relative_to(root):
        return "file-outside-repository", "这是指向名录仓库之外的符号链接：记录只能是仓库内的文件"
    return None


def _read(repository: Repository, path: Path) -> Document | None:
    document, findings = load_file(path, display_path(repository.root, path))
    repository.findings.extend(findings)
    if document is not None and not isinstance(document.data, dict):
        repository.findings.append(Finding(document.path, 1, 1, "yaml-not-mapping",
                                           "文件内容应为“键: 值”的映射（一条记录），而不是列表或单个值"))
        return None
    return document
