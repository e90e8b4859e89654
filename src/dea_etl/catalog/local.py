"""The lake's tables as Spark views under their names, so the course's Athena SQL runs locally.

Every table found in the lake (:func:`dea_etl.io.tables.lake_tables`: the course's tables, the marts, the
data-quality tables and a user's own) is a temporary view named after its folder
(:func:`~dea_etl.catalog.tables.view_name`), created when a query names it (:func:`named_views`: the query
is parsed first), or all at once (:func:`register_local_tables`): a Parquet table read with its declared schema when it is one of
dea-etl's tables (else with the schema in its files), an Iceberg table through the lake's catalog. With
the lake's Iceberg catalog and namespace current (:func:`use_iceberg_catalog`), a table's metadata tables
read as ``dea_etl.orders.snapshots``, ``dea_etl.orders.history``, ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyspark.sql import DataFrame, SparkSession

from dea_etl.catalog.tables import catalog_tables, processed_root, view_name
from dea_etl.io import storage
from dea_etl.io.catalogs import DEFAULT_CATALOG, DEFAULT_NAMESPACE, IcebergCatalog, table_ref
from dea_etl.io.iceberg import read_iceberg
from dea_etl.io.parquet import read_parquet
from dea_etl.io.tables import ICEBERG, lake_tables
from dea_etl.sqlguard import check_query


def lake_views(lake: str) -> dict[str, tuple[str, str]]:
    """Every table of the lake as ``{view name: (folder, format)}``, found by listing (no table is read)."""
    return {view_name(folder): (folder, fmt) for folder, fmt in lake_tables(lake).items()}


def register_views(spark: SparkSession, lake: str, views: dict[str, tuple[str, str]],
                   catalog: IcebergCatalog = DEFAULT_CATALOG) -> list[str]:
    """Create or replace a temp view for each of ``views`` (:func:`lake_views`); returns their names."""
    root = processed_root(lake)
    schemas = {(t.folder or t.name): t.schema for t in catalog_tables()}
    for name, (folder, fmt) in views.items():
        path = storage.join(root, folder)
        df = read_iceberg(spark, path, catalog) if fmt == ICEBERG else read_parquet(spark, path, schemas.get(folder))
        df.createOrReplaceTempView(name)
    return list(views)


def register_local_tables(spark: SparkSession, lake: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> list[str]:
    """Create or replace a temp view for every table of the lake; returns their names."""
    return register_views(spark, lake, lake_views(lake), catalog)


def named_views(spark: SparkSession, lake: str, views: dict[str, tuple[str, str]]) -> Callable[[set[str]], None]:
    """For :func:`run_sql`: creates the views of ``views`` a query names, when it names them (a query over two
    tables of a lake of twenty reads two tables' metadata, not twenty)."""
    by_lower = {name.lower(): name for name in views}

    def register(named: set[str]) -> None:
        register_views(spark, lake, {by_lower[n]: views[by_lower[n]] for n in sorted(named) if n in by_lower})

    return register


def use_iceberg_catalog(spark: SparkSession, lake: str, views: dict[str, tuple[str, str]],
                        catalog: IcebergCatalog = DEFAULT_CATALOG) -> str | None:
    """Make the Spark catalog of the lake's Iceberg tables (``views``: :func:`lake_views`) and its namespace
    the session's current one, so that ``dea_etl.orders.snapshots`` reads; returns the catalog, None when
    the lake has no Iceberg table."""
    root = processed_root(lake)
    for folder, fmt in views.values():
        if fmt == ICEBERG:
            ref = table_ref(spark, storage.join(root, folder), catalog)
            spark.catalog.setCurrentCatalog(ref.catalog)
            spark.catalog.setCurrentDatabase(catalog.namespace)
            return ref.catalog
    return None


#: Iceberg's metadata tables, read as ``<namespace>.<table>.<name>`` with the lake's catalog current.
ICEBERG_METADATA_TABLES = (
    "snapshots", "history", "refs", "files", "data_files", "manifests", "partitions", "entries",
    "metadata_log_entries",
)


def iceberg_metadata_tables(lake: str, views: dict[str, tuple[str, str]],
                            namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """``dea_etl.orders.snapshots``, ``dea_etl.orders.history``, ... for each Iceberg table of the lake
    (``views``: :func:`lake_views`; the names the SQL guard lets ``dea-etl sql`` read beside the views)."""
    from dea_etl.io.catalogs import catalog_table_name

    root = processed_root(lake)
    return [f"{namespace}.{catalog_table_name(storage.join(root, folder))}.{m}"
            for folder, fmt in views.values() if fmt == ICEBERG for m in ICEBERG_METADATA_TABLES]


def run_sql(spark: SparkSession, query: str, tables: Iterable[str],
            register: Callable[[set[str]], None] | None = None) -> DataFrame:
    """The result of ``query`` over the views ``tables`` (Spark SQL: Athena's common SELECT syntax); anything
    but one read-only query over them raises :class:`~dea_etl.sqlguard.UnsafeSqlError`. ``register``
    (:func:`named_views`): the views are created once the parsed query says which of them it names."""
    check_query(spark, query, tables, before_analysis=register)
    return spark.sql(query)
