"""Paths looked at before Spark starts: local ones with :mod:`os`, ``s3://`` (also ``s3a://``, ``s3n://``)
with boto3, whose endpoint comes from ``AWS_ENDPOINT_URL`` as everywhere else.

A look that cannot answer (no credentials, no permission, no network, a scheme it does not know) answers
``None``: the check then lets the call through and the job's own reading decides. Only what is known for
certain is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from dea_etl.errors import InputError, JobArgumentError
from dea_etl.storage import S3_SCHEMES


def local_path(path: str) -> str | None:
    """The local file system path of ``path`` (``file:`` URIs too); None for any other scheme."""
    if path.startswith("file:"):
        return "/" + path[len("file:"):].lstrip("/")
    return None if "://" in path else path


def _s3_parts(path: str) -> tuple[str, str]:
    bucket, _, key = path.split("://", 1)[1].partition("/")
    return bucket, key


def _s3() -> Any:
    import boto3

    return boto3.client("s3")


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _has_object(s3: Any, bucket: str, key: str) -> bool:
    """Whether an object is at ``key`` (False on 404); any other refusal is raised."""
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if _code(exc) in ("404", "NoSuchKey"):
            return False
        raise
    return True


def _s3_answer(path: str, ask: Any) -> Any:
    """``ask(client, bucket, key)``: False when the bucket does not exist, None when S3 cannot answer
    (credentials, permissions, network)."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = _s3_parts(path)
    try:
        return ask(_s3(), bucket, key)
    except ClientError as exc:
        return False if _code(exc) == "NoSuchBucket" else None
    except BotoCoreError:
        return None


def _s3_exists(s3: Any, bucket: str, key: str) -> bool:
    if key and not key.endswith("/") and _has_object(s3, bucket, key):
        return True
    prefix = f"{key.rstrip('/')}/" if key.strip("/") else ""
    return bool(s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0))


def _s3_is_file(s3: Any, bucket: str, key: str) -> bool:
    return bool(key) and not key.endswith("/") and _has_object(s3, bucket, key)


def _s3_folders(s3: Any, bucket: str, key: str) -> list[str]:
    prefix = f"{key.strip('/')}/" if key.strip("/") else ""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
    return sorted(p["Prefix"][len(prefix):].rstrip("/") for page in pages for p in page.get("CommonPrefixes", []))


def _look(path: str, local: Callable[[str], bool], on_s3: Callable[[Any, str, str], bool]) -> bool | None:
    where = local_path(path)
    if where is not None:
        return local(where)
    answer: bool | None = _s3_answer(path, on_s3) if path.startswith(S3_SCHEMES) else None
    return answer


def exists(path: str) -> bool | None:
    """Whether a file or folder is at ``path``; None when that cannot be known."""
    return _look(path, os.path.exists, _s3_exists)


def is_file(path: str) -> bool | None:
    """Whether ``path`` is a file (an object, on S3); None when that cannot be known."""
    return _look(path, os.path.isfile, _s3_is_file)


def folders(path: str) -> list[str] | None:
    """The names of the folders directly in ``path`` (none when it does not exist); None when unknown."""
    local = local_path(path)
    if local is not None:
        return sorted(e.name for e in os.scandir(local) if e.is_dir()) if os.path.isdir(local) else []
    if not path.startswith(S3_SCHEMES):
        return None
    answer = _s3_answer(path, _s3_folders)
    return [] if answer is False else answer


def normalized(path: str) -> str:
    """The path in the form used for comparing: absolute (local links resolved), one s3 scheme, no trailing
    slash; as :func:`dea_etl.io.paths.normalized` makes it with a Spark session."""
    local = local_path(path)
    if local is not None:
        return "file:" + os.path.realpath(os.path.abspath(local))
    for scheme in S3_SCHEMES:
        if path.startswith(scheme):
            return "s3://" + path[len(scheme):].rstrip("/")
    return path.rstrip("/")


def _why(output: str, source: str) -> str | None:
    if output == source:
        return "is the input"
    if source.startswith(output + "/"):
        return "contains the input"
    if output.startswith(source + "/"):
        return "lies inside the input"
    return None


def check_input(path: str) -> None:
    """:class:`InputError` when nothing is at ``path`` (for certain)."""
    if exists(path) is False:
        raise InputError(f"input path {path} does not exist")


def _harm(output: str, paths: list[tuple[str, str]], what: str) -> str | None:
    """How writing ``output`` (normalized) would harm one of ``paths`` ((given, normalized) pairs), or None."""
    for given, path in paths:
        why = _why(output, path)
        if why:
            return f"{why.replace('input', what)} {given}"
    return None


def check_outputs(inputs: list[str], outputs: list[str]) -> None:
    """:class:`JobArgumentError` when an output is, contains or lies inside an input, when two outputs
    collide, or when an output is an existing file: the checks of :func:`dea_etl.io.paths.check_outputs`,
    made without Spark."""
    sources = [(p, normalized(p)) for p in inputs]
    targets = [(p, normalized(p)) for p in outputs]
    for i, (out, out_n) in enumerate(targets):
        harm = _harm(out_n, sources, "input")
        if harm:
            raise JobArgumentError(f"output {out} {harm}; choose an output outside the input")
        harm = _harm(out_n, targets[i + 1:], "output")
        if harm:
            raise JobArgumentError(f"output {out} {harm}")
        if is_file(out):
            raise JobArgumentError(f"output {out} is an existing file, not a table folder; remove it or choose another")
