"""Find a table's partitions (``key=value`` folders) in the lake: S3 with boto3, or a local folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

Partition = tuple[str, ...]


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _value(name: str, key: str) -> str | None:
    prefix = f"{key}="
    return name[len(prefix) :] if name.startswith(prefix) and not _hidden(name) else None


def local_partitions(table_dir: str, keys: tuple[str, ...]) -> list[Partition]:
    """Partition values found under a local table folder (e.g. ``("2014", "5")``), sorted."""
    found: list[Partition] = [()]
    for key in keys:
        nxt = []
        for values in found:
            folder = Path(table_dir, *(f"{k}={v}" for k, v in zip(keys, values, strict=False)))
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                value = _value(child.name, key)
                if child.is_dir() and value is not None:
                    nxt.append((*values, value))
        found = nxt
    return sorted(found, key=_sort_key) if keys else []


def s3_partitions(s3: Any, table_uri: str, keys: tuple[str, ...]) -> list[Partition]:
    """Partition values under ``s3://bucket/prefix/`` listed level by level (``Delimiter='/'``)."""
    parsed = urlparse(table_uri)
    bucket, root = parsed.netloc, parsed.path.lstrip("/").rstrip("/") + "/"
    paginator = s3.get_paginator("list_objects_v2")
    found: list[tuple[Partition, str]] = [((), root)]
    for key in keys:
        nxt = []
        for values, prefix in found:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    name = common["Prefix"][len(prefix) :].rstrip("/")
                    value = _value(name, key)
                    if value is not None:
                        nxt.append(((*values, value), common["Prefix"]))
        found = nxt
    return sorted((v for v, _ in found), key=_sort_key) if keys else []


def _sort_key(values: Partition) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(v)) if v.isdigit() else (1, v) for v in values)


def partition_path(table_location: str, keys: tuple[str, ...], values: Partition) -> str:
    return (
        table_location.rstrip("/")
        + "/"
        + "/".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
        + "/"
    )
