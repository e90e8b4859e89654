"""Reader side of job bookmarks: list a source's files and keep those its bookmark has not covered."""

from __future__ import annotations

from dataclasses import replace

from pyspark.sql import SparkSession

from dea_etl.bookmarks import BookmarkSession, Selection
from dea_etl.errors import InputError
from dea_etl.io import files


def new_files(
    spark: SparkSession, path: str, transformation_ctx: str | None, session: BookmarkSession | None
) -> Selection:
    """The files at ``path`` to read this run for the source ``transformation_ctx``.

    Without a session, bookmarks disabled or no ``transformation_ctx``: every file, and no files at all
    raise :class:`InputError`. With bookmarks tracking the source: only the files not covered by the last
    commit (possibly none); ``skipped`` counts the others. ``hidden`` names what the listing skipped as
    hidden (a file named itself is read whatever its name). Only the listing is read, never old data.
    """
    listed, hidden = files.scan(spark, path)
    if session is None:
        session = BookmarkSession("", "")  # disabled: every file
    selection = replace(session.select(transformation_ctx, listed, source=path), hidden=hidden)
    if not listed and not (session.tracking and transformation_ctx):
        hint = f" (skipped as hidden: {describe_names(hidden)})" if hidden else ""
        raise InputError(f"no input files under {path}{hint}")
    return selection


def describe_names(names: list[str], most: int = 10) -> str:
    """Names for one line: the first ``most``, then how many more."""
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
