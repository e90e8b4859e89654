"""One entry point for writing and reading a table in either format: ``--table-format parquet|iceberg``.

Both formats stage first and publish later (:class:`Staged`): Parquet under the run's prefix in the table,
published by a manifest version (:mod:`dea_etl.io.parquet`), Iceberg on a branch of the table
(:mod:`dea_etl.io.iceberg`). Read with :func:`read_in_format` (a known format) or :func:`read_any`; a
Parquet table is read through its manifest (:func:`dea_etl.io.parquet.read_table`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from dea_etl.io import files
from dea_etl.io.iceberg import IcebergCatalog, is_iceberg_table, read_iceberg, stage_iceberg
from dea_etl.io.parquet import read_table, stage_parquet

PARQUET = "parquet"
ICEBERG = "iceberg"
FORMATS = (PARQUET, ICEBERG)


class Staged(Protocol):
    """A write waiting to be published (or discarded)."""

    def publish(self) -> None: ...

    def discard(self) -> None: ...

    def claim_record(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class TableFormat:
    """How tables are written and read: plain Parquet folders, or Iceberg tables in ``catalog``."""

    name: str = PARQUET
    catalog: IcebergCatalog = field(default_factory=IcebergCatalog)

    def __post_init__(self) -> None:
        if self.name not in FORMATS:
            raise ValueError(f"table format must be one of {', '.join(FORMATS)}, got {self.name!r}")

    @property
    def is_iceberg(self) -> bool:
        return self.name == ICEBERG


DEFAULT_FORMAT = TableFormat()


def stage_table(df: DataFrame, target: str, *, table_format: TableFormat = DEFAULT_FORMAT, **options: Any) -> Staged:
    """Stage ``df`` for ``target`` in ``table_format`` (options as :func:`~dea_etl.io.parquet.stage_parquet`)."""
    if table_format.is_iceberg:
        return stage_iceberg(df, target, catalog=table_format.catalog, **options)
    return stage_parquet(df, target, **options)


def stage_counted(df: DataFrame, target: str, **options: Any) -> tuple[Staged, int]:
    """:func:`stage_table` that also counts the rows written (in the same pass, with ``observe``)."""
    obs = Observation()
    staged = stage_table(df.observe(obs, F.count(F.lit(1)).alias("rows")), target, **options)
    return staged, int(obs.get["rows"])


def write_table(df: DataFrame, target: str, **options: Any) -> None:
    """Stage and publish in one call."""
    stage_table(df, target, **options).publish()


def read_in_format(
    spark: SparkSession, path: str, table_format: TableFormat = DEFAULT_FORMAT, schema: StructType | None = None
) -> DataFrame:
    """The table at ``path`` in ``table_format``; with ``schema``, its columns in that order.

    Parquet: :func:`dea_etl.io.parquet.read_table` (the manifest's newest version, read with ``schema``).
    """
    if table_format.is_iceberg:
        df = read_iceberg(spark, path, table_format.catalog)
        return df.select(*schema.fieldNames()) if schema else df
    return read_table(spark, path, schema)


def read_any(spark: SparkSession, path: str, schema: StructType | None = None) -> DataFrame:
    """The table at ``path``, an Iceberg table of the lake's catalog or else a Parquet table."""
    fmt = TableFormat(ICEBERG) if is_iceberg_table(spark, path) else DEFAULT_FORMAT
    return read_in_format(spark, path, fmt, schema)


def table_exists(spark: SparkSession, path: str, table_format: TableFormat = DEFAULT_FORMAT) -> bool:
    if table_format.is_iceberg:
        return is_iceberg_table(spark, path, table_format.catalog)
    return files.exists(spark, path)

