"""One entry point for writing and reading a table in either format: ``--table-format parquet|iceberg``.

Both formats write first and publish later (:class:`Staged`): plain Parquet writes its run-named files into
the table and publishing deletes the files they replace (:mod:`dea_etl.io.parquet`); Iceberg writes a
snapshot on a branch of the table and publishing moves ``main`` to it (:mod:`dea_etl.io.iceberg`). Read
with :func:`read_table` (the format given, or found: an Iceberg table of the lake's catalog, else Parquet).

A lake holds one format (:func:`lake_format`): a job that would write the other one into it is refused
(:func:`check_lake_format`) unless it converts the lake (``dea-etl table convert``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from dea_etl.errors import JobArgumentError
from dea_etl.io import storage
from dea_etl.io.catalogs import DEFAULT_CATALOG, IcebergCatalog
from dea_etl.io.iceberg import is_iceberg_table, read_iceberg, stage_iceberg
from dea_etl.io.lake import PROCESSED, processed_root
from dea_etl.io.legacy import MANIFESTS, refuse_legacy
from dea_etl.io.parquet import is_data_file, read_parquet, stage_parquet

PARQUET = "parquet"
ICEBERG = "iceberg"
FORMATS = (PARQUET, ICEBERG)
#: A table in dea-etl 0.1's manifest format (:mod:`dea_etl.io.legacy`): read only by ``table convert``.
LEGACY = "legacy"


class Staged(Protocol):
    """A write waiting to be published (or discarded)."""

    def publish(self) -> None: ...

    def discard(self) -> None: ...

    def claim_record(self) -> dict[str, object]: ...

    def new_rows_df(self) -> DataFrame: ...


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
    """Write ``df`` for ``target`` in ``table_format``, unpublished (options as
    :func:`~dea_etl.io.parquet.stage_parquet`)."""
    if table_format.is_iceberg:
        return stage_iceberg(df, target, catalog=table_format.catalog, **options)
    return stage_parquet(df, target, **options)


def stage_counted(df: DataFrame, target: str, **options: Any) -> tuple[Staged, int]:
    """:func:`stage_table` that also counts the rows written (in the same pass, with ``observe``)."""
    obs = Observation()
    staged = stage_table(df.observe(obs, F.count(F.lit(1)).alias("rows")), target, **options)
    return staged, int(obs.get["rows"])


def write_table(df: DataFrame, target: str, **options: Any) -> None:
    """Write and publish in one call (a publish that fails leaves nothing of the write behind)."""
    staged = stage_table(df, target, **options)
    try:
        staged.publish()
    except BaseException:
        staged.discard()
        raise


def read_in_format(
    spark: SparkSession, path: str, table_format: TableFormat = DEFAULT_FORMAT, schema: StructType | None = None
) -> DataFrame:
    """The table at ``path`` in ``table_format``; with ``schema``, its columns in that order (Parquet: read
    with those types, partition columns last)."""
    if table_format.is_iceberg:
        df = read_iceberg(spark, path, table_format.catalog)
        return df.select(*schema.fieldNames()) if schema else df
    return read_parquet(spark, path, schema)


def format_of(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> TableFormat:
    """The format of the table at ``path``: Iceberg when the catalog holds it, else plain Parquet."""
    return TableFormat(ICEBERG, catalog) if is_iceberg_table(spark, path, catalog) else DEFAULT_FORMAT


def read_table(spark: SparkSession, path: str, schema: StructType | None = None,
               catalog: IcebergCatalog = DEFAULT_CATALOG) -> DataFrame:
    """The table at ``path``, an Iceberg table of the catalog or else a Parquet table."""
    return read_in_format(spark, path, format_of(spark, path, catalog), schema)


read_any = read_table


def table_exists(spark: SparkSession, path: str, table_format: TableFormat = DEFAULT_FORMAT) -> bool:
    if table_format.is_iceberg:
        return is_iceberg_table(spark, path, table_format.catalog)
    return any(is_data_file(rel.rsplit("/", 1)[-1]) for rel, _ in storage.list_tree(path))


def folder_format(location: str) -> str | None:
    """``iceberg`` for a folder with Iceberg's ``metadata/``, ``parquet`` for one with data files or
    ``key=value`` partition folders, ``legacy`` for dea-etl 0.1's manifest format, None otherwise (one
    listing of one level)."""
    folders, names = storage.children(location)
    if MANIFESTS in folders:
        return LEGACY
    if "metadata" in folders:
        return ICEBERG
    if any(is_data_file(n) for n in names) or any("=" in f for f in folders):
        return PARQUET
    return None


def lake_tables(lake: str) -> dict[str, str]:
    """The tables under the lake's processedData/ (``orders``, ``_dq/orders/outcomes``) and their formats,
    found by listing folder levels (no JVM): a folder is a table when :func:`folder_format` says so, else
    its sub folders are looked at (``_dq/`` and ``_dq/<table>/``), three levels deep at most."""
    found: dict[str, str] = {}

    def visit(location: str, rel: str, depth: int) -> None:
        folders, _ = storage.children(location)
        for name in folders:
            if storage.is_hidden_name(name) and name != "_dq":
                continue
            path, sub = storage.join(location, name), f"{rel}{name}"
            fmt = folder_format(path)
            if fmt:
                found[sub] = fmt
            elif depth < 3:
                visit(path, sub + "/", depth + 1)

    visit(processed_root(lake), "", 1)
    return found


def lake_format(lake: str) -> str | None:
    """The format of the lake's tables (``parquet`` or ``iceberg``), None when it has none yet; no JVM.
    A lake that still holds a table in dea-etl 0.1's manifest format is refused, naming the conversion."""
    tables = lake_tables(lake)
    for folder, fmt in tables.items():
        if fmt == LEGACY:
            refuse_legacy(storage.join(processed_root(lake), folder))
    formats = set(tables.values())
    if ICEBERG in formats:
        return ICEBERG
    return PARQUET if formats else None


def check_lake_format(output: str, fmt: TableFormat) -> None:
    """Refuse (:class:`JobArgumentError`, one line) to write ``fmt`` into a lake that holds the other format.

    Only outputs inside a lake (under a ``processedData/`` folder) are checked."""
    parts = storage.canonical(output).split("/")
    if PROCESSED not in parts[:-1]:
        return
    lake = "/".join(parts[: len(parts) - 1 - parts[::-1].index(PROCESSED)])
    found = lake_format(lake)
    if found is not None and found != fmt.name:
        raise JobArgumentError(
            f"the lake {lake} holds {found} tables; writing {output} as {fmt.name} would mix formats: "
            f"use --table-format {found}, or convert the lake first (dea-etl table convert --lake {lake} "
            f"--to {fmt.name})"
        )
