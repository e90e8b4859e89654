"""The lake's layout, as in the course's bucket: rawData/, processedData/, scriptLocation/, tmpDir/, athena/.

The one definition of the layout: the jobs read and write through :class:`Lake`, and ``dea-etl deploy``
puts the scripts, the library and the logs where :class:`Lake` says (``Lake.in_bucket(BUCKET)``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dea_etl.errors import InputError

if TYPE_CHECKING:  # the layout loads without pyspark (for the checks made before Spark starts)
    from pyspark.sql import SparkSession

RAW = "rawData"
PROCESSED = "processedData"
SCRIPT_LOCATION = "scriptLocation"
TMP_DIR = "tmpDir"
ATHENA = "athena"
FOLDERS = (RAW, PROCESSED, SCRIPT_LOCATION, TMP_DIR, ATHENA)
QUARANTINE_SUFFIX = "_quarantine"


def processed_root(lake: str) -> str:
    """``lake`` if it already ends in processedData/, else its processedData/ folder."""
    lake = lake.rstrip("/")
    return lake if lake.rsplit("/", 1)[-1] == PROCESSED else f"{lake}/{PROCESSED}"


def quarantine_path(output: str) -> str:
    """Where a table's quarantined rows go: a sibling folder ``<output>_quarantine``."""
    return output.rstrip("/") + QUARANTINE_SUFFIX


@dataclass(frozen=True)
class Lake:
    """Paths in a lake rooted at a local folder or ``s3://bucket[/prefix]``."""

    root: str

    @classmethod
    def in_bucket(cls, bucket: str) -> Lake:
        """The lake that fills a whole bucket (``s3://BUCKET``), as ``dea-etl deploy`` lays it out."""
        return cls(f"s3://{bucket}")

    def _join(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *[p for p in parts if p]])

    @staticmethod
    def key(uri: str) -> str:
        """The object key of an ``s3://BUCKET/KEY`` URI inside its bucket."""
        return uri.partition("://")[2].partition("/")[2]

    def raw(self, table: str) -> str:
        return self._join(RAW, table)

    def processed(self, table: str) -> str:
        return self._join(PROCESSED, table)

    def quarantine(self, table: str) -> str:
        return quarantine_path(self.processed(table))

    @property
    def tmp(self) -> str:
        return self._join(TMP_DIR)

    @property
    def bookmarks(self) -> str:
        return self._join(TMP_DIR, "bookmarks")

    @property
    def logs(self) -> str:
        """Where the platforms write the jobs' logs (EMR Serverless ``logUri``)."""
        return self._join(TMP_DIR, "logs")

    def script_location(self, name: str = "") -> str:
        """A built artifact in scriptLocation/ (``dea_etl.zip``, ``manifest.json``, ``jobs/<job>.py``)."""
        return self._join(SCRIPT_LOCATION, name)

    def script(self, job: str) -> str:
        """The deployed script of a job."""
        return self.script_location(f"jobs/{job}.py")


def sample_file(data_dir: Path, file_name: str) -> Path:
    """A sample file of ``data_dir``; :class:`InputError` when it is missing."""
    src = data_dir / file_name
    if not src.exists():
        raise InputError(f"sample file {src} not found")
    return src


def lay_out_local_lake(root: Path, data_dir: Path, tables: dict[str, str]) -> list[Path]:
    """Create the bucket's folders under ``root`` and copy each table's sample file into rawData/<table>/.

    ``tables`` maps table name -> file name in ``data_dir``. Files are copied byte for byte, only when
    missing or different in size or age, so that an unchanged rerun keeps their modification times.
    """
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    copied = []
    for table, file_name in tables.items():
        src = sample_file(data_dir, file_name)
        dst = root / RAW / table / file_name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists() or dst.stat().st_size != src.stat().st_size or dst.stat().st_mtime < src.stat().st_mtime:
            shutil.copy2(src, dst)
            copied.append(dst)
    return copied


def lay_out_lake(spark: SparkSession, root: str, data_dir: Path, tables: dict[str, str]) -> list[str]:
    """:func:`lay_out_local_lake` for a lake that is a local folder or ``s3://bucket[/prefix]``.

    On an object store each sample file is uploaded to ``rawData/<table>/`` through Hadoop's FileSystem
    API (when missing, different in size or older than the local file) and the bucket's folders are
    created as S3A creates folders (empty ``folder/`` marker objects, as the S3 console does).
    """
    if "://" not in root or root.startswith("file:"):
        local = Path(root.removeprefix("file://").removeprefix("file:"))
        return [str(p) for p in lay_out_local_lake(local, data_dir, tables)]
    from dea_etl.io import files

    lake = Lake(root)
    for folder in FOLDERS:
        files.make_dirs(spark, lake._join(folder))
    copied = []
    for table, file_name in tables.items():
        src = sample_file(data_dir, file_name)
        dst = f"{lake.raw(table)}/{file_name}"
        if files.upload_if_changed(spark, str(src), dst):
            copied.append(dst)
    return copied
