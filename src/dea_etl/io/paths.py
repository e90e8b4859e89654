"""Looks at paths made before anything is read or written (and before Spark starts): does a path exist, is
it a file, which folders does it hold, and may a job's outputs be written without harming its inputs.

Local paths are looked at with :mod:`os`, ``s3://`` (also ``s3a://``, ``s3n://``) with boto3 through
:mod:`dea_etl.io.storage`. A look that cannot answer (no credentials, no permission, no network, a scheme
this module does not know) answers ``None``: a check then lets the call through and the job's own reading
decides. Only what is known for certain is refused.

A table output that is an input, contains one or lies inside one would delete the input or be read back
as input on the next run; an output that is an existing file would be replaced by a folder. Paths are
compared after normalizing them (relative -> absolute, local symbolic links resolved, every S3 scheme as
``s3://``), segment by segment, so ``/data/in`` and ``/data/input`` do not collide.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from dea_etl.errors import InputError, JobArgumentError
from dea_etl.io import storage


def _s3_answer(path: str, ask: Callable[[Any, str, str], Any]) -> Any:
    """``ask(client, bucket, key)``: False when the bucket does not exist, None when S3 cannot answer."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = storage.split_s3(path)
    try:
        return ask(storage.s3_client(), bucket, key)
    except ClientError as exc:
        return False if exc.response.get("Error", {}).get("Code") == "NoSuchBucket" else None
    except BotoCoreError:
        return None


def _has_object(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return False
        raise
    return True


def _s3_exists(s3: Any, bucket: str, key: str) -> bool:
    if key and not key.endswith("/") and _has_object(s3, bucket, key):
        return True
    prefix = f"{key.rstrip('/')}/" if key.strip("/") else ""
    return bool(s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0))


def _s3_is_file(s3: Any, bucket: str, key: str) -> bool:
    return bool(key) and not key.endswith("/") and _has_object(s3, bucket, key)


def _look(path: str, local: Callable[[str], bool], on_s3: Callable[[Any, str, str], bool]) -> bool | None:
    if storage.is_local(path):
        return local(storage.local_path(path))
    answer: bool | None = _s3_answer(path, on_s3) if storage.is_s3(path) else None
    return answer


def exists(path: str) -> bool | None:
    """Whether a file or folder is at ``path``; None when that cannot be known."""
    return _look(path, os.path.exists, _s3_exists)


def is_file(path: str) -> bool | None:
    """Whether ``path`` is a file (an object, on S3); None when that cannot be known."""
    return _look(path, os.path.isfile, _s3_is_file)


def folders(path: str) -> list[str] | None:
    """The names of the folders directly in ``path`` (none when it does not exist); None when unknown."""
    if storage.is_local(path):
        return storage.children(path)[0]
    if not storage.is_s3(path):
        return None
    answer = _s3_answer(path, lambda _s3, _b, _k: storage.children(path)[0])
    return [] if answer is False else answer


def at_most_bytes(limit: int, *paths: str) -> bool:
    """Whether the files at ``paths`` (files or folders, walked) hold at most ``limit`` bytes together; False
    as soon as more are counted, and for a path that is not local (an S3 prefix is not listed for this).
    A path that does not exist counts 0."""
    total = 0
    for path in paths:
        if not storage.is_local(path):
            return False
        root = storage.local_path(path)
        if os.path.isfile(root):
            total += os.path.getsize(root)
        for folder, _, names in os.walk(root):
            for name in names:
                try:
                    total += os.lstat(os.path.join(folder, name)).st_size
                except OSError:
                    continue  # gone meanwhile
                if total > limit:
                    return False
    return total <= limit


def normalized(path: str) -> str:
    """The path in the form used for comparing: absolute with local links resolved (``file:/...``), every S3
    scheme as ``s3://``, no trailing slash."""
    if storage.is_local(path):
        return "file:" + storage.canonical(path)
    return storage.canonical(path)


def overlap(output: str, source: str) -> str | None:
    """Why writing ``output`` would harm ``source`` (both normalized), or None when it would not."""
    if output == source:
        return "is the input"
    if source.startswith(output + "/"):
        return "contains the input"
    if output.startswith(source + "/"):
        return "lies inside the input"
    return None


def _harm(output: str, paths: Sequence[tuple[str, str]], what: str) -> str | None:
    """How writing ``output`` (normalized) would harm one of ``paths`` ((given, normalized) pairs), or None."""
    for given, path in paths:
        why = overlap(output, path)
        if why:
            return f"{why.replace('input', what)} {given}"
    return None


def check_input(path: str) -> None:
    """:class:`InputError` when nothing is at ``path`` (for certain)."""
    if exists(path) is False:
        raise InputError(f"input path {path} does not exist")


def check_outputs(*args: Any) -> None:
    """``check_outputs(inputs, outputs)`` (a Spark session first is accepted and not needed): raise
    :class:`JobArgumentError` (one line naming the paths and the cause) when an output is, contains or lies
    inside an input, when two outputs collide, or when an output is an existing file."""
    inputs, outputs = args[-2], args[-1]
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
