"""A folder of small objects on a local disk or S3: list, read, create exclusively, put, delete.

Bookmark entries and table manifests live in such folders. Both need the one thing a file system and
S3 share: an object that is created only when its name is free, and that a reader sees whole or not at
all. Locally a name is written to a hidden temporary file and hard-linked into place (``link`` fails when
the name exists); on S3 ``PutObject`` carries ``If-None-Match: *`` (S3 answers 412 ``PreconditionFailed``,
or 409 ``ConditionalRequestConflict`` while another write of the key is in flight, to every other writer).
Names may contain ``/`` (sub folders); :meth:`ObjectFolder.names` lists one folder level.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Protocol

from dea_etl.errors import DeaEtlError

S3_SCHEMES = ("s3://", "s3a://", "s3n://")
_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_MISSING_CODES = ("NoSuchKey", "404")


class StorageError(DeaEtlError):
    """An object could not be read or written."""


class ObjectFolder(Protocol):
    location: str

    def names(self, sub: str = "") -> list[str]:
        """The names of the objects directly in the sub folder ``sub`` (none when it does not exist)."""

    def read(self, name: str) -> bytes | None:
        """The object's bytes, None when it does not exist."""

    def create(self, name: str, body: bytes) -> bool:
        """Write ``body`` unless the name exists (then False); readers never see half an object."""

    def put(self, name: str, body: bytes) -> None:
        """Write ``body``, replacing what is there; readers never see half an object."""

    def delete(self, name: str) -> None:
        """Delete the name (no error when it does not exist)."""


class LocalFolder:
    def __init__(self, root: str | Path) -> None:
        text = str(root)
        if text.startswith("file:"):
            text = "/" + text[len("file:") :].lstrip("/")
        self.root = Path(text)
        self.location = text

    def names(self, sub: str = "") -> list[str]:
        folder = self.root / sub if sub else self.root
        if not folder.is_dir():
            return []
        return [p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith(".tmp")]

    def read(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def _temp(self, name: str, body: bytes) -> Path:
        """``body`` in a hidden temporary file beside ``name``, flushed to disk."""
        folder = (self.root / name).parent
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def create(self, name: str, body: bytes) -> bool:
        tmp = self._temp(name, body)
        try:
            os.link(tmp, self.root / name)
        except FileExistsError:
            return False
        except OSError as exc:
            raise StorageError(f"cannot write {self.root / name}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def put(self, name: str, body: bytes) -> None:
        os.replace(self._temp(name, body), self.root / name)

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


class S3Folder:
    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}"
        self._client = client

    @classmethod
    def from_uri(cls, uri: str, client: Any = None) -> S3Folder:
        rest = uri.split("://", 1)[1]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise StorageError(f"{uri!r}: no bucket")
        return cls(bucket, prefix, client)

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def key(self, name: str = "") -> str:
        return "/".join(p for p in (self.prefix, name.strip("/")) if p)

    def names(self, sub: str = "") -> list[str]:
        prefix = self.key(sub) + "/"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
        return [obj["Key"][len(prefix) :] for page in pages for obj in page.get("Contents", [])]

    def read(self, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"].read())
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return None
            raise

    def create(self, name: str, body: bytes) -> bool:
        from botocore.exceptions import ClientError

        key = self.key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*",
                                   ContentType="application/json")
        except ClientError as exc:
            if _code(exc) in _CONFLICT_CODES:
                return False
            raise StorageError(f"cannot write s3://{self.bucket}/{key}: {exc}") from exc
        return True

    def put(self, name: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key(name), Body=body, ContentType="application/json")

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))


def open_folder(location: str, client: Any = None) -> ObjectFolder:
    """The folder at ``location``: ``s3://BUCKET/PREFIX`` (also ``s3a://``, ``s3n://``) or a local path."""
    if location.startswith(S3_SCHEMES):
        return S3Folder.from_uri(location, client)
    return LocalFolder(location)
