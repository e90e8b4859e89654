"""How the group-by rules' counts are computed: per column set (and where clause), the number of distinct
values, of values found once, the sum of ``n ln n`` over the values' counts ``n`` and the rows with a value
(rows whose key columns are all null are left out, as Deequ leaves them out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F


@dataclass
class GroupRequest:
    columns: tuple[str, ...]
    where: str | None
    prefix: str


_GROUP_STATS = ("distinct", "unique", "clogc", "valued")
#: Above this many rows each column set's group-by is a query of its own, the queries side by side: on
#: 3,000,000 orders the 30-rule group-by bench's nine column sets took 4.8 s that way and 5.7 s in one
#: GROUPING SETS query, whose Expand hashes every row once per set on a key as wide as all the sets' columns
#: together (a query of its own reads and hashes only its columns). Below it, the one GROUPING SETS query:
#: fewer Spark jobs, which cost more than the rows do.
SEPARATE_GROUPS_ROWS = 1_000_000


def grouping_sets_values(df: DataFrame, reqs: list[GroupRequest]) -> dict[str, Any]:
    """Every group-by request in one job and one shuffle (GROUPING SETS): the same values as one
    :func:`group_values` per request. A row outside a request's where clause gets null keys there, and
    all-null keys are left out, as the single pass does."""
    keys: list[list[str]] = []
    cols: list[Column] = []
    for i, req in enumerate(reqs):
        inside = F.expr(req.where) if req.where else F.lit(True)
        names = [f"k{i}_{j}" for j in range(len(req.columns))]
        cols.extend(F.when(inside, F.col(c)).alias(n) for c, n in zip(req.columns, names, strict=True))
        keys.append(names)
    every = [n for names in keys for n in names]
    # grouping_id(): one bit per key column, most significant first, set when the column is not grouped
    gids = [sum(1 << (len(every) - 1 - k) for k, n in enumerate(every) if n not in names) for names in keys]
    present = " or ".join(
        f"(gid = {g} and ({' or '.join(f'{n} is not null' for n in names)}))" for g, names in zip(gids, keys, strict=True)
    )
    sets = ", ".join(f"({', '.join(names)})" for names in keys)
    rows = df.sparkSession.sql(
        "select gid, count(*) as distinct, count_if(n = 1) as unique, sum(n * ln(n)) as clogc, "
        "sum(n) as valued from (select grouping_id() as gid, " + ", ".join(every) + ", count(*) as n "
        f"from {{keys}} group by grouping sets ({sets})) where {present} group by gid",
        keys=df.select(*cols),
    ).collect()
    found = {r["gid"]: r for r in rows}
    values: dict[str, Any] = {}
    for req, gid in zip(reqs, gids, strict=True):
        row = found.get(gid)
        empty = {"distinct": 0, "unique": 0, "clogc": None, "valued": None}
        values.update({req.prefix + k: (row[k] if row else empty[k]) for k in _GROUP_STATS})
    return values


def group_values(df: DataFrame, req: GroupRequest) -> dict[str, Any]:
    data = df.where(F.expr(req.where)) if req.where else df
    any_value = F.lit(False)
    for c in req.columns:
        any_value = any_value | F.col(c).isNotNull()
    counts = data.where(any_value).groupBy(*req.columns).agg(F.count(F.lit(1)).alias("_n"))
    row = counts.agg(
        F.count(F.lit(1)).alias("distinct"),
        F.count_if(F.col("_n") == 1).alias("unique"),
        F.sum(F.col("_n") * F.log(F.col("_n"))).alias("clogc"),
        F.sum("_n").alias("valued"),
    ).collect()[0]
    return {req.prefix + k: v for k, v in row.asDict().items()}
