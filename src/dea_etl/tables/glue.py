"""A user's table whose schema is a Glue Data Catalog table: ``--table glue://DATABASE/TABLE``.

``GetTable`` gives the CSV files' columns in order (``StorageDescriptor.Columns``) with their Hive types;
a header line is expected when the table (or its SerDe) says ``skip.header.line.count`` = 1. Processed
names are the catalog's in lower case, other characters than letters, digits and ``_`` as ``_``. Types map
to dea_etl's: int/integer/smallint/tinyint -> int, double/float/decimal -> double, string/varchar/char ->
string, date and timestamp (read from ``yyyy-MM-dd`` / ``yyyy-MM-dd HH:mm:ss`` text).
Any other type is an error naming the column. The table's partition keys are folder names, not fields
of the files, so they are not part of the CSV's columns.
"""

from __future__ import annotations

import re
from typing import Any

from dea_etl.errors import InputError
from dea_etl.schemas import TableSpec
from dea_etl.tables.files import table_from_dict

_TYPES = {
    "int": "int", "integer": "int", "smallint": "int", "tinyint": "int",
    "double": "double", "float": "double", "decimal": "double",
    "string": "string", "varchar": "string", "char": "string",
    "date": "date", "timestamp": "timestamp",
}
HEADER_PARAMETER = "skip.header.line.count"


def _type(column: dict[str, Any], where: str) -> str:
    hive = str(column.get("Type", "")).lower()
    base = re.split(r"[(<]", hive, maxsplit=1)[0].strip()
    if base not in _TYPES:
        raise InputError(f"{where}: column {column.get('Name')!r} has type {hive!r}; dea_etl reads "
                         f"{', '.join(sorted(set(_TYPES)))}")
    return _TYPES[base]


def _processed_name(name: str) -> str:
    """A catalog column's processed name: lower case, anything but letters, digits and ``_`` as ``_``."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def table_spec_from_glue(table: dict[str, Any], where: str) -> TableSpec:
    """The spec of a ``GetTable`` response's ``Table``."""
    sd = table.get("StorageDescriptor") or {}
    params = {**(table.get("Parameters") or {}), **((sd.get("SerdeInfo") or {}).get("Parameters") or {})}
    columns = [
        {"name": _processed_name(str(c["Name"])), "source": c["Name"], "type": _type(c, where)}
        for c in sd.get("Columns") or []
    ]
    if not columns:
        raise InputError(f"{where}: the table has no columns")
    description = table.get("Description") or f"{table['Name']} (from {where})"
    return table_from_dict(
        {"name": table["Name"], "description": description, "columns": columns,
         "header": params.get(HEADER_PARAMETER, "0").strip() == "1"},
        where,
    )


def glue_table_spec(database: str, name: str, glue: Any = None) -> TableSpec:
    """Read ``database.name`` from the Glue Data Catalog (``glue`` or a new boto3 client)."""
    from botocore.exceptions import BotoCoreError, ClientError

    where = f"glue://{database}/{name}"
    if not database or not name:
        raise InputError(f"{where}: expected glue://DATABASE/TABLE")
    if glue is None:
        from dea_etl.io.storage import aws_client

        glue = aws_client("glue")
    try:
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    except (BotoCoreError, ClientError) as exc:
        raise InputError(f"{where}: glue GetTable failed: {str(exc).splitlines()[0]}") from None
    return table_spec_from_glue(table, where)
