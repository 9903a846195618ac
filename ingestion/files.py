"""Finding landed files that are complete, and fingerprinting them.

A file counts as delivered only when it has a known suffix, no in-progress suffix, and its size has
stopped changing; its identity for idempotency is the sha256 of its bytes, not its name.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingestion.contract import ENTITIES, FILE_SUFFIXES, IN_PROGRESS_SUFFIXES, Entity

CHUNK = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    """A complete file in an entity's landing folder."""

    entity: Entity
    path: Path
    size: int
    mtime: float
    ctime_ns: int  # which a user cannot set: `cp -p` and `touch -r` keep the size and mtime, not this

    @property
    def format(self) -> str:
        return file_format(self.path)


def file_format(path: Path) -> str:
    """`csv`, `parquet` or `jsonl` (a `.csv.gz` is csv)."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    return "jsonl"


def utf8_name(path: Path) -> bool:
    """Whether the file name is UTF-8. Another one (Latin-1 `café.csv` from a Windows share) cannot be
    recorded: the ledger and DuckDB's text are UTF-8."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: Path | str) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 as `\\xe9`."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _is_candidate(path: Path) -> bool:
    name = path.name.lower()
    if not path.is_file() or name.startswith(".") or not utf8_name(path):
        return False
    if name.endswith(IN_PROGRESS_SUFFIXES):
        return False
    return name.endswith(FILE_SUFFIXES)


def discover(landing: Path, entity_names: list[str], settle_seconds: float = 1.0) -> list[LandedFile]:
    """Complete files per entity, entities in the given order, files sorted by name.

    A file is complete when it has not changed for `settle_seconds` (the minimum file age of NiFi's
    GetFile). One that changed more recently is sampled again after one wait for the whole scan and
    left for the next run when its size, mtime or ctime moved in between. The age is taken from the later of
    mtime and ctime: `cp -p` and `touch -r` set an old mtime, but every write and every such change
    moves the ctime. Files that already sit in the landing folder need no wait: `arvo run` discovers
    once per raw asset, and a wait for every file made each run ~8 s longer. That stat is the file's
    identity (size, mtime, ctime) that the ledger recognises.
    """
    first: dict[Path, tuple[Entity, os.stat_result, bool]] = {}
    now_ns = time.time_ns()
    for entity, path, _ in _delivered_entries(landing, entity_names):
        if _is_candidate(path):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed between the listing and now
                continue
            recent = now_ns - max(stat.st_mtime_ns, stat.st_ctime_ns) < settle_seconds * 1e9
            first[path] = (entity, stat, recent)
    if settle_seconds > 0 and any(recent for *_, recent in first.values()):
        time.sleep(settle_seconds)
    files = []
    for path, (entity, stat, recent) in first.items():
        if recent:
            try:
                second = path.stat()
            except FileNotFoundError:
                continue
            if (second.st_size, second.st_mtime, second.st_ctime_ns) != (stat.st_size, stat.st_mtime, stat.st_ctime_ns):
                continue
        files.append(LandedFile(entity, path, stat.st_size, stat.st_mtime, stat.st_ctime_ns))
    return files


def unreadable_folders(landing: Path, entity_names: list[str]) -> list[tuple[str, OSError]]:
    """The entity folders (by entity name) that are there but cannot be listed or entered, with why: no
    read or search permission on them or on a folder above them. Their files cannot even be found."""
    out = []
    for name in entity_names:
        try:
            with os.scandir(landing / ENTITIES[name].folder) as entries:
                first = next(entries, None)
            if first is not None:
                os.lstat(first.path)  # needs search permission on the folder, as reading its files does
        except (FileNotFoundError, NotADirectoryError):
            continue  # no such folder (nothing delivered yet): nothing to read
        except OSError as error:
            out.append((name, error))
    return out


def _delivered_entries(landing: Path, entity_names: list[str]) -> Iterator[tuple[Entity, Path, str]]:
    """(entity, path, lower-case name) of each entry of the entity folders that is neither hidden nor
    still being written, entities in the given order, entries in name order: what `discover` picks up
    and what `unsupported` and `not_files` point out come from these."""
    for name in entity_names:
        entity = ENTITIES[name]
        folder = landing / entity.folder
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            lower = path.name.lower()
            if not (lower.startswith(".") or lower.endswith(IN_PROGRESS_SUFFIXES)):
                yield entity, path, lower


def unsupported(landing: Path, entity_names: list[str]) -> list[Path]:
    """Files in entity folders that will never load (wrong suffix), so they can be pointed out."""
    return [
        path
        for _, path, lower in _delivered_entries(landing, entity_names)
        if path.is_file() and not lower.endswith(FILE_SUFFIXES)
    ]


def not_files(landing: Path, entity_names: list[str]) -> list[tuple[Path, str]]:
    """Entries of entity folders named like data files that will not load, with why: a folder
    (`invoices.csv/`, an unzipped export), a link to nothing, a pipe, a name that is not UTF-8. Said,
    they do not pass for "nothing new"."""
    out = []
    for _, path, lower in _delivered_entries(landing, entity_names):
        if not lower.endswith(FILE_SUFFIXES):
            continue
        if not utf8_name(path):
            out.append((path, "its name is not UTF-8; rename it"))
        elif path.is_dir():
            out.append((path, "a folder, named like a data file; deliver the file itself"))
        elif path.is_symlink() and not path.exists():
            out.append((path, "a link to nothing; deliver the file itself"))
        elif not path.is_file():
            out.append((path, "not a regular file; deliver the file itself"))
    return out


def misplaced(landing: Path) -> list[Path]:
    """Data files under the landing folder but outside every entity folder (`landing/accounts/x.csv`,
    `landing/x.csv`): they would never load, so they are pointed out."""
    folders = {landing / entity.folder for entity in ENTITIES.values()}
    out = []
    for root, dirs, names in os.walk(landing):
        if Path(root) in folders:  # what discover reads; its subfolders (an archive, say) are the user's
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(root) / name for name in sorted(names) if _is_candidate(Path(root) / name)]
    return out


@dataclass(frozen=True)
class Fingerprint:
    """sha256 of the bytes and, for text formats, the first reason they cannot be read (if any)."""

    sha256: str
    problem: tuple[str, str] | None  # (rule, message)


def fingerprint(path: Path, check_utf8: bool) -> Fingerprint:
    """Hash the file; for CSV/JSONL also decode it as UTF-8 to catch Latin-1 and other encodings.

    Both read the file opened once: one removed meanwhile is not taken for a corrupt gzip. An OSError
    is about opening it (gone, no permission); the gzip errors after that are the file's own."""
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(CHUNK), b""):
            digest.update(chunk)
        error: str | None = None
        if check_utf8:
            raw.seek(0)
            try:
                error = _first_utf8_error(raw, gzipped=path.name.lower().endswith(".gz"))
            except (OSError, EOFError) as exc:
                return Fingerprint(digest.hexdigest(), ("parse", f"cannot decompress the file ({exc}); re-send it."))
    return Fingerprint(digest.hexdigest(), ("encoding", error) if error else None)


# What a text file that is not UTF-8 text often is instead, by its first bytes: said plainly, the fix is
# obvious; "looks like Latin-1" for these sends the user the wrong way.
_NOT_TEXT = (
    (codecs.BOM_UTF16_LE, 'the file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8. Re-export it as UTF-8.'),
    (codecs.BOM_UTF16_BE, 'the file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8. Re-export it as UTF-8.'),
    (b"\x1f\x8b", "the file is gzip-compressed: a compressed CSV is named .csv.gz; otherwise send it uncompressed."),
    (b"PK\x03\x04", "the file is a ZIP archive (an Excel workbook?), not text: export the sheet as CSV UTF-8."),
    (b"PAR1", "the file is Parquet: name it .parquet."),
)


def _first_utf8_error(raw: BinaryIO, gzipped: bool) -> str | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    error: str | None = None
    offset = 0
    line = 1
    with gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else contextlib.nullcontext(raw) as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            if offset == 0:
                known = next((message for magic, message in _NOT_TEXT if chunk.startswith(magic)), None)
                if known:
                    return known
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start : exc.start + 1]
                line += chunk[: exc.start].count(b"\n")
                error = (
                    f"byte 0x{bad.hex()} at byte offset {offset + exc.start} (line {line}) is not valid "
                    "UTF-8; the file looks like Latin-1/Windows-1252. Re-export it as UTF-8."
                )
                break
            offset += len(chunk)
            line += chunk.count(b"\n")
        else:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return "the file ends in the middle of a UTF-8 character (truncated?). Re-export it."
    return error
