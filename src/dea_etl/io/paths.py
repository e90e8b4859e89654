"""Checks on a job's outputs against its inputs, made before anything is read or written.

A table output that is an input, contains one or lies inside one would delete the input or be read back
as input on the next run; an output that is an existing file would be replaced by a folder. Paths are
compared after qualifying them (relative -> absolute, ``s3a://``/``s3n://`` read as ``s3://``, local
symbolic links resolved), segment by segment, so ``/data/in`` and ``/data/input`` do not collide.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pyspark.sql import SparkSession

from dea_etl.errors import JobArgumentError
from dea_etl.io import files, storage


def normalized(spark: SparkSession, path: str) -> str:
    """The path in the form used for comparing: qualified, one s3 scheme, no trailing slash."""
    qualified = files.qualify(spark, path).rstrip("/")
    if storage.is_local(qualified):
        # Hadoop's Path prints the path decoded ("file:/in dir/100%.csv"), as the file system names it.
        return "file:" + os.path.realpath("/" + qualified[len("file:"):].lstrip("/"))
    return storage.canonical(qualified)


def _inside(child: str, parent: str) -> bool:
    return child.startswith(parent.rstrip("/") + "/")


def overlap(output: str, source: str) -> str | None:
    """Why writing ``output`` would harm ``source`` (both normalized), or None when it would not."""
    if output == source:
        return "is the input"
    if _inside(source, output):
        return "contains the input"
    if _inside(output, source):
        return "lies inside the input"
    return None


def check_outputs(spark: SparkSession, inputs: Sequence[str], outputs: Sequence[str]) -> None:
    """Raise :class:`JobArgumentError` (one line naming the paths and the cause) when an output is, contains
    or lies inside an input, when two outputs collide, or when an output is an existing file."""
    sources = [(path, normalized(spark, path)) for path in inputs]
    targets = [(path, normalized(spark, path)) for path in outputs]
    for i, (out, out_n) in enumerate(targets):
        for src, src_n in sources:
            why = overlap(out_n, src_n)
            if why:
                raise JobArgumentError(f"output {out} {why} {src}; choose an output outside the input")
        for other, other_n in targets[i + 1 :]:
            why = overlap(out_n, other_n)
            if why:
                raise JobArgumentError(f"output {out} {why.replace('input', 'output')} {other}")
        if files.is_file(spark, out):
            raise JobArgumentError(f"output {out} is an existing file, not a table folder; remove it or choose another")
