"""The read-only SQL guard: one query over the named tables; commands, writes, file sources and Java calls
are refused before anything runs, in CustomSql / where clauses (the rule fails with the reason) and in
``dea-etl sql`` (exit 1, one line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main
from dea_etl.quality import evaluate
from dea_etl.sqlguard import UnsafeSqlError, check_expression, check_query

ALLOWED = [
    "select count(*) from primary",
    "SELECT * FROM primary WHERE id > 1",
    "with t as (select id from primary) select count(*) from t",
    "select (select max(id) from primary) as m from primary",
    "select * from primary p join ref r on p.id = r.id",
    "select id, count(*) from primary group by grouping sets ((id), ())",
    "select id, row_number() over (order by id) from primary",
    "select * from range(3)",
    "values (1), (2)",
    "select * from primary lateral view explode(array(1)) t as c",
]

REFUSED = [
    ("INSERT OVERWRITE DIRECTORY '{tmp}/out' SELECT * FROM primary", "not INSERT OVERWRITE DIRECTORY"),
    ("CREATE TABLE t LOCATION '{tmp}/table' AS SELECT * FROM primary", r"not a command \(CreateTableAsSelect\)"),
    ("CREATE TEMP VIEW v AS SELECT * FROM primary", r"not a command \(CreateViewCommand\)"),
    ("INSERT INTO primary SELECT * FROM primary", "not INSERT"),
    ("select * from text.`/etc/passwd`", r"table 'text\./etc/passwd' is not one of the query's tables"),
    ("select * from parquet.`{tmp}`", r"table 'parquet\..*' is not one of the query's tables"),
    ("select * from primary where exists (select 1 from csv.`/etc/hosts`)", r"table 'csv\./etc/hosts'"),
    ("with t as (select * from json.`/etc`) select * from t", r"table 'json\./etc'"),
    ("select * from default.secrets", r"table 'default\.secrets' is not one of the query's tables"),
    ("select reflect('java.lang.System', 'getenv', 'HOME')", r"function reflect\(\) calls Java"),
    ("select java_method('java.lang.Runtime', 'getRuntime')", r"function java_method\(\) calls Java"),
    ("SELECT TRANSFORM(id) USING 'cat /etc/passwd' FROM primary", "not TRANSFORM ... USING"),
    ("select count(*) from primary; select 1", "does not parse: .*extra input 'select'"),
    ("SET spark.sql.ansi.enabled=true", r"not a command \(SetCommand\)"),
    ("ADD JAR /tmp/x.jar", r"not a command \(AddJarsCommand\)"),
    ("CACHE TABLE primary", r"not a command \(CacheTable\)"),
]


@pytest.mark.parametrize("sql", ALLOWED)
def test_a_read_only_query_over_the_tables_is_allowed(spark: SparkSession, sql: str) -> None:
    check_query(spark, sql, ["primary", "ref"])


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_anything_else_is_refused_with_the_reason(spark: SparkSession, tmp_path: Path, sql: str,
                                                  reason: str) -> None:
    with pytest.raises(UnsafeSqlError, match=reason):
        check_query(spark, sql.format(tmp=tmp_path), ["primary", "ref"])
    assert list(tmp_path.iterdir()) == []


def test_where_clauses_are_checked_as_expressions(spark: SparkSession) -> None:
    check_expression(spark, "id > 1 and name like 'a%'")
    with pytest.raises(UnsafeSqlError, match=r"reflect\(\) calls Java"):
        check_expression(spark, "reflect('java.lang.System', 'getenv', 'HOME') is not null")
    with pytest.raises(UnsafeSqlError, match=r"table 'text\./etc/passwd'"):
        check_expression(spark, "id in (select value from text.`/etc/passwd`)")


@pytest.fixture(scope="module")
def small_df(spark: SparkSession):
    return spark.createDataFrame([(1, "a"), (2, None)], "id int, name string")


def test_customsql_fails_the_rule_with_the_reason_and_writes_nothing(spark: SparkSession, small_df,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    rules = [
        f'CustomSql "INSERT OVERWRITE DIRECTORY \'{out}\' SELECT * FROM primary" > 0',
        f'CustomSql "CREATE TABLE leak LOCATION \'{tmp_path / "t"}\' AS SELECT * FROM primary" > 0',
        'CustomSql "CREATE TEMP VIEW leak_view AS SELECT * FROM primary" > 0',
        'CustomSql "select count(*) from text.`/etc/passwd`" > 0',
        'CustomSql "select count(*) from primary where reflect(\'java.lang.System\', \'exit\', 1) is null" > 0',
        'CustomSql "select id from primary where id > 5" with threshold > 0.5',
        'ColumnValues "id" > 0 where "java_method(\'java.util.UUID\', \'randomUUID\') is not null"',
        'CustomSql "select count(*) from primary" = 2',
    ]
    ruleset = "Rules = [ " + ", ".join(rules) + " ]"
    got = [(r.Outcome, r.FailureReason) for r in evaluate(small_df, ruleset).collect()]
    refused = [reason for outcome, reason in got[:7] if outcome == "Failed" and reason and "refused" in reason]
    assert len(refused) == 6, got  # the 6th rule is a plain (failing) query, not refused
    assert got[0][1].startswith("CustomSql refused: only a read-only query is allowed, not INSERT OVERWRITE")
    assert got[6][1].startswith("where clause") and "java_method() calls Java" in got[6][1]
    assert got[7] == ("Passed", None)
    assert list(tmp_path.iterdir()) == []
    assert "leak_view" not in [t.name for t in spark.catalog.listTables()]


def test_dea_etl_sql_refuses_with_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = f"INSERT OVERWRITE DIRECTORY '{tmp_path / 'out'}' SELECT 1"
    assert main(["sql", query, "--lake", str(tmp_path / "lake")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "error: refused: only a read-only query is allowed, not INSERT OVERWRITE DIRECTORY"]
    assert main(["sql", "select * from text.`/etc/passwd`", "--lake", str(tmp_path / "lake")]) == 1
    assert "refused: table 'text./etc/passwd' is not one of the query's tables (none)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_two_part_name_is_allowed_only_when_given_as_such(spark: SparkSession) -> None:
    # dea-etl sql gives an Iceberg table's metadata tables (orders.snapshots) by their two-part names
    check_query(spark, "select * from orders.snapshots", ["orders", "orders.snapshots"])
    for query in ("select * from orders.files", "select * from parquet.`orders.snapshots`",
                  "select * from x.orders.snapshots"):
        with pytest.raises(UnsafeSqlError, match="is not one of the query's tables"):
            check_query(spark, query, ["orders", "orders.snapshots"])
