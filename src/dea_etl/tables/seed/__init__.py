"""The course's seed tables, each a table file beside this module (the format users' own tables use,
:mod:`dea_etl.tables.files`): ``customers.json``, ``employees.json``, ``orders.json``, ``tripdata.json``.

Raw schemas are the course's Glue Data Catalog definitions (``../shared/data/seed/SOURCE.md``): orders'
dates are STRING there. Processed schemas keep the course's column names for customers, employees and
orders (the course's Athena SQL and DQDL rulesets use them), type dates as DATE, and give the taxi trips
snake_case names and TIMESTAMPs. The files are read with :mod:`importlib.resources`, so they load from
the wheel and from the ``dea_etl.zip`` that Glue and EMR import.
"""

from __future__ import annotations

from importlib import resources

from dea_etl.schemas import TableSpec
from dea_etl.tables.files import table_from_text

NAMES = ("customers", "employees", "orders", "tripdata")


def _load(name: str) -> TableSpec:
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return table_from_text(text, f"dea_etl/tables/seed/{name}.json")


CUSTOMERS, EMPLOYEES, ORDERS, TRIPDATA = (_load(n) for n in NAMES)

#: The seed tables by name.
TABLES: dict[str, TableSpec] = {t.name: t for t in (CUSTOMERS, EMPLOYEES, ORDERS, TRIPDATA)}

