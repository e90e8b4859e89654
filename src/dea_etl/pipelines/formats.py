"""``--table-format parquet|iceberg`` and the Iceberg catalog, for every job that writes tables.

A lake holds one format. Without ``--table-format`` a job writes the format the lake (``--lake``, or the
lake or table ``--output`` lies in) already has, plain Parquet for a new one; a ``--table-format`` that
differs from what is there is refused in one line before anything is read (``dea-etl table convert``
changes a lake's format).
"""

from __future__ import annotations

from dea_etl.errors import JobArgumentError
from dea_etl.io import storage
from dea_etl.io.catalogs import DEFAULT_NAMESPACE, GLUE_CATALOG, LAKE_CATALOG, IcebergCatalog
from dea_etl.io.lake import PROCESSED
from dea_etl.io.tables import FORMATS, LEGACY, PARQUET, TableFormat, folder_format, lake_format
from dea_etl.runtime import Arg, JobContext, Platform

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


def existing_format(ctx: JobContext) -> tuple[str, str | None]:
    """Where the job writes (its lake, else its output) and the format found there (None: nothing yet)."""
    lake = ctx.args.get("lake")
    if lake:
        return lake, lake_format(lake)
    output = ctx.args.get("output")
    if not output:
        return "", None
    parts = storage.canonical(output).split("/")
    if PROCESSED in parts[:-1]:
        root = "/".join(parts[: len(parts) - 1 - parts[::-1].index(PROCESSED)])
        return root, lake_format(root)
    found = folder_format(output)
    if found == LEGACY:
        from dea_etl.io.legacy import refuse_legacy

        refuse_legacy(output)
    return output, found


def table_format(ctx: JobContext) -> TableFormat:
    """The job's table format: ``--table-format`` checked against the lake, else the lake's own; with
    ``--iceberg-catalog`` and ``--iceberg-database``. Worked out once per run."""
    cached = ctx.memo.get("table_format")
    if isinstance(cached, TableFormat):
        return cached
    catalog = IcebergCatalog(
        ctx.args.get("iceberg_catalog") or default_catalog(ctx.platform),
        ctx.args.get("iceberg_database") or DEFAULT_NAMESPACE,
    )
    given = ctx.args.get("table_format")
    where, found = existing_format(ctx)
    if given and found and given != found:
        raise JobArgumentError(
            f"{where} holds {found} tables; writing {given} would mix formats in one lake: leave out "
            f"--table-format (or give {found}), or convert it first: dea-etl table convert --lake {where} --to {given}"
        )
    fmt = TableFormat(given or found or PARQUET, catalog)
    ctx.memo["table_format"] = fmt
    return fmt
