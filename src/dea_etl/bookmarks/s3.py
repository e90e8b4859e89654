"""Bookmark entries on S3: ``s3://BUCKET/PREFIX/<job>/<version>.json`` written with conditional writes.

``PutObject`` with ``IfNoneMatch="*"`` creates a version only when its key does not exist yet; S3 answers
412 ``PreconditionFailed`` (or 409 ``ConditionalRequestConflict`` while another write of the key is in
flight) to every other writer, so two commits of the same version cannot both succeed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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

_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")


class S3BookmarkStore:
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

    def _keys(self, job_name: str, parse: Callable[[str], int | None]) -> list[str]:
        """The job's keys whose names ``parse`` reads as a version, in version order."""
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(job_name) + "/"
        )
        for page in pages:
            for obj in page.get("Contents", []):
                version = parse(obj["Key"].rsplit("/", 1)[-1])
                if version is not None:
                    found.append((version, obj["Key"]))
        return [k for _, k in sorted(found)]

    def _version_keys(self, job_name: str) -> list[str]:
        return self._keys(job_name, parse_version_name)

    def _get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def latest(self, job_name: str) -> BookmarkEntry | None:
        keys = self._version_keys(job_name)
        return decode(self._get(keys[-1])) if keys else None

    def history(self, job_name: str) -> list[BookmarkEntry]:
        return [decode(self._get(k)) for k in self._version_keys(job_name)]

    def _put_exclusive(self, key: str, body: bytes) -> bool:
        """``PutObject`` with ``If-None-Match: *``: False when the key exists (or is being written)."""
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*",
                                   ContentType="application/json")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _CONFLICT_CODES:
                return False
            raise BookmarkError(f"cannot write s3://{self.bucket}/{key}: {exc}") from exc
        return True

    def create(self, entry: BookmarkEntry) -> None:
        if not self._put_exclusive(self._key(entry.job_name, version_name(entry.version)), encode(entry)):
            raise conflict(entry)

    def claim(self, claim: Claim) -> None:
        from botocore.exceptions import ClientError

        key = self._key(claim.entry.job_name, claim_name(claim.entry.version))
        while not self._put_exclusive(key, claim.to_json()):
            try:
                raise claimed(Claim.from_json(self._get(key)))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                    raise
                # released between our put and our get: try again

    def claims(self, job_name: str) -> list[Claim]:
        return [Claim.from_json(self._get(k)) for k in self._keys(job_name, parse_claim_name)]

    def release(self, job_name: str, version: int) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(job_name, claim_name(version)))

    def read_attempt(self, job_name: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return dict(json.loads(self._get(self._key(job_name, ATTEMPT_NAME))))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def write_attempt(self, job_name: str, attempt: dict[str, Any]) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(job_name, ATTEMPT_NAME),
                               Body=json.dumps(attempt).encode(), ContentType="application/json")
