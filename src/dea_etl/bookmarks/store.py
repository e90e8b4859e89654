"""Where bookmark entries live: an append-only log of versions per job, written with exclusive creates.

Every commit, reset or rewind writes version ``n + 1`` of the job's entry as a new object that must not
exist yet (a local ``link``, or S3's ``PutObject`` with ``If-None-Match: *``). Of two runs that started
from version ``n``, only the first to commit creates ``n + 1``; the second gets
:class:`VersionConflictError` and writes nothing. Old versions stay: they are the run history that
rewinding to a run id and ``--job-bookmark-from/--job-bookmark-to`` read.

A run also *claims* version ``n + 1`` (``<version>.claim``, created the same exclusive way) before it
publishes any output, and drops the claim once that version is committed. Of two concurrent runs only
one can hold the claim, so the loser fails before it has published anything — a conflict never leaves a
table with rows whose files the bookmark does not cover. A claim that outlives its run marks a run that
stopped after publishing and before committing; ``dea-etl bookmark release`` settles it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from dea_etl.bookmarks.model import BookmarkEntry
from dea_etl.errors import DeaEtlError
from dea_etl.io.storage import ObjectFolder, StorageError, open_folder
from dea_etl.names import check_name

_VERSION_NAME = re.compile(r"^(\d{10})\.json$")
#: What reading a damaged file raises (truncated JSON, another shape, missing keys).
_DAMAGED = (ValueError, KeyError, TypeError, AttributeError)
T = TypeVar("T")
_CLAIM_NAME = re.compile(r"^(\d{10})\.claim$")
ATTEMPT_NAME = "attempt.json"


class BookmarkError(DeaEtlError):
    """A bookmark could not be read, found or written."""


class CorruptBookmarkError(BookmarkError):
    """A stored bookmark entry that cannot be read (truncated, not JSON, not an entry)."""


class VersionConflictError(BookmarkError):
    """Another run committed the job's bookmark since this run read it; this run committed nothing."""


def job_folder(job_name: str) -> str:
    """A job name as one path segment (:func:`dea_etl.names.check_name`: never ``..`` or a path)."""
    return quote(check_name("job name", job_name), safe="")


def version_name(version: int) -> str:
    return f"{version:010d}.json"


def parse_version_name(name: str) -> int | None:
    m = _VERSION_NAME.match(name)
    return int(m.group(1)) if m else None


def claim_name(version: int) -> str:
    return f"{version:010d}.claim"


def parse_claim_name(name: str) -> int | None:
    m = _CLAIM_NAME.match(name)
    return int(m.group(1)) if m else None


def encode(entry: BookmarkEntry) -> bytes:
    return (json.dumps(entry.to_glue(), indent=2) + "\n").encode()


def decode(raw: bytes) -> BookmarkEntry:
    return BookmarkEntry.from_glue(json.loads(raw))


@dataclass(frozen=True)
class Claim:
    """A run's reservation of the next version: the entry it will commit and when it claimed it."""

    entry: BookmarkEntry
    claimed_at: str
    #: What the run publishes under this claim (opaque here: each write's ``claim_record``),
    #: so that ``bookmark release`` can roll each table back, or forward.
    publications: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> bytes:
        data = {"ClaimedAt": self.claimed_at, "Entry": self.entry.to_glue(), "Publications": list(self.publications)}
        return (json.dumps(data, indent=2) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Claim:
        data = json.loads(raw)
        return cls(BookmarkEntry.from_glue(data["Entry"]), str(data["ClaimedAt"]),
                   tuple(data.get("Publications", ())))


def claimed(held: Claim) -> VersionConflictError:
    e = held.entry
    return VersionConflictError(
        f"bookmark version conflict for job {e.job_name!r}: version {e.version} is claimed by run {e.run_id!r} "
        f"since {held.claimed_at}, which is publishing its output; nothing was published or committed. "
        f"If that run is no longer running it stopped after publishing and before committing: check the "
        f"tables, then `dea-etl bookmark release --job {e.job_name} [--commit]`"
    )


def conflict(entry: BookmarkEntry) -> VersionConflictError:
    return VersionConflictError(
        f"bookmark version conflict for job {entry.job_name!r}: version {entry.version} was already "
        f"committed by another run (this run started from version {entry.version - 1}); nothing was committed"
    )


class BookmarkStore(Protocol):
    """The versions of each job's bookmark entry, and a per-job attempt counter."""

    def latest(self, job_name: str) -> BookmarkEntry | None:
        """The newest version, or None when the job has none."""

    def history(self, job_name: str) -> list[BookmarkEntry]:
        """Every version, oldest first."""

    def create(self, entry: BookmarkEntry) -> None:
        """Write ``entry`` as version ``entry.version``; :class:`VersionConflictError` if it exists."""

    def read_attempt(self, job_name: str) -> dict[str, Any] | None:
        """The attempt counter (``{"Run": n, "Attempt": k}``), not versioned."""

    def write_attempt(self, job_name: str, attempt: dict[str, Any]) -> None: ...

    def claim(self, claim: Claim) -> None:
        """Create the claim of version ``claim.entry.version``; :class:`VersionConflictError` if held."""

    def claims(self, job_name: str) -> list[Claim]:
        """The claims that are held, oldest version first."""

    def release(self, job_name: str, version: int) -> None:
        """Drop the claim of ``version`` (no error when there is none)."""


class FolderBookmarkStore:
    """:class:`BookmarkStore` over a folder of objects (:mod:`dea_etl.io.storage`), one sub folder per job:
    ``<location>/<job>/<version>.json`` and ``<version>.claim``, created exclusively; ``attempt.json``."""

    def __init__(self, folder: ObjectFolder) -> None:
        self.folder = folder

    def _names(self, job_name: str) -> list[str]:
        return self.folder.names(job_folder(job_name))

    def _read(self, job_name: str, name: str) -> bytes | None:
        return self.folder.read(f"{job_folder(job_name)}/{name}")

    def _create(self, job_name: str, name: str, body: bytes) -> bool:
        try:
            return self.folder.create(f"{job_folder(job_name)}/{name}", body)
        except StorageError as exc:
            raise BookmarkError(f"cannot write a bookmark: {exc}") from exc

    def _put(self, job_name: str, name: str, body: bytes) -> None:
        self.folder.put(f"{job_folder(job_name)}/{name}", body)

    def _delete(self, job_name: str, name: str) -> None:
        self.folder.delete(f"{job_folder(job_name)}/{name}")

    def _numbered(self, job_name: str, parse: Callable[[str], int | None]) -> list[tuple[int, bytes]]:
        """(number, bytes) of the names ``parse`` reads as a version number, in order; vanished ones left out."""
        found = sorted((n, name) for name in self._names(job_name) if (n := parse(name)) is not None)
        read = ((n, self._read(job_name, name)) for n, name in found)
        return [(n, raw) for n, raw in read if raw is not None]

    def _where(self, job_name: str, name: str) -> str:
        return f"{self.folder.location.rstrip('/')}/{job_folder(job_name)}/{name}"

    def _parsed(self, job_name: str, name: str, raw: bytes, parse: Callable[[bytes], T], advice: str) -> T:
        """``parse(raw)``; a damaged file is a :class:`CorruptBookmarkError` naming it, then ``advice``."""
        try:
            return parse(raw)
        except _DAMAGED as exc:
            found = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise CorruptBookmarkError(f"bookmark file {self._where(job_name, name)} is damaged ({found}); "
                                       f"{advice}") from None

    def _decoded(self, job_name: str, version: int, raw: bytes) -> BookmarkEntry:
        """The entry of ``version``; a damaged one names its file and the newest good version before it."""
        try:
            return decode(raw)
        except _DAMAGED:
            good = self._previous_good(job_name, version)
            before = (f"the previous good version is {good.version} "
                      f"({self._where(job_name, version_name(good.version))}, run {good.run_id})"
                      if good else "no earlier version is good")
            return self._parsed(job_name, version_name(version), raw, decode,
                                f"{before}. Move the damaged file aside to go on from there")

    def _previous_good(self, job_name: str, version: int) -> BookmarkEntry | None:
        for v, name in sorted(((v, n) for n in self._names(job_name) if (v := parse_version_name(n)) is not None),
                              reverse=True):
            raw = self._read(job_name, name) if v < version else None
            if raw is not None:
                try:
                    return decode(raw)
                except _DAMAGED:
                    continue
        return None

    def latest(self, job_name: str) -> BookmarkEntry | None:
        versions = sorted(v for name in self._names(job_name) if (v := parse_version_name(name)) is not None)
        raw = self._read(job_name, version_name(versions[-1])) if versions else None
        return self._decoded(job_name, versions[-1], raw) if raw is not None else None

    def history(self, job_name: str) -> list[BookmarkEntry]:
        return [self._decoded(job_name, v, raw) for v, raw in self._numbered(job_name, parse_version_name)]

    def create(self, entry: BookmarkEntry) -> None:
        if not self._create(entry.job_name, version_name(entry.version), encode(entry)):
            raise conflict(entry)

    def claim(self, claim: Claim) -> None:
        job, name = claim.entry.job_name, claim_name(claim.entry.version)
        while not self._create(job, name, claim.to_json()):
            held = self._read(job, name)
            if held is not None:  # else released between our create and our read: try again
                raise claimed(Claim.from_json(held))

    def claims(self, job_name: str) -> list[Claim]:
        advice = "it marks a run that stopped before committing: check that run's tables, then move it aside"
        return [self._parsed(job_name, claim_name(v), raw, Claim.from_json, advice)
                for v, raw in self._numbered(job_name, parse_claim_name)]

    def release(self, job_name: str, version: int) -> None:
        self._delete(job_name, claim_name(version))

    def read_attempt(self, job_name: str) -> dict[str, Any] | None:
        raw = self._read(job_name, ATTEMPT_NAME)
        advice = "it only counts attempts: remove it to start counting again"
        return self._parsed(job_name, ATTEMPT_NAME, raw, lambda r: dict(json.loads(r)), advice) if raw else None

    def write_attempt(self, job_name: str, attempt: dict[str, Any]) -> None:
        self._put(job_name, ATTEMPT_NAME, json.dumps(attempt).encode())


def open_store(location: str) -> BookmarkStore:
    """A store for ``location``: ``s3://BUCKET/PREFIX`` or a local folder."""
    try:
        return FolderBookmarkStore(open_folder(location))
    except StorageError as exc:
        raise BookmarkError(f"bookmark store {location!r}: {exc}") from exc
