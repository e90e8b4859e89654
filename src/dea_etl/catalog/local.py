"""The local Spark catalog: the lake's processed tables and marts as temporary views under their names.

``customers``, ``employees``, ``orders`` (the course's names), ``tripdata`` and the marts' names, each a
view over its Parquet folder read with its explicit schema, or over its Iceberg table, so the course's
Athena SQL runs locally. With the lake's Iceberg catalog as the current one (:func:`iceberg_catalog_of`),
their metadata tables read as ``orders.snapshots``, ``orders.history``, ``orders.refs``...
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from dea_etl.catalog.tables import catalog_tables, processed_root
from dea_etl.io import files
from dea_etl.io.iceberg import is_iceberg_table, table_ref
from dea_etl.io.parquet import read_table


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


def run_sql(spark: SparkSession, query: str) -> DataFrame:
    """The result of ``query`` over the registered views (Spark SQL: Athena's common SELECT syntax)."""
    return spark.sql(query)
