"""Where bookmark entries live: an append-only log of versions per job, written with exclusive creates.

Every commit, reset or rewind writes version ``n + 1`` of the job's entry as a new object that must not
exist yet (a local ``link``, or S3's ``PutObject`` with ``If-None-Match: *``). Of two runs that started
from version ``n``, only the first to commit creates ``n + 1``; the second gets
:class:`VersionConflictError` and writes nothing. Old versions stay: they are the run history that
rewinding to a run id and ``--job-bookmark-from/--job-bookmark-to`` read.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol
from urllib.parse import quote

from dea_etl.bookmarks.model import BookmarkEntry
from dea_etl.errors import DeaEtlError

_VERSION_NAME = re.compile(r"^(\d{10})\.json$")
ATTEMPT_NAME = "attempt.json"


class BookmarkError(DeaEtlError):
    """A bookmark could not be read, found or written."""


class VersionConflictError(BookmarkError):
    """Another run committed the job's bookmark since this run read it; this run committed nothing."""


def job_folder(job_name: str) -> str:
    """A job name as one path segment."""
    return quote(job_name, safe="")


def version_name(version: int) -> str:
    return f"{version:010d}.json"


def parse_version_name(name: str) -> int | None:
    m = _VERSION_NAME.match(name)
    return int(m.group(1)) if m else None


def encode(entry: BookmarkEntry) -> bytes:
    return (json.dumps(entry.to_glue(), indent=2) + "\n").encode()


def decode(raw: bytes) -> BookmarkEntry:
    return BookmarkEntry.from_glue(json.loads(raw))


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


def open_store(location: str) -> BookmarkStore:
    """A store for ``location``: ``s3://BUCKET/PREFIX`` or a local folder."""
    if location.startswith(("s3://", "s3a://", "s3n://")):
        from dea_etl.bookmarks.s3 import S3BookmarkStore

        return S3BookmarkStore.from_uri(location)
    from dea_etl.bookmarks.local import LocalBookmarkStore

    return LocalBookmarkStore(location)
