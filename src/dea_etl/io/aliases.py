"""Files that Spark will not read under their own name, read under another.

Spark takes a file whose name starts with ``_`` or ``.`` for metadata and reads nothing from it, even
when it is named explicitly (``--input dir/_meta.csv`` gave an empty table); Hadoop's local file system
cannot open a name holding ``:`` (it looks for ``.colon:x.csv.crc`` and fails on the name). Such a local
file is read through a symbolic link of a plain name in a private temporary folder (removed when the
process ends), and :func:`source_names` gives its rows the file's own name back. On an object store a
name Spark will not read is refused with one line (there is no link to make).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlparse

from pyspark.sql import Column
from pyspark.sql import functions as F

from dea_etl.errors import InputError


def needs_alias(path: str) -> bool:
    """True for a file Spark would not read under its own name."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(("_", ".")) or ":" in name


def _local(path: str) -> str | None:
    """The plain local path of a ``file:`` URI or of a path without a scheme; None for other schemes."""
    parsed = urlparse(path)
    if parsed.scheme in ("", "file"):
        return unquote(parsed.path) if parsed.scheme else path
    return None


def _uri(local: str) -> str:
    """A local path as Spark names it in ``input_file_name()``."""
    return "file://" + quote(os.path.abspath(local), safe="/:@!$&'()*+,;=~")


def _cleanup(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Aliased:
    """The paths to give Spark, and the original URI of each file read through a link."""

    paths: list[str]
    originals: dict[str, str] = field(default_factory=dict)

    def source_names(self, source: Column) -> Column:
        """``source`` (Spark's name of a row's file) with each link's name replaced by the file's own."""
        for link, original in self.originals.items():
            source = F.when(source.endswith(link), F.lit(original)).otherwise(source)
        return source


def alias_files(paths: Sequence[str]) -> Aliased:
    """The files as Spark can read them (see the module doc); :class:`InputError` for a name Spark will
    not read on an object store."""
    out = Aliased([])
    folder = None
    for path in paths:
        if not needs_alias(path):
            out.paths.append(path)
            continue
        local = _local(path)
        if local is None:
            raise InputError(f"{path}: Spark reads nothing from a file whose name starts with '_' or '.' or holds "
                             "':' (it takes it for metadata); give it a plain name")
        if folder is None:
            folder = tempfile.mkdtemp(prefix="dea-etl-inputs-")
            atexit.register(_cleanup, folder)
        link = os.path.join(folder, f"input-{len(out.originals)}.csv")
        os.symlink(os.path.abspath(local), link)
        out.paths.append(link)
        out.originals["/" + os.path.basename(folder) + "/" + os.path.basename(link)] = _uri(local)
    return out
