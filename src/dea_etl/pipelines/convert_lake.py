"""``dea-etl table convert --lake LAKE --to parquet|iceberg``: every table of a lake in one format.

Each table is read as it is (plain Parquet, Iceberg through the lake's catalog, or dea-etl 0.1's manifest
format through its newest manifest) and written again, in place, in the other format, with the same rows
and partition columns; then what the old format kept is deleted (the Parquet files, the Iceberg table and
its files, the 0.1 format's ``_dea_runs/`` and ``_dea_manifest/``). A table already in the wanted format is
left alone, so a conversion stopped half way is finished by running it again.
"""

from __future__ import annotations

import time
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from dea_etl.io import storage
from dea_etl.io.catalogs import table_ref
from dea_etl.io.discover import is_data_file
from dea_etl.io.iceberg import java_table, read_iceberg, stage_iceberg
from dea_etl.io.lake import processed_root
from dea_etl.io.legacy import read_legacy, remove_legacy
from dea_etl.io.parquet import read_parquet, stage_parquet
from dea_etl.io.tables import ICEBERG, LEGACY, PARQUET, lake_tables


def _parquet_partitions(path: str) -> tuple[str, ...]:
    """The partition columns of a plain Parquet table: the ``key=`` folders above its first data file."""
    for rel, _ in storage.list_tree(path):
        parts = rel.split("/")
        if is_data_file(parts[-1]) and all("=" in p for p in parts[:-1]):
            return tuple(p.split("=", 1)[0] for p in parts[:-1])
    return ()


def _iceberg_partitions(spark: SparkSession, path: str) -> tuple[str, ...]:
    """The source columns of an Iceberg table's identity partitions (the ones dea-etl writes)."""
    table: Any = java_table(spark, table_ref(spark, path))
    schema, fields = table.schema(), table.spec().fields()
    return tuple(str(schema.findColumnName(f.sourceId())) for f in fields if str(f.transform()) == "identity")


def _read(spark: SparkSession, path: str, kind: str) -> tuple[DataFrame, tuple[str, ...]]:
    if kind == LEGACY:
        return read_legacy(spark, path)
    if kind == ICEBERG:
        return read_iceberg(spark, path), _iceberg_partitions(spark, path)
    return read_parquet(spark, path), _parquet_partitions(path)


def _old_parquet_files(path: str) -> list[str]:
    """The plain Parquet data files of a folder that now also holds an Iceberg table (outside its
    ``data/`` and ``metadata/``)."""
    return [rel for rel, _ in storage.list_tree(path)
            if is_data_file(rel.rsplit("/", 1)[-1]) and rel.split("/", 1)[0] not in ("data", "metadata")]


def convert_table(spark: SparkSession, path: str, kind: str, to: str, run_id: str) -> None:
    """Rewrite the table at ``path`` (now ``kind``) as ``to``, in place."""
    df, partition_by = _read(spark, path, kind)
    df = df.cache()  # read once: the old files go while the new ones are written
    df.count()
    try:
        if to == ICEBERG:
            stage_iceberg(df, path, run_id=run_id, mode="overwrite", partition_by=partition_by).publish()
            if kind == PARQUET:
                storage.delete_files(path, _old_parquet_files(path))
        else:
            staged = stage_parquet(df, path, run_id=run_id, mode="overwrite", partition_by=partition_by,
                                   converting=True)
            if kind == ICEBERG:
                spark.sql(f"DROP TABLE IF EXISTS {table_ref(spark, path).ident} PURGE")
                storage.delete_tree(storage.join(path, "metadata"))
                storage.delete_tree(storage.join(path, "data"))
            staged.publish()
        if kind == LEGACY:
            remove_legacy(path)
    finally:
        df.unpersist()


def convert_lake(spark: SparkSession, lake: str, to: str) -> list[str]:
    """Convert every table of ``lake`` to ``to``; a line per table."""
    root = processed_root(lake)
    run_id = time.strftime("convert-%Y%m%dT%H%M%S", time.gmtime())
    lines = []
    for folder, kind in lake_tables(lake).items():
        if kind == to:
            lines.append(f"{folder}: {to} already")
            continue
        convert_table(spark, storage.join(root, folder), kind, to, run_id)
        lines.append(f"{folder}: {kind} -> {to}")
    return lines
