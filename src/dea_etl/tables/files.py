"""A user's table, described in a small JSON file kept in their project (or in this repository).

::

    {
      "name": "sensors",
      "description": "readings of the plant's sensors",
      "header": true,
      "columns": [
        {"name": "sensor_id", "type": "int", "required": true},
        {"name": "read_at", "type": "timestamp", "format": "yyyy-MM-dd HH:mm:ss", "required": true},
        {"name": "site", "source": "Site Name", "type": "string"},
        {"name": "value", "type": "double"}
      ],
      "partition_by": {"column": "read_at", "parts": ["year", "month"]}
    }

``name`` is the table's (letters, digits, ``_``); ``columns`` are in the order of the CSV's fields, each a
processed ``name`` and ``type`` (int, bigint, double, float, boolean, string, date, timestamp,
``decimal(p,s)``); ``source`` is the field's name in the CSV header (default: ``name``); a date or
timestamp is parsed from text with ``format``: a Spark datetime pattern, or a list of them tried in order
(default ``yyyy-MM-dd`` / ``yyyy-MM-dd HH:mm:ss``); a ``required`` column may not be empty (such rows are
quarantined); a double, float or decimal field is a number as CSV writes it, plain (``-12.5``) or with an
exponent (``1.5e3``), never Java's ``12d``, ``1.5f`` or ``0x1p4`` (such a row is quarantined, as is a
decimal with more decimals than its scale); a double or float column with ``"allow_non_finite": true``
keeps ``NaN``, ``Infinity`` and overflows (otherwise such a row is quarantined). ``header`` says whether
each file starts with a header line. ``partition_by`` derives ``year`` / ``month`` / ``day`` of a date or
timestamp column. Anything else is an error that names the file and the place in it.

dea-etl's own seed tables are table files too (``dea_etl/tables/seed/``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dea_etl.errors import JobArgumentError
from dea_etl.schemas import FLOATING, SQL_TYPES, Column, TableSpec, sql_type

SUFFIXES = (".json",)
PARTS = ("year", "month", "day")
DEFAULT_FORMATS = {"date": "yyyy-MM-dd", "timestamp": "yyyy-MM-dd HH:mm:ss"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_KEYS = {"name", "description", "header", "columns", "partition_by"}
_COLUMN_KEYS = {"name", "type", "source", "format", "required", "allow_non_finite"}


class TableFileError(JobArgumentError):
    """A table file that cannot be used; the message names the file, the place and what was expected."""


def _fail(where: str, message: str) -> TableFileError:
    return TableFileError(f"{where}: {message}")


def _str(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(where, f"expected {what}, found {json.dumps(value)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, found {json.dumps(value)}")
    return value


def _keys(obj: Any, allowed: set[str], required: set[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(where, f"expected an object, found {json.dumps(obj)[:40]}")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r}; expected {', '.join(sorted(allowed))}")
    missing = sorted(required - set(obj))
    if missing:
        raise _fail(where, f"missing {missing[0]!r}")
    return obj


def _column(obj: Any, where: str) -> Column:
    c = _keys(obj, _COLUMN_KEYS, {"name", "type"}, where)
    name = _str(c["name"], f"{where}.name", "a column name")
    if not _NAME.match(name):
        raise _fail(f"{where}.name", f"expected letters, digits and _ (not starting with a digit), found {name!r}")
    kind = _str(c["type"], f"{where}.type", "a type")
    try:
        sql_type(kind)
    except ValueError:
        raise _fail(f"{where}.type", f"expected one of {', '.join(SQL_TYPES)}, decimal(p,s), found {kind!r}") from None
    fmt = c.get("format")
    if fmt is not None and kind not in DEFAULT_FORMATS:
        raise _fail(f"{where}.format", f"only a date or timestamp column has a format (this one is {kind})")
    non_finite = _bool(c.get("allow_non_finite", False), f"{where}.allow_non_finite")
    if non_finite and kind not in FLOATING:
        raise _fail(f"{where}.allow_non_finite", f"only a double or float column holds NaN/Infinity (this one is {kind})")
    parsed = kind in DEFAULT_FORMATS
    return Column(
        raw_name=_str(c.get("source", name), f"{where}.source", "the field's name in the CSV"),
        raw_type="string" if parsed else kind,
        name=name,
        type=kind,
        fmt=_formats(fmt, f"{where}.format") if fmt is not None else DEFAULT_FORMATS.get(kind),
        required=_bool(c.get("required", False), f"{where}.required"),
        allow_non_finite=non_finite,
    )


def _formats(value: Any, where: str) -> str | tuple[str, ...]:
    """A datetime pattern, or a non-empty list of them (tried in order)."""
    if isinstance(value, list):
        if not value:
            raise _fail(where, "expected a datetime pattern or a non-empty list of them, found []")
        return tuple(_str(v, f"{where}[{i}]", "a datetime pattern") for i, v in enumerate(value))
    return _str(value, where, "a datetime pattern or a list of them")


def _partitions(obj: Any, columns: tuple[Column, ...], where: str) -> tuple[tuple[str, str], ...]:
    if obj is None:
        return ()
    p = _keys(obj, {"column", "parts"}, {"column", "parts"}, where)
    source = _str(p["column"], f"{where}.column", "a column name")
    dated = [c.name for c in columns if c.type in DEFAULT_FORMATS]
    if source not in dated:
        raise _fail(f"{where}.column", f"expected a date or timestamp column ({', '.join(dated) or 'none'}), "
                    f"found {source!r}")
    parts = p["parts"]
    if not isinstance(parts, list) or not parts or any(x not in PARTS for x in parts) or len(set(parts)) < len(parts):
        raise _fail(f"{where}.parts", f"expected a list of {', '.join(PARTS)}, found {json.dumps(parts)}")
    taken = {c.name for c in columns} & set(parts)
    if taken:
        raise _fail(f"{where}.parts", f"{sorted(taken)[0]!r} is already a column")
    return tuple((part, source) for part in parts)


def table_from_dict(obj: Any, where: str = "table") -> TableSpec:
    """The :class:`TableSpec` a parsed table file describes; :class:`TableFileError` when it is invalid."""
    t = _keys(obj, _TABLE_KEYS, {"name", "columns"}, where)
    name = _str(t["name"], f"{where}: name", "a table name")
    if not _NAME.match(name):
        raise _fail(f"{where}: name", f"expected letters, digits and _ (not starting with a digit), found {name!r}")
    if not isinstance(t["columns"], list) or not t["columns"]:
        raise _fail(f"{where}: columns", "expected a non-empty list of columns")
    columns = tuple(_column(c, f"{where}: columns[{i}]") for i, c in enumerate(t["columns"]))
    seen: set[str] = set()
    for i, c in enumerate(columns):
        if c.name in seen:
            raise _fail(f"{where}: columns[{i}].name", f"{c.name!r} appears twice")
        seen.add(c.name)
    return TableSpec(
        name=name,
        columns=columns,
        header=_bool(t.get("header", False), f"{where}: header"),
        partitions=_partitions(t.get("partition_by"), columns, f"{where}: partition_by"),
        description=_str(t.get("description", f"{name} (from {where})"), f"{where}: description", "text"),
    )


def table_from_text(text: str, where: str) -> TableSpec:
    """The :class:`TableSpec` of a table file's text (``where`` names it in errors)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TableFileError(f"{where}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}") from None
    return table_from_dict(obj, where)


def read_table_file(path: str | Path) -> TableSpec:
    """Read and check a table file (JSON); :class:`TableFileError` naming the file and what is wrong."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TableFileError(f"{p}: cannot read the table file ({type(exc).__name__}: {exc})") from None
    return table_from_text(text, str(p))
