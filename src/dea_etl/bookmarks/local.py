"""Bookmark entries in a local folder: ``<root>/<job>/<version>.json``, created atomically and exclusively.

A version is written to a temporary file and hard-linked to its final name; ``link`` fails when the name
exists, so two commits of the same version cannot both succeed and a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from dea_etl.bookmarks.model import BookmarkEntry
from dea_etl.bookmarks.store import (
    ATTEMPT_NAME,
    BookmarkError,
    Claim,
    claim_name,
    claimed,
    conflict,
    decode,
    encode,
    job_folder,
    parse_claim_name,
    parse_version_name,
    version_name,
)


class LocalBookmarkStore:
    def __init__(self, root: str | Path) -> None:
        text = str(root)
        self.root = Path(text[len("file:"):] if text.startswith("file:") else text)

    def _dir(self, job_name: str) -> Path:
        return self.root / job_folder(job_name)

    def _versions(self, job_name: str) -> list[Path]:
        folder = self._dir(job_name)
        if not folder.is_dir():
            return []
        found = [(v, p) for p in folder.iterdir() if (v := parse_version_name(p.name)) is not None]
        return [p for _, p in sorted(found)]

    def latest(self, job_name: str) -> BookmarkEntry | None:
        versions = self._versions(job_name)
        return decode(versions[-1].read_bytes()) if versions else None

    def history(self, job_name: str) -> list[BookmarkEntry]:
        return [decode(p.read_bytes()) for p in self._versions(job_name)]

    def _create_exclusive(self, job_name: str, name: str, body: bytes) -> bool:
        """Write ``body`` as ``<job>/<name>`` unless that exists (then False); readers never see half."""
        folder = self._dir(job_name)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, folder / name)
            except FileExistsError:
                return False
            except OSError as exc:
                raise BookmarkError(f"cannot write a bookmark in {folder}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def create(self, entry: BookmarkEntry) -> None:
        if not self._create_exclusive(entry.job_name, version_name(entry.version), encode(entry)):
            raise conflict(entry)

    def claim(self, claim: Claim) -> None:
        entry = claim.entry
        while not self._create_exclusive(entry.job_name, claim_name(entry.version), claim.to_json()):
            path = self._dir(entry.job_name) / claim_name(entry.version)
            try:
                raise claimed(Claim.from_json(path.read_bytes()))
            except FileNotFoundError:
                continue  # released between our create and our read: try again

    def claims(self, job_name: str) -> list[Claim]:
        folder = self._dir(job_name)
        if not folder.is_dir():
            return []
        found = sorted((v, p) for p in folder.iterdir() if (v := parse_claim_name(p.name)) is not None)
        return [Claim.from_json(p.read_bytes()) for _, p in found]

    def release(self, job_name: str, version: int) -> None:
        (self._dir(job_name) / claim_name(version)).unlink(missing_ok=True)

    def read_attempt(self, job_name: str) -> dict[str, Any] | None:
        path = self._dir(job_name) / ATTEMPT_NAME
        return json.loads(path.read_text()) if path.exists() else None

    def write_attempt(self, job_name: str, attempt: dict[str, Any]) -> None:
        folder = self._dir(job_name)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(attempt))
        os.replace(tmp, folder / ATTEMPT_NAME)
