"""The local Spark catalog: the lake's processed tables and marts as temporary views under their names.

``customers``, ``employees``, ``orders`` (the course's names), ``tripdata`` and the marts' names, each a
view over its Parquet folder read with its explicit schema, or over its Iceberg table, so the course's
Athena SQL runs locally. With the lake's Iceberg catalog as the current one (:func:`iceberg_catalog_of`),
their metadata tables read as ``orders.snapshots``, ``orders.history``, ``orders.refs``...
"""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import DataFrame, SparkSession

from dea_etl.catalog.tables import catalog_tables, processed_root
from dea_etl.io import files
from dea_etl.io.iceberg import is_iceberg_table, table_ref
from dea_etl.io.parquet import read_table
from dea_etl.sqlguard import check_query


def register_local_tables(spark: SparkSession, lake: str) -> list[str]:
    """Create or replace a temp view for every table present under the lake; returns their names."""
    root = processed_root(lake)
    registered = []
    for table in catalog_tables():
        path = table.table_folder(root)
        if is_iceberg_table(spark, path):
            spark.table(table_ref(spark, path).ident).createOrReplaceTempView(table.name)
        elif files.exists(spark, path):
            read_table(spark, path, table.schema).createOrReplaceTempView(table.name)
        else:
            continue
        registered.append(table.name)
    return registered


def iceberg_catalog_of(spark: SparkSession, lake: str) -> str | None:
    """The Spark catalog of the lake's Iceberg tables (their metadata tables read as ``orders.snapshots``
    when it is the current catalog); None when the lake has none."""
    root = processed_root(lake)
    for table in catalog_tables():
        path = table.table_folder(root)
        if is_iceberg_table(spark, path):
            return table_ref(spark, path).ident.split(".", 1)[0]
    return None


#: Iceberg's metadata tables, read as ``<table>.<name>`` with the lake's catalog current.
ICEBERG_METADATA_TABLES = (
    "snapshots", "history", "refs", "files", "data_files", "manifests", "partitions", "entries",
    "metadata_log_entries",
)


def iceberg_metadata_tables(spark: SparkSession, lake: str) -> list[str]:
    """``orders.snapshots``, ``orders.history``, ... for each Iceberg table of the lake (the names the SQL
    guard lets ``dea-etl sql`` read beside the registered views)."""
    root = processed_root(lake)
    return [f"{t.name}.{m}" for t in catalog_tables() if is_iceberg_table(spark, t.table_folder(root))
            for m in ICEBERG_METADATA_TABLES]


def run_sql(spark: SparkSession, query: str, tables: Iterable[str]) -> DataFrame:
    """The result of ``query`` over the registered views ``tables`` (Spark SQL: Athena's common SELECT
    syntax); anything but one read-only query over them raises :class:`~dea_etl.sqlguard.UnsafeSqlError`."""
    check_query(spark, query, tables)
    return spark.sql(query)
