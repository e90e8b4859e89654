"""Bookmark entries on S3: ``s3://BUCKET/PREFIX/<job>/<version>.json`` written with conditional writes.

``PutObject`` with ``IfNoneMatch="*"`` creates a version (or claim) only when its key does not exist yet;
S3 answers 412 ``PreconditionFailed`` (or 409 ``ConditionalRequestConflict`` while another write of the
key is in flight) to every other writer, so two commits of the same version cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from dea_etl.bookmarks.store import BookmarkError, FolderBookmarkStore, job_folder

_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_MISSING_CODES = ("NoSuchKey", "404")


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


class S3BookmarkStore(FolderBookmarkStore):
    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client

    @classmethod
    def from_uri(cls, uri: str) -> S3BookmarkStore:
        rest = uri.split("://", 1)[1]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise BookmarkError(f"bookmark store {uri!r}: no bucket")
        return cls(bucket, prefix)

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def _key(self, job_name: str, name: str = "") -> str:
        return "/".join(p for p in (self.prefix, job_folder(job_name), name) if p)

    def _names(self, job_name: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(job_name) + "/"
        )
        return [obj["Key"].rsplit("/", 1)[-1] for page in pages for obj in page.get("Contents", [])]

    def _read(self, job_name: str, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self._key(job_name, name))["Body"].read())
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return None
            raise

    def _create(self, job_name: str, name: str, body: bytes) -> bool:
        from botocore.exceptions import ClientError

        key = self._key(job_name, name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*",
                                   ContentType="application/json")
        except ClientError as exc:
            if _code(exc) in _CONFLICT_CODES:
                return False
            raise BookmarkError(f"cannot write s3://{self.bucket}/{key}: {exc}") from exc
        return True

    def _put(self, job_name: str, name: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(job_name, name), Body=body,
                               ContentType="application/json")

    def _delete(self, job_name: str, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(job_name, name))
