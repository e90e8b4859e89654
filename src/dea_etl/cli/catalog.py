"""``dea-etl catalog register ...`` (Glue Data Catalog) and ``dea-etl catalog ddl ...`` (Athena DDL, Parquet
or Iceberg tables)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from dea_etl.cli.output import error


def _tables(ns: argparse.Namespace, *, found: bool = False) -> Any:
    """``--tables``, else every table: dea-etl's, and with ``found`` the user's own found in the lake."""
    from dea_etl.catalog import catalog_tables

    names = [t.strip() for t in (ns.tables or "").split(",") if t.strip()]
    if names or not found:
        return catalog_tables(names or None)
    from dea_etl.catalog.found import lake_catalog_tables

    return lake_catalog_tables(ns.lake)


def _root(lake: str) -> str:
    """The processedData/ root; a local folder as an absolute file: URI (the catalog needs full paths),
    ``s3a://`` and ``s3n://`` as ``s3://``."""
    from dea_etl.catalog import processed_root
    from dea_etl.io import storage

    root = processed_root(lake)
    if storage.is_s3(root):  # Hadoop's names for S3 (s3a, s3n): Glue and Athena know s3:// only
        return storage.canonical(root)
    return root if "://" in root else Path(root).resolve().as_uri()


def _given(values: list[str], keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``--partition year=2014/month=5`` values for a table with these keys (others ignored)."""
    out = []
    for text in values:
        pairs = dict(p.split("=", 1) for p in text.strip("/").split("/") if "=" in p)
        if tuple(pairs) == keys:
            out.append(tuple(pairs[k] for k in keys))
    return out


def _register(ns: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from dea_etl.catalog import local_partitions, register_tables, s3_partitions
    from dea_etl.errors import DeaEtlError
    from dea_etl.io import storage
    from dea_etl.io.legacy import refuse_legacy
    from dea_etl.io.tables import ICEBERG, folder_format

    def table_location(table: Any, root: str) -> str:
        return storage.local_path(table.location(root)) if root.startswith("file:") else table.location(root)

    try:
        root = _root(ns.lake)
        # --partition names the partitions of plain folders: nothing is read from the lake
        tables = _tables(ns, found=not ns.partition)
        s3 = storage.s3_client(ns.region) if storage.is_s3(root) else None
        iceberg: list[str] = []
        if not ns.partition:
            for table in tables:
                refuse_legacy(table.location(root))
            # An Iceberg table is in the Glue Data Catalog from its first commit (Iceberg's GlueCatalog)
            iceberg = [t.name for t in tables if folder_format(table_location(t, root)) == ICEBERG]
            tables = [t for t in tables if t.name not in iceberg]

        def partitions_of(table: Any) -> list[tuple[str, ...]]:
            keys = tuple(n for n, _ in table.partition_keys)
            if ns.partition:
                return _given(ns.partition, keys)
            if s3 is not None:
                return s3_partitions(s3, table.location(root), keys)
            return local_partitions(table.location(root).removeprefix("file://"), keys)

        glue = storage.aws_client("glue", ns.region)
        result = register_tables(glue, ns.database, root, tables, partitions_of)
    except (KeyError, DeaEtlError, BotoCoreError, ClientError) as exc:
        error(f"catalog register: {str(exc).strip(chr(34) + chr(39))}")
        return 1
    out = Console(soft_wrap=True)
    for name in iceberg:
        out.print(f"{name}: an Iceberg table, registered by its own commits (skipped)", highlight=False)
    if result.database_created:
        out.print(f"database {ns.database}: created", highlight=False)
    for label, names in (
        ("created", result.tables_created),
        ("updated", result.tables_updated),
        ("unchanged", result.tables_unchanged),
    ):
        for name in names:
            added = result.partitions_added.get(name)
            extra = f", {added} partitions added" if added is not None else ""
            out.print(f"{ns.database}.{name}: {label}{extra}", highlight=False)
    return 0


def _ddl(ns: argparse.Namespace) -> int:
    from dea_etl.catalog import ProjectionRanges, create_table_ddl
    from dea_etl.catalog.athena import create_iceberg_table_ddl
    from dea_etl.errors import DeaEtlError

    try:  # the statements come from the tables' definitions: nothing is read from the lake
        low, high = (int(y) for y in ns.year_range.split(","))
        root = _root(ns.lake)
        tables = _tables(ns)
    except (KeyError, ValueError, DeaEtlError) as exc:
        error(f"catalog ddl: {exc}")
        return 2
    statements = [f"CREATE DATABASE IF NOT EXISTS `{ns.database}`;"] if ns.database else []
    if ns.table_format == "iceberg":
        statements += [create_iceberg_table_ddl(t, root, ns.database) for t in tables]
    else:
        statements += [create_table_ddl(t, root, ns.database, ProjectionRanges(year=(low, high))) for t in tables]
    print("\n\n".join(statements))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("catalog", help="Glue Data Catalog tables and Athena DDL for the lake")
    csub = p.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")

    r = csub.add_parser("register", help="create/update the Glue database, tables and partitions")
    r.add_argument("--database", required=True, help="the Glue database (created when missing)")
    r.add_argument(
        "--lake", required=True, help="s3://BUCKET/processedData/ (or a lake root, or a local folder)"
    )
    r.add_argument("--region", default=None, help="AWS region (default: the SDK's)")
    r.add_argument("--tables", default="", help="comma-separated tables or table files (.json) (default: every "
                                                "table of the lake, dea-etl's and your own)")
    r.add_argument(
        "--partition",
        action="append",
        default=[],
        help="year=YYYY/month=M to add instead of listing the lake (repeatable; plain Parquet folders)",
    )
    r.set_defaults(handler=_register)

    d = csub.add_parser("ddl", help="print Athena CREATE TABLE statements (Parquet: partition projection; "
                                    "Iceberg: Athena Iceberg tables); reads nothing from the lake")
    d.add_argument("--lake", required=True, help="s3://BUCKET/processedData/ (or a lake root)")
    d.add_argument("--database", default=None, help="the database the tables go in (and a CREATE DATABASE)")
    d.add_argument("--tables", default="", help="comma-separated tables (default: all)")
    d.add_argument("--year-range", default="2011,2030", help="projected years: FIRST,LAST")
    d.add_argument("--table-format", choices=["parquet", "iceberg"], default="parquet",
                   help="parquet: external tables with partition projection; iceberg: Athena Iceberg tables")
    d.set_defaults(handler=_ddl)
