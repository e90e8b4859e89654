"""Glue Data Catalog registration, Athena DDL and the local Spark catalog, all from the schema modules."""

from dea_etl.catalog.athena import ProjectionRanges, create_table_ddl
from dea_etl.catalog.glue import RegisterResult, register_tables
from dea_etl.catalog.local import register_local_tables, run_sql
from dea_etl.catalog.partitions import local_partitions, s3_partitions
from dea_etl.catalog.tables import CatalogTable, catalog_tables, processed_root

__all__ = [
    "CatalogTable",
    "ProjectionRanges",
    "RegisterResult",
    "catalog_tables",
    "create_table_ddl",
    "local_partitions",
    "processed_root",
    "register_local_tables",
    "register_tables",
    "run_sql",
    "s3_partitions",
]
