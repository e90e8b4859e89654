"""Reader side of job bookmarks: list a source's files and keep those its bookmark has not covered."""

from __future__ import annotations

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
    commit (possibly none); ``skipped`` counts the others. Only the listing is read, never old data.
    """
    listed = files.list_files(spark, path)
    if session is None:
        session = BookmarkSession("", "")  # disabled: every file
    selection = session.select(transformation_ctx, listed, source=path)
    if not listed and not (session.tracking and transformation_ctx):
        raise InputError(f"no input files under {path}")
    return selection
