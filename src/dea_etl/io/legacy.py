"""Lakes written by dea-etl 0.1, whose tables were published by a manifest format of dea-etl's own.

Such a table keeps its data under ``<table>/_dea_runs/dea_run=<run>/`` and the list of the files that count
in ``<table>/_dea_manifest/<version>.json``: no other reader sees its rows, and dea-etl no longer writes it.
Every reader and writer of a table refuses one (:func:`refuse_legacy`, one line naming the command) so that
nothing is silently misread; ``dea-etl table convert --lake LAKE --to parquet|iceberg`` reads each such table
once, through its newest manifest (:func:`read_legacy`), and rewrites it in a standard format.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from dea_etl.errors import OutputError
from dea_etl.io import storage

if TYPE_CHECKING:  # detecting and refusing such a table needs no pyspark; reading it does
    from pyspark.sql import DataFrame, SparkSession

MANIFESTS = "_dea_manifest"
RUNS = "_dea_runs"
RUN_COLUMN = "dea_run"


class LegacyTableError(OutputError):
    """A table in dea-etl 0.1's own manifest format."""


def is_legacy_table(location: str) -> bool:
    """True when the folder holds dea-etl 0.1's manifest folder (one listing of its top level)."""
    folders, _ = storage.children(location)
    return MANIFESTS in folders


def refuse_legacy(location: str) -> None:
    """Raise :class:`LegacyTableError` when ``location`` is a table in dea-etl 0.1's manifest format."""
    if is_legacy_table(location):
        raise LegacyTableError(
            f"{location} is in the manifest format of dea-etl 0.1 ({MANIFESTS}/), which no other reader "
            "understands and this version neither reads nor writes: convert the lake once with "
            "`dea-etl table convert --lake LAKE --to parquet` (or --to iceberg)"
        )


def _newest_manifest(location: str) -> dict[str, object]:
    folder = storage.open_folder(storage.join(location, MANIFESTS))
    versions = sorted((n for n in folder.names() if n.endswith(".json") and n[:-5].isdigit()), reverse=True)
    for name in versions:
        raw = folder.read(name)
        if raw is not None:
            return dict(json.loads(raw))
    raise LegacyTableError(f"{location}: {MANIFESTS}/ holds no manifest version")


def read_legacy(spark: SparkSession, location: str) -> tuple[DataFrame, tuple[str, ...]]:
    """The rows of the newest version of a 0.1 table, and its partition columns."""
    from pyspark.sql.types import StringType, StructField, StructType

    manifest = _newest_manifest(location)
    schema = StructType.fromJson(manifest["Schema"])  # type: ignore[arg-type]
    partition_by = tuple(str(c) for c in manifest["PartitionBy"])  # type: ignore[attr-defined]
    slices = manifest["Slices"]
    paths = [storage.join(location, RUNS, f"{RUN_COLUMN}={s['Run']}", s["Part"]) for s in slices]  # type: ignore[attr-defined]
    data = [f for f in schema.fields if f.name not in partition_by]
    ordered = StructType([*data, *(schema[c] for c in partition_by)])
    if not paths:
        return spark.createDataFrame([], ordered), partition_by
    # The slices sit under _dea_runs/dea_run=<run>/[year=2014/month=5/]: read from there, the run a column.
    with_run = StructType([*schema.fields, StructField(RUN_COLUMN, StringType())])
    df = spark.read.schema(with_run).option("basePath", storage.join(location, RUNS)).parquet(*paths)
    return df.select(*ordered.names), partition_by


def remove_legacy(location: str) -> None:
    """Delete the 0.1 format's folders of a converted table."""
    storage.delete_tree(storage.join(location, RUNS))
    storage.delete_tree(storage.join(location, MANIFESTS))
