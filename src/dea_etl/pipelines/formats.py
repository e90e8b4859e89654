"""``--table-format parquet|iceberg`` and the Iceberg catalog, for every job that writes tables.

A lake holds one format. Without ``--table-format`` a job writes the format the lake (``--lake``, or the
lake or table ``--output`` lies in) already has, plain Parquet for a new one; a ``--table-format`` that
differs from what is there is refused in one line (``dea-etl table convert`` changes a lake's format).

This module loads without pyspark (a job's arguments are checked before Spark starts): the names below are
:mod:`dea_etl.io.tables`' formats and :mod:`dea_etl.io.catalogs`' catalogs (``tests/test_preflight.py``
keeps them equal), and :func:`check_format` looks at the lake with :mod:`dea_etl.io.discover`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dea_etl.errors import JobArgumentError
from dea_etl.runtime import Arg, JobContext, Platform

if TYPE_CHECKING:
    from dea_etl.io.tables import TableFormat

PARQUET = "parquet"
FORMATS = (PARQUET, "iceberg")
LAKE_CATALOG = "lake"
GLUE_CATALOG = "glue_catalog"
DEFAULT_NAMESPACE = "dea_etl"

FORMAT_ARGS = (
    Arg("table-format", choices=FORMATS,
        help="write plain Parquet folders or Iceberg tables (default: the lake's format; parquet for a new lake)"),
    Arg("iceberg-catalog", help=f"Iceberg catalog: {LAKE_CATALOG!r} (the lake's own: SQLite in a local lake, the "
                                f"Glue Data Catalog for s3://; the default locally) or a Spark catalog configured "
                                f"in the session (default on AWS: {GLUE_CATALOG})"),
    Arg("iceberg-database", default=DEFAULT_NAMESPACE, help="namespace (Glue database) of the Iceberg tables"),
)


def default_catalog(platform: Platform) -> str:
    """The lake's own catalog locally; the Glue Data Catalog on Glue, EMR and EMR Serverless."""
    return LAKE_CATALOG if platform is Platform.LOCAL else GLUE_CATALOG


def check_format(args: dict[str, str | None]) -> str:
    """The format a job with these arguments writes: ``--table-format`` when the lake holds no other one
    (else :class:`JobArgumentError`, one line naming the conversion), else the lake's own, else Parquet.
    Looks at the lake (``--lake``, or the lake or table of ``--output``) without a JVM."""
    from dea_etl.io.discover import where_written

    given = args.get("table_format")
    where, found = where_written(args.get("lake"), args.get("output"))
    if given and found and given != found:
        raise JobArgumentError(
            f"{where} holds {found} tables; writing {given} would mix formats in one lake: leave out "
            f"--table-format (or give {found}), or convert it first: dea-etl table convert --lake {where} --to {given}"
        )
    return given or found or PARQUET


def table_format(ctx: JobContext) -> TableFormat:
    """The job's table format (:func:`check_format`), with ``--iceberg-catalog`` and ``--iceberg-database``;
    worked out once per run."""
    from dea_etl.io.catalogs import IcebergCatalog
    from dea_etl.io.tables import TableFormat

    cached = ctx.memo.get("table_format")
    if isinstance(cached, TableFormat):
        return cached
    catalog = IcebergCatalog(
        ctx.args.get("iceberg_catalog") or default_catalog(ctx.platform),
        ctx.args.get("iceberg_database") or DEFAULT_NAMESPACE,
    )
    fmt = TableFormat(check_format(dict(ctx.args)), catalog)
    ctx.memo["table_format"] = fmt
    return fmt
