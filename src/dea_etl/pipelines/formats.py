"""``--table-format parquet|iceberg`` and the Iceberg catalog, for every job that writes tables."""

from __future__ import annotations

from dea_etl.io.iceberg import DEFAULT_NAMESPACE, GLUE_CATALOG, LAKE_CATALOG, IcebergCatalog
from dea_etl.io.tables import FORMATS, PARQUET, TableFormat
from dea_etl.runtime import Arg, JobContext, Platform

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
    catalog = IcebergCatalog(
        ctx.args.get("iceberg_catalog") or default_catalog(ctx.platform),
        ctx.args.get("iceberg_database") or DEFAULT_NAMESPACE,
    )
    return TableFormat(ctx.args.get("table_format") or PARQUET, catalog)
