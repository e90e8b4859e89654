"""Glue's own job bookmarks as the file selector of a source (``--bookmark-store glue``, the default on Glue).

Glue tracks a file source only when Glue reads it: ``create_dynamic_frame.from_options`` with the source's
``transformation_ctx`` returns the rows of the files Glue's bookmark has not covered, and ``job.commit()``
(called by the runtime after the run succeeded) advances Glue's state. So a source asks Glue for its new
files by reading them through a DynamicFrame and keeping only each row's file name; dea-etl then reads
those files with its own reader (same parser, same line-numbered quarantine as everywhere else). The cost:
on Glue the new files are read twice, the old ones never. The CSV options make every physical line one
field (no quoting, a separator that does not occur), so no file can fail to parse here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from pyspark.sql import functions as F

from dea_etl.bookmarks.model import ListedFile
from dea_etl.io import storage

#: The column Glue adds with each record's source file (``attachFilename``).
FILE_COLUMN = "_dea_etl_source_file"
#: Hidden files and folders, as :func:`dea_etl.io.files.list_files` skips them.
EXCLUSIONS = ["**/_*", "**/.*", "_*", ".*"]


def same_file(path: str) -> str:
    """A file's path in one spelling: ``file:/x`` for local files, ``s3://`` for s3a/s3n, not URL-quoted."""
    path = unquote(path)
    if path.startswith("file:"):
        return "file:/" + path[len("file:"):].lstrip("/")
    return storage.canonical(path) if storage.is_s3(path) else path


class GlueBookmarkedFiles:
    """Which files of a source Glue's job bookmark has not covered yet (needs the Glue runtime)."""

    def __init__(self, glue_context: Any) -> None:
        self.glue_context = glue_context

    def select(self, source: str, transformation_ctx: str, listed: Sequence[ListedFile]) -> list[ListedFile]:
        """The files of ``listed`` that Glue's reader returns rows of for ``transformation_ctx``."""
        new = self._new_paths(source, transformation_ctx)
        return [f for f in listed if same_file(f.path) in new]

    def _new_paths(self, path: str, transformation_ctx: str) -> set[str]:
        frame = self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={
                "paths": [path],
                "recurse": True,
                "exclusions": json.dumps(EXCLUSIONS),
                "attachFilename": FILE_COLUMN,
            },
            format="csv",
            format_options={"withHeader": False, "separator": "\u0001", "quoteChar": -1},
            transformation_ctx=transformation_ctx,
        )
        df = frame.toDF()
        name = F.col(FILE_COLUMN) if FILE_COLUMN in df.columns else F.input_file_name()
        return {same_file(str(r[0])) for r in df.select(name.alias("f")).distinct().collect() if r[0]}
