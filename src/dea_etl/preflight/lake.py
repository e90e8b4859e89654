"""Which tables a lake holds, found without Spark: :func:`tables_in_lake`, the one lookup the commands' and
jobs' checks use ("no table 'x' in lake/processedData; its tables: ...").

A lake's tables are found by :func:`dea_etl.io.discover.lake_tables` (the folders under ``processedData/``
that hold a Parquet or Iceberg table, its own and a user's, ``_dq/metrics`` and
``_dq/<table>/<outcomes|quarantine>`` among them), the same lookup the commands use once Spark runs.
"""

from __future__ import annotations

from dea_etl.errors import DeaEtlError, UnknownTableError, first_line
from dea_etl.io.discover import lake_tables, view_name
from dea_etl.io.lake import processed_root as processed_root  # re-exported for the checks


class LakeLookupError(DeaEtlError):
    """The lake's tables could not be listed (no credentials, no permission, no network)."""


def tables_in_lake(lake: str) -> list[str]:
    """The names of the tables in ``lake`` (a folder or ``s3://BUCKET[/PREFIX]``), as paths under its
    processedData/ (``orders``, ``_dq/orders/outcomes``), sorted; [] when it has none.

    Raises :class:`LakeLookupError` when the lake cannot be listed."""
    from botocore.exceptions import BotoCoreError, ClientError

    from dea_etl.io import storage

    if not (storage.is_local(lake) or storage.is_s3(lake)):
        raise LakeLookupError(f"cannot list {processed_root(lake)}: a scheme dea-etl does not list")
    try:
        return sorted(lake_tables(lake))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            return []  # no bucket: no tables
        raise LakeLookupError(f"cannot list {processed_root(lake)}: {first_line(exc)}") from None
    except (BotoCoreError, OSError) as exc:
        raise LakeLookupError(f"cannot list {processed_root(lake)}: {first_line(exc)}") from None


def check_lake_table(lake: str, table: str) -> None:
    """:class:`UnknownTableError` (exit 2) naming the lake's tables when ``table`` is not one of them (passes
    when the lake cannot be listed)."""
    try:
        present = tables_in_lake(lake)
    except LakeLookupError:
        return
    if table not in present:
        have = ", ".join(present) or "none: run the pipeline first (make run)"
        raise UnknownTableError(f"no table {table!r} in {processed_root(lake)}; its tables: {have}")


def sql_name(table: str) -> str:
    """The name ``dea-etl sql`` and the catalog give a table: ``_dq/metrics`` -> ``dq_metrics``,
    ``_dq/orders/outcomes`` -> ``orders_dq_outcomes``, any other table its folder's path with ``_``."""
    return view_name(table)
