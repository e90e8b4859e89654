"""``--table-format parquet|iceberg`` and the Iceberg catalog, for every job that writes tables.

The names are :mod:`dea_etl.io.tables`' formats and :mod:`dea_etl.io.iceberg`'s catalogs, written out here so
that a job's arguments load without pyspark (``tests/test_preflight.py`` keeps them equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dea_etl.runtime import Arg, JobContext, Platform

if TYPE_CHECKING:
    from dea_etl.io.tables import TableFormat

PARQUET = "parquet"
FORMATS = (PARQUET, "iceberg")
LAKE_CATALOG = "lake"
GLUE_CATALOG = "glue_catalog"
DEFAULT_NAMESPACE = "dea_etl"

FORMAT_ARGS = (
    Arg("table-format", default=PARQUET, choices=FORMATS, help="write plain Parquet folders or Iceberg tables"),
    Arg("iceberg-catalog", help=f"Iceberg catalog: {LAKE_CATALOG!r} (kept in the lake; the default locally) or a "
                                f"Spark catalog configured in the session (default on AWS: {GLUE_CATALOG})"),
    Arg("iceberg-database", default=DEFAULT_NAMESPACE, help="namespace (Glue database) of a configured catalog"),
)


def default_catalog(platform: Platform) -> str:
    """The lake's own catalog locally; the Glue Data Catalog on Glue, EMR and EMR Serverless."""
    return LAKE_CATALOG if platform is Platform.LOCAL else GLUE_CATALOG


def table_format(ctx: JobContext) -> TableFormat:
    """The job's table format from ``--table-format``, ``--iceberg-catalog``, ``--iceberg-database``."""
    from dea_etl.io.iceberg import IcebergCatalog
    from dea_etl.io.tables import TableFormat

    catalog = IcebergCatalog(
        ctx.args.get("iceberg_catalog") or default_catalog(ctx.platform),
        ctx.args.get("iceberg_database") or DEFAULT_NAMESPACE,
    )
    return TableFormat(ctx.args.get("table_format") or PARQUET, catalog)
