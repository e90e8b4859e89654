"""One-line messages of the ``dea-etl`` commands on standard error (``error: ...``, ``note: ...``), and rows of
results on standard output."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dea_etl.errors import debugging

if TYPE_CHECKING:  # pyspark is imported by the commands that need it, not by every command
    from pyspark.sql import Row


def error(message: str) -> None:
    """``error: <message>``; under ``--debug``, called while handling an exception, its traceback first."""
    if debugging() and sys.exc_info()[0] is not None:
        traceback.print_exc()
    Console(stderr=True, soft_wrap=True).print(f"error: {message}", markup=False, highlight=False)


def note(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"note: {message}", markup=False, highlight=False)


def print_rows(rows: Sequence[Row], columns: Sequence[str], fmt: str = "table", null: str = "NULL") -> None:
    """Spark rows on standard output: one JSON object per line (``fmt="json"``), or a table."""
    if fmt == "json":
        for row in rows:
            print(json.dumps(row.asDict(recursive=True), default=str))
        return
    # Values are text, never markup: rich would read "[bold]" as a style and fail on "[/x]".
    table = Table()
    for column in columns:
        table.add_column(Text(column), overflow="fold")  # a long value wraps, never cut
    for row in rows:
        table.add_row(*(Text(null if v is None else str(v)) for v in row))
    Console().print(table)
