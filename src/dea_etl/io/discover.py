"""What a lake holds, found by listing it (no JVM): its tables, each one's format, and the lake's format.

A table is a folder under ``processedData/`` (``orders``, a user's ``sales``, ``_dq/metrics``,
``_dq/orders/outcomes``): plain Parquet when it holds data files or ``key=value`` partition folders, Iceberg
when it holds Iceberg's ``metadata/``, or dea-etl 0.1's manifest format (:mod:`dea_etl.io.legacy`), which
every reader refuses. A local lake's Iceberg tables are also in its SQLite catalog
(:func:`dea_etl.io.catalogs.local_catalog_tables`); listing the folders finds both formats the same way on
a local disk and on S3. Everything here loads without pyspark: the commands' and jobs' checks, made before
Spark starts, use it (:mod:`dea_etl.preflight`).
"""

from __future__ import annotations

import re

from dea_etl.io import storage
from dea_etl.io.lake import PROCESSED, processed_root
from dea_etl.io.legacy import MANIFESTS, refuse_legacy

PARQUET = "parquet"
ICEBERG = "iceberg"
#: A table in dea-etl 0.1's manifest format: read only by ``dea-etl table convert``.
LEGACY = "legacy"
#: The folder of the data-quality tables under processedData/.
DQ_FOLDER = "_dq"


def is_data_file(name: str) -> bool:
    """A Parquet data file a reader reads (not a hidden or bookkeeping file)."""
    return name.endswith(".parquet") and not storage.is_hidden_name(name)


def folder_format(location: str) -> str | None:
    """``iceberg`` for a folder with Iceberg's ``metadata/``, ``parquet`` for one with data files or
    ``key=value`` partition folders, ``legacy`` for dea-etl 0.1's manifest format, None otherwise (one
    listing of one level)."""
    folders, names = storage.children(location)
    if MANIFESTS in folders:
        return LEGACY
    if "metadata" in folders:
        return ICEBERG
    if any(is_data_file(n) for n in names) or any("=" in f for f in folders):
        return PARQUET
    return None


def lake_tables(lake: str) -> dict[str, str]:
    """The tables under the lake's processedData/ (``orders``, ``_dq/orders/outcomes``) and their formats,
    found by listing folder levels: a folder is a table when :func:`folder_format` says so, else its sub
    folders are looked at (``_dq/`` and ``_dq/<table>/``, a user's ``sales/eu``), three levels deep at most."""
    found: dict[str, str] = {}

    def visit(location: str, rel: str, depth: int) -> None:
        folders, _ = storage.children(location)
        for name in folders:
            if storage.is_hidden_name(name) and name != DQ_FOLDER:
                continue
            path, sub = storage.join(location, name), f"{rel}{name}"
            fmt = folder_format(path)
            if fmt:
                found[sub] = fmt
            elif depth < 3:
                visit(path, sub + "/", depth + 1)

    visit(processed_root(lake), "", 1)
    return found


def lake_format(lake: str) -> str | None:
    """The format of the lake's tables (``parquet`` or ``iceberg``), None when it has none yet. A lake that
    still holds a table in dea-etl 0.1's manifest format is refused, naming the conversion."""
    tables = lake_tables(lake)
    for folder, fmt in tables.items():
        if fmt == LEGACY:
            refuse_legacy(storage.join(processed_root(lake), folder))
    formats = set(tables.values())
    if ICEBERG in formats:
        return ICEBERG
    return PARQUET if formats else None


def lake_of(path: str) -> str | None:
    """The lake a path lies in (the folder holding its ``processedData/``), None outside a lake."""
    parts = storage.canonical(path).split("/") if storage.is_s3(path) else path.rstrip("/").split("/")
    if PROCESSED not in parts[:-1]:
        return None
    return "/".join(parts[: len(parts) - 1 - parts[::-1].index(PROCESSED)]) or "/"


def where_written(lake: str | None, output: str | None) -> tuple[str, str | None]:
    """Where a job writes (its lake: ``lake``, or the lake ``output`` lies in; else ``output`` itself) and
    the format found there (None: nothing yet)."""
    if lake:
        return lake, lake_format(lake)
    if not output:
        return "", None
    root = lake_of(output)
    if root is not None:
        return root, lake_format(root)
    found = folder_format(output)
    if found == LEGACY:
        refuse_legacy(output)
    return output, found


def view_name(folder: str) -> str:
    """The name a table is queried by (``dea-etl sql``, the Glue catalog), from its folder under
    processedData/: ``orders`` -> ``orders``, ``_dq/orders/outcomes`` -> ``orders_dq_outcomes``,
    ``_dq/metrics`` -> ``dq_metrics``, a user's ``sales/eu`` -> ``sales_eu``."""
    parts = [p for p in folder.strip("/").split("/") if p]
    if parts[:1] == [DQ_FOLDER] and len(parts) == 3:
        parts = [parts[1], "dq", parts[2]]
    elif parts[:1] == [DQ_FOLDER]:
        parts = ["dq", *parts[1:]]
    return re.sub(r"[^A-Za-z0-9_]+", "_", "_".join(parts)).strip("_").lower()
