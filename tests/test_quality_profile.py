"""The columns' profile of the reports, two aggregations after the evaluation's: nulls, approximate distinct
counts, min / max, means and histograms written here by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructField, StructType
from tests.spark_jobs import jobs_of

from dea_etl.quality import run_ruleset
from dea_etl.quality.profile import Bin, Profiler, bin_edges

SCHEMA = ("id int, price double, name string, day date, amount decimal(10,2), tags array<string>, "
          "`a.b` string, flag boolean")
ROWS = [
    (1, 2.0, "ab", date(2026, 1, 2), Decimal("1.50"), ["x"], "<script>", True),
    (2, 4.0, "abcd", date(2026, 1, 1), Decimal("2.50"), [], "q", False),
    (2, float("nan"), "", date(2026, 3, 1), None, None, "q", True),
    (5, 10.0, None, None, Decimal("3.00"), ["y", None], None, None),
    (None, None, "abc", date(2026, 2, 1), Decimal("1.00"), ["x"], "q", True),
]


def test_whole_numbers_of_few_values_get_a_bin_each_others_ten_equal_bins():
    assert bin_edges(1, 5, integral=True) == [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (4.0, 4.0), (5.0, 5.0)]
    assert bin_edges(0.0, 10.0, integral=False) == [(float(i), float(i + 1)) for i in range(10)]
    assert len(bin_edges(0, 20, integral=True)) == 10  # 21 values: equal bins
    assert bin_edges(7.0, 7.0, integral=False) == [(7.0, 7.0)]
    assert bin_edges(None, None, integral=False) == [] and bin_edges(0.0, float("inf"), integral=False) == []


def test_profile_of_every_column_type_with_nulls(spark):
    df = spark.createDataFrame(ROWS, SCHEMA)
    ev = run_ruleset(df, 'Rules = [ RowCount > 0 ]', profile=True)
    assert ev.profile is not None and ev.profile.rows == 5
    cols = {c.name: c for c in ev.profile.columns}
    assert list(cols) == ["id", "price", "name", "day", "amount", "tags", "a.b", "flag"]
    got = {n: (c.type, c.kind, c.nulls, c.distinct, c.minimum, c.maximum) for n, c in cols.items()}
    assert got == {
        "id": ("int", "number", 1, 3, 1, 5),
        "price": ("double", "number", 1, 4, 2.0, 10.0),  # NaN counted apart, not a minimum or a maximum
        "name": ("string", "string", 1, 4, 0, 4),  # strings: the shortest and the longest length
        "day": ("date", "time", 1, 4, date(2026, 1, 1), date(2026, 3, 1)),
        "amount": ("decimal(10,2)", "number", 1, 4, Decimal("1.00"), Decimal("3.00")),
        "tags": ("array<string>", "other", 1, None, None, None),
        "a.b": ("string", "string", 1, 2, 1, 8),
        "flag": ("boolean", "other", 1, 2, None, None),
    }
    assert (cols["price"].nan, cols["price"].mean, cols["id"].mean) == (1, 16.0 / 3, 2.5)
    assert cols["id"].histogram == (Bin(1.0, 1.0, 1), Bin(2.0, 2.0, 2), Bin(3.0, 3.0, 0), Bin(4.0, 4.0, 0),
                                    Bin(5.0, 5.0, 1))
    assert [b.count for b in cols["price"].histogram] == [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert [b.count for b in cols["amount"].histogram] == [1, 0, 1, 0, 0, 0, 0, 1, 0, 1]
    assert cols["name"].histogram == () and cols["name"].null_fraction(5) == 0.2


def test_profile_json_names_string_lengths_and_keeps_dates_readable(spark):
    ev = run_ruleset(spark.createDataFrame(ROWS, SCHEMA), "Rules = [ RowCount > 0 ]", profile=True)
    assert ev.profile is not None
    data = {c["name"]: c for c in ev.profile.to_json()["columns"]}  # type: ignore[union-attr]
    assert (data["name"]["min_length"], data["name"]["max_length"]) == (0, 4)
    assert (data["day"]["min"], data["day"]["max"]) == ("2026-01-01", "2026-03-01")
    assert (data["amount"]["min"], data["amount"]["max"]) == (1.0, 3.0)
    assert data["id"]["histogram"][1] == {"lower": 2.0, "upper": 2.0, "count": 2}
    assert data["tags"] == {"name": "tags", "type": "array<string>", "nulls": 1, "null_fraction": 0.2,
                            "distinct_approx": None, "min": None, "max": None}


def test_the_profile_costs_two_aggregations_beside_the_evaluations_own(spark):
    df = spark.createDataFrame(ROWS, SCHEMA).localCheckpoint()
    rules = 'Rules = [ RowCount > 0, IsComplete "id", Mean "price" > 0 ]'
    plain = jobs_of(spark, "profile-off", lambda: run_ruleset(df, rules))
    profiled = jobs_of(spark, "profile-on", lambda: run_ruleset(df, rules, profile=True))
    one_aggregation = jobs_of(spark, "one-aggregation", lambda: df.agg(F.count(F.lit(1))).collect())
    # the plain statistics, then the distinct counts and the histograms (bins from the first's min and max)
    assert plain >= 1 and profiled == plain + 2 * one_aggregation
    assert run_ruleset(df, rules).profile is None  # nothing computed unless asked


def test_a_rule_that_cannot_be_evaluated_leaves_the_profile_whole(spark):
    df = spark.createDataFrame(ROWS, SCHEMA)
    ev = run_ruleset(df, 'Rules = [ Mean "missing" > 0, IsComplete "id" ]', profile=True)
    assert [o.result for o in ev.outcomes] == ["ERROR", "FAIL"]
    assert ev.profile is not None and [c.nulls for c in ev.profile.columns] == [1] * 8


def test_a_distinct_estimate_is_never_more_than_the_values_there_are():
    schema = StructType([StructField("id", IntegerType())])
    # HyperLogLog++ may overshoot a unique key (5,003 of 5,000 rows); the profile says at most the non-null count
    profile = Profiler(schema).finish({"p0_nulls": 1, "p0_distinct": 7, "p0_min": 1, "p0_max": 9}, rows=5)
    assert profile.columns[0].distinct == 4
    assert Profiler(schema).finish({"p0_nulls": 0, "p0_distinct": 3}, rows=5).columns[0].distinct == 3
