"""The local Spark catalog: the lake's processed tables and marts as temporary views under their names.

``customers``, ``employees``, ``orders`` (the course's names), ``tripdata`` and the marts' names, each a
view over its Parquet folder read with its explicit schema, so the course's Athena SQL runs locally.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import DataFrame, SparkSession

from dea_etl.catalog.tables import catalog_tables, processed_root
from dea_etl.io import files
from dea_etl.io.parquet import read_table
from dea_etl.sqlguard import check_query


def register_local_tables(spark: SparkSession, lake: str) -> list[str]:
    """Create or replace a temp view for every table present under the lake; returns their names."""
    root = processed_root(lake)
    registered = []
    for table in catalog_tables():
        path = table.table_folder(root)
        if not files.exists(spark, path):
            continue
        read_table(spark, path, table.schema).createOrReplaceTempView(table.name)
        registered.append(table.name)
    return registered


def run_sql(spark: SparkSession, query: str, tables: Iterable[str]) -> DataFrame:
    """The result of ``query`` over the registered views ``tables`` (Spark SQL: Athena's common SELECT
    syntax); anything but one read-only query over them raises :class:`~dea_etl.sqlguard.UnsafeSqlError`."""
    check_query(spark, query, tables)
    return spark.sql(query)
