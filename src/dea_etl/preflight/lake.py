"""Which tables a lake holds, found without Spark: :func:`tables_in_lake`, the one lookup the commands' and
jobs' checks use ("no table 'x' in lake/processedData; its tables: ...").

Today a lake's tables are the folders under its ``processedData/``; the data-quality tables are
``_dq/metrics`` and ``_dq/<table>/<outcomes|quarantine>``. When the lake keeps a catalog of its tables,
this function is the one place that reads it.
"""

from __future__ import annotations

from dea_etl.errors import DeaEtlError, InputError
from dea_etl.preflight.paths import folders

#: The lake's processed area (:data:`dea_etl.io.lake.PROCESSED`) and its data-quality folder.
PROCESSED = "processedData"
DQ_FOLDER = "_dq"
DQ_METRICS = f"{DQ_FOLDER}/metrics"


class LakeLookupError(DeaEtlError):
    """The lake's tables could not be listed (no credentials, no permission, no network)."""


def processed_root(lake: str) -> str:
    """``lake`` if it already ends in processedData/, else its processedData/ folder."""
    lake = lake.rstrip("/")
    return lake if lake.rsplit("/", 1)[-1] == PROCESSED else f"{lake}/{PROCESSED}"


def _folders(path: str) -> list[str]:
    found = folders(path)
    if found is None:
        raise LakeLookupError(f"cannot list {path}")
    return found


def tables_in_lake(lake: str) -> list[str]:
    """The names of the tables in ``lake`` (a folder or ``s3://BUCKET[/PREFIX]``), as paths under its
    processedData/ (``orders``, ``_dq/orders/outcomes``), sorted; [] when it has none.

    Raises :class:`LakeLookupError` when the lake cannot be listed."""
    root = processed_root(lake)
    top = _folders(root)
    names = [n for n in top if not n.startswith(("_", "."))]
    if DQ_FOLDER in top:
        for checked in _folders(f"{root}/{DQ_FOLDER}"):
            if f"{DQ_FOLDER}/{checked}" == DQ_METRICS:
                names.append(DQ_METRICS)
            else:
                names += [f"{DQ_FOLDER}/{checked}/{what}" for what in _folders(f"{root}/{DQ_FOLDER}/{checked}")]
    return sorted(names)


def check_lake_table(lake: str, table: str) -> None:
    """:class:`InputError` naming the lake's tables when ``table`` is not one of them (passes when the lake
    cannot be listed)."""
    try:
        present = tables_in_lake(lake)
    except LakeLookupError:
        return
    if table not in present:
        have = ", ".join(present) or "none: run the pipeline first (make run)"
        raise InputError(f"no table {table!r} in {processed_root(lake)}; its tables: {have}")


def sql_name(table: str) -> str:
    """The name ``dea-etl sql`` and the catalog give a table: ``_dq/metrics`` -> ``dq_metrics``,
    ``_dq/orders/outcomes`` -> ``orders_dq_outcomes``, any other table its own name."""
    if table == DQ_METRICS:
        return "dq_metrics"
    if table.startswith(f"{DQ_FOLDER}/"):
        checked, _, what = table.removeprefix(f"{DQ_FOLDER}/").partition("/")
        return f"{checked}_dq_{what}"
    return table
