"""One-line messages of the ``dea-etl`` commands on standard error (``error: ...``, ``note: ...``), and rows of
results on standard output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pyspark is imported by the commands that need it, not by every command
    from pyspark.sql import Row


def error(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"error: {message}", markup=False, highlight=False)


def note(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"note: {message}", markup=False, highlight=False)


def print_rows(rows: Sequence[Row], columns: Sequence[str], fmt: str = "table", null: str = "NULL") -> None:
    """Spark rows on standard output: one JSON object per line (``fmt="json"``), or a table."""
    if fmt == "json":
        for row in rows:
            print(json.dumps(row.asDict(recursive=True), default=str))
        return
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")  # a long value wraps, never cut
    for row in rows:
        table.add_row(*(null if v is None else str(v) for v in row))
    Console().print(table)
