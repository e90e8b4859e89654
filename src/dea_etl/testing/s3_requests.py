"""Count the S3 requests a moto_server receives, with moto's request recorder (``/moto-api/recorder/``)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

SPACE = re.compile(r"\s*")


def _post(endpoint: str, action: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", method="POST")).close()


def operation(entry: dict[str, Any]) -> str:
    """The S3 operation of a recorded request (the ones publishing could issue)."""
    method, url = str(entry["method"]), urlparse(entry["url"])
    headers = {k.lower(): v for k, v in entry["headers"].items()}
    if method == "PUT" and "x-amz-copy-source" in headers:
        return "UploadPartCopy" if "partNumber" in url.query else "CopyObject"
    if method == "PUT":
        return "UploadPart" if "partNumber" in url.query else "PutObject"
    if method == "POST" and "delete" in url.query:
        return "DeleteObjects"
    if method == "GET" and url.path.rstrip("/").count("/") <= 1:
        return "ListObjects"
    return {"GET": "GetObject", "HEAD": "HeadObject", "DELETE": "DeleteObject", "POST": "Post"}.get(method, method)


@dataclass
class Recording:
    entries: list[dict[str, Any]] = field(default_factory=list)

    def operations(self) -> Counter[str]:
        return Counter(operation(e) for e in self.entries)

    def keys(self, op: str) -> list[str]:
        return [urlparse(e["url"]).path for e in self.entries if operation(e) == op]


def _entries(raw: str) -> Iterator[dict[str, Any]]:
    """The recorded requests: JSON objects one per line, or several on a line (moto's threads append)."""
    decoder, at = json.JSONDecoder(), 0
    while (at := SPACE.match(raw, at).end()) < len(raw):  # type: ignore[union-attr]  # \s* always matches
        entry, at = decoder.raw_decode(raw, at)
        yield entry


@contextmanager
def recorded(endpoint: str) -> Iterator[Recording]:
    """Record every request moto_server receives inside the block."""
    _post(endpoint, "reset-recording")
    _post(endpoint, "start-recording")
    rec = Recording()
    try:
        yield rec
    finally:
        _post(endpoint, "stop-recording")
        raw = urllib.request.urlopen(f"{endpoint}/moto-api/recorder/download-recording").read().decode()
        rec.entries.extend(_entries(raw))
