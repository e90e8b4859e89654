"""Tables: every table the lake holds, and where a table's schema comes from.

One abstraction, :class:`LakeTable` (name, processed schema, partition columns, description), for

* the course's seed tables (:mod:`dea_etl.tables.seed`: table files, each a
  :class:`~dea_etl.schemas.TableSpec`, which also says how to parse their CSV files),
* the sales marts (:mod:`dea_etl.tables.marts`),
* a user's own tables: a schema file (:mod:`dea_etl.tables.files`) or a Glue Data Catalog table
  (:mod:`dea_etl.tables.glue`), both giving a :class:`~dea_etl.schemas.TableSpec` like the seed tables'.

:func:`lake_table` finds any table by name; :func:`source_table` resolves what a job's ``--table`` says
(a seed table's name, a schema file, ``glue://DATABASE/TABLE``) into the spec its CSV files are read with.
"""

from __future__ import annotations

from typing import Protocol

from pyspark.sql.types import StructType

from dea_etl.errors import UnknownTableError
from dea_etl.schemas import Column, TableSpec
from dea_etl.tables.marts import MARTS, MartSpec
from dea_etl.tables.seed import TABLES


class LakeTable(Protocol):
    """What every table of the lake has, whatever made it (a CSV source, a mart, a user's schema)."""

    @property
    def name(self) -> str: ...

    @property
    def schema(self) -> StructType: ...

    @property
    def partition_by(self) -> tuple[str, ...]: ...

    @property
    def description(self) -> str: ...


def lake_tables() -> dict[str, LakeTable]:
    """The tables dea_etl itself defines: seed tables, then marts."""
    return {**TABLES, **MARTS}


def lake_table(name: str) -> LakeTable:
    """A seed table or mart by name; :class:`UnknownTableError` naming the known ones."""
    found = lake_tables().get(name)
    if found is None:
        raise UnknownTableError(f"unknown table {name!r}; known tables: {', '.join(sorted(lake_tables()))}")
    return found


def is_table_file(ref: str) -> bool:
    """Whether a ``--table`` value names a schema file rather than a table."""
    from dea_etl.tables.files import SUFFIXES

    return not ref.startswith(GLUE_SCHEME) and (ref.endswith(SUFFIXES) or "/" in ref)


#: ``--table glue://DATABASE/TABLE``: the schema of a Glue Data Catalog table.
GLUE_SCHEME = "glue://"
#: What ``--table`` / ``--tables`` accept, for the jobs' and commands' help.
TABLE_HELP = (
    f"the files' table: a seed table ({', '.join(TABLES)}), a table file (.json, see dea_etl.tables.files) "
    "or glue://DATABASE/TABLE"
)


def source_table(ref: str) -> TableSpec:
    """What ``--table`` names: a seed table (``orders``), a schema file (``tables/sensors.json``) or a
    Glue Data Catalog table (``glue://DATABASE/TABLE``); the spec its CSV files are read with."""
    if ref.startswith(GLUE_SCHEME):
        from dea_etl.tables.glue import glue_table_spec

        database, _, table = ref.removeprefix(GLUE_SCHEME).partition("/")
        return glue_table_spec(database, table)
    if is_table_file(ref):
        from dea_etl.tables.files import read_table_file

        return read_table_file(ref)
    if ref in TABLES:
        return TABLES[ref]
    raise UnknownTableError(
        f"unknown table {ref!r}; give a seed table ({', '.join(sorted(TABLES))}), a schema file "
        f"(.json) or glue://DATABASE/TABLE"
    )


__all__ = [
    "GLUE_SCHEME",
    "MARTS",
    "TABLES",
    "TABLE_HELP",
    "Column",
    "LakeTable",
    "MartSpec",
    "TableSpec",
    "is_table_file",
    "lake_table",
    "lake_tables",
    "source_table",
]
