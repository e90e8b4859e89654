"""Bookmark entries in a local folder: ``<root>/<job>/<version>.json``, created atomically and exclusively.

A version (or claim) is written to a temporary file and hard-linked to its final name; ``link`` fails
when the name exists, so two commits of the same version cannot both succeed and a reader never sees
half a file.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from dea_etl.bookmarks.store import BookmarkError, FolderBookmarkStore, job_folder


class LocalBookmarkStore(FolderBookmarkStore):
    def __init__(self, root: str | Path) -> None:
        text = str(root)
        self.root = Path(text[len("file:"):] if text.startswith("file:") else text)

    def _dir(self, job_name: str) -> Path:
        return self.root / job_folder(job_name)

    def _names(self, job_name: str) -> list[str]:
        folder = self._dir(job_name)
        return [p.name for p in folder.iterdir()] if folder.is_dir() else []

    def _read(self, job_name: str, name: str) -> bytes | None:
        try:
            return (self._dir(job_name) / name).read_bytes()
        except FileNotFoundError:
            return None

    def _temp(self, job_name: str, body: bytes) -> Path:
        """``body`` in a hidden temporary file of the job's folder, flushed to disk."""
        folder = self._dir(job_name)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def _create(self, job_name: str, name: str, body: bytes) -> bool:
        tmp = self._temp(job_name, body)
        try:
            os.link(tmp, self._dir(job_name) / name)
        except FileExistsError:
            return False
        except OSError as exc:
            raise BookmarkError(f"cannot write a bookmark in {self._dir(job_name)}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def _put(self, job_name: str, name: str, body: bytes) -> None:
        os.replace(self._temp(job_name, body), self._dir(job_name) / name)

    def _delete(self, job_name: str, name: str) -> None:
        (self._dir(job_name) / name).unlink(missing_ok=True)
