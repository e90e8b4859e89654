"""The read-only SQL guard: one query over the named tables with allowed functions; commands, writes, file
sources and Java calls are refused before anything runs, in CustomSql / where clauses (the rule fails with
the reason) and in ``dea-etl sql`` (exit 1, one line). The hostile corpus is in test_sqlguard_corpus.py;
here: what stays allowed, the reasons given, and the allow-lists themselves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main
from dea_etl.quality import evaluate
from dea_etl.sqlguard import InvalidSqlError, UnsafeSqlError, check_expression, check_query
from dea_etl.sqlguard.allowed import BUILT, FUNCTIONS, IMPLEMENTATION, STRUCTURAL, UDF
from dea_etl.sqlguard.tree import EXPRESSIONS

ALLOWED = [
    "select count(*) from primary",
    "select /*+ REPARTITION(2) */ * from primary",
    "select /*+ REPARTITION(2, p.id), BROADCAST(r) */ * from primary p join ref r on p.id = r.id",
    "select /*+ COALESCE(1) */ id from primary",
    "select id, count(*) over w, rank() over w from primary window w as (partition by name order by id)",
    "select transform(array(id), x -> x + 1), filter(array(id), x -> x > 1), "
    "aggregate(array(id), 0, (acc, x) -> acc + x) from primary",
    "select c from primary lateral view posexplode(array(name)) t as p, c",
    "select * from primary pivot (count(*) for name in ('a', 'b'))",
    "select percentile_cont(0.5) within group (order by id) from primary",
    "select id between 1 and 2, name ilike 'a%', name rlike '^a', cast(id as string), try_cast(name as int), "
    "case when id > 1 then 'x' end, coalesce(name, 'n'), nvl(name, 'n'), id is distinct from 1 from primary",
    "select date '2024-01-31' + interval 1 day, timestampadd(hour, 1, timestamp '2024-01-01 00:00:00'), "
    "extract(year from date '2024-01-31'), current_date(), to_date('1/2/2024', 'M/d/yyyy') from primary",
    "select named_struct('a', id).a, array(id)[0], map('k', id)['k'] from primary",
    "select count(*) filter (where id > 1), count(distinct name) from primary",
    "select id from primary where id in (select id from ref) and exists (select 1 from ref where ref.id = primary.id)",
    "select * from primary p, lateral (select max(id) as m from ref where ref.id = p.id)",
    "select * from primary unpivot (v for k in (id))",
    "select * from IDENTIFIER('primary')",
    "select IDENTIFIER('upper')(name) from primary",
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
    ("select reflect('java.lang.System', 'getenv', 'HOME')", r"function reflect\(\) is not allowed: it calls Java"),
    ("select java_method('java.lang.Runtime', 'getRuntime')", r"function java_method\(\) is not allowed: it calls"),
    ("select xpath('<a/>', 'a')", r"function xpath\(\) is not allowed: it parses XML"),
    ("select no_such_function(1)", r"function no_such_function\(\) is not allowed: it is not one of the allowed"),
    ("SELECT TRANSFORM(id) USING 'cat /etc/passwd' FROM primary", "not TRANSFORM ... USING"),
    ("select count(*) from primary; select 1", "does not parse: .*extra input 'select'"),
    ("WITH `text./etc/passwd` AS (SELECT 1) SELECT * FROM text.`/etc/passwd`",
     r"table 'text\./etc/passwd' is not one of the query's tables \(primary, ref\)"),
    ("select IDENTIFIER('reflect')('java.lang.System', 'getenv', 'HOME')", r"function reflect\(\) is not allowed"),
    ("select id, count(*) over w from primary window w as (partition by reflect('java.lang.System', 'getenv', 'HOME'))",
     r"function reflect\(\) is not allowed"),
    ("select * from IDENTIFIER(concat('pri', 'mary'))", r"IDENTIFIER\(\.\.\.\) must be given a string literal"),
    ("SET spark.sql.ansi.enabled=true", r"not a command \(SetCommand\)"),
    ("ADD JAR /tmp/x.jar", r"not a command \(AddJarsCommand\)"),
    ("CACHE TABLE primary", r"not a command \(CacheTable\)"),
    ("select * from primary version as of 1", r"not a command \(RelationTimeTravel\)"),
]


@pytest.fixture(scope="module", autouse=True)
def views(spark: SparkSession) -> None:
    """``primary`` and ``ref`` as the views CustomSql registers (the guard decides on what they resolve to)."""
    for name in ("primary", "ref"):
        spark.createDataFrame([(1, "a"), (2, None)], "id int, name string").createOrReplaceTempView(name)


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
    rows = spark.createDataFrame([(1, "a")], "id int, name string")
    check_expression(spark, "id > 1 and name like 'a%'", rows)
    with pytest.raises(UnsafeSqlError, match=r"reflect\(\) is not allowed: it calls Java"):
        check_expression(spark, "reflect('java.lang.System', 'getenv', 'HOME') is not null", rows)
    with pytest.raises(UnsafeSqlError, match=r"table 'text\./etc/passwd'"):
        check_expression(spark, "id in (select value from text.`/etc/passwd`)", rows)
    with pytest.raises(InvalidSqlError, match=r"does not analyze: \[UNRESOLVED_COLUMN"):
        check_expression(spark, "nope > 1", rows)


def test_a_query_that_does_not_analyze_is_invalid_not_refused(spark: SparkSession) -> None:
    spark.createDataFrame([(1,)], "id int").createOrReplaceTempView("primary")
    with pytest.raises(InvalidSqlError, match=r"^does not analyze: \[UNRESOLVED_COLUMN\.WITH_SUGGESTION\][^\n]*$"):
        check_query(spark, "select nope from primary", ["primary"])


def test_a_query_too_deep_for_the_parser_is_one_clear_line(spark: SparkSession) -> None:
    with pytest.raises(InvalidSqlError) as caught:
        check_query(spark, "select " + " + ".join(["1"] * 3000), [])
    assert str(caught.value) == (
        "does not parse: the query is nested too deeply for Spark (java.lang.StackOverflowError); split it up")


def test_functions_the_user_registered_are_allowed(spark: SparkSession) -> None:
    spark.createDataFrame([(1,)], "id int").createOrReplaceTempView("primary")
    spark.udf.register("plus_one", lambda v: v + 1, "int")
    check_query(spark, "select plus_one(id) from primary", ["primary"])
    with pytest.raises(UnsafeSqlError, match=r"function not_registered\(\) is not allowed"):
        check_query(spark, "select not_registered(id) from primary", ["primary"])


def test_the_allowed_functions_are_spark_built_ins_without_java_calls(spark: SparkSession) -> None:
    jvm: Any = spark.sparkContext._jvm
    registry = jvm.org.apache.spark.sql.catalyst.analysis.FunctionRegistry.builtin()
    ident = jvm.org.apache.spark.sql.catalyst.FunctionIdentifier
    assert [n for n in sorted(FUNCTIONS) if not registry.functionExists(ident(n))] == []
    assert not FUNCTIONS & {"reflect", "java_method", "try_reflect", "xpath", "xpath_string"}
    for name in STRUCTURAL | BUILT | IMPLEMENTATION | UDF:  # every class named exists
        jvm.java.lang.Class.forName(EXPRESSIONS + name)


def test_the_allowed_functions_classes_come_from_spark_s_registry_in_one_call(spark: SparkSession) -> None:
    jvm: Any = spark.sparkContext._jvm
    registry = jvm.org.apache.spark.sql.catalyst.analysis.FunctionRegistry.builtin()
    ident = jvm.org.apache.spark.sql.catalyst.FunctionIdentifier
    names = ["upper", "not_a_function", "abs", "", "date_add"]
    asked = [str(registry.lookupFunction(ident(n)).get().getClassName()) if n and registry.functionExists(ident(n))
             else "" for n in names]
    assert str(jvm.dea_etl.spark.FunctionClasses.of("\n".join(names))).split("\n") == asked
    assert asked[0] == EXPRESSIONS + "Upper" and asked[1] == asked[3] == ""


def test_the_documented_examples_of_every_allowed_function_pass(spark: SparkSession) -> None:
    """Spark documents each function with examples: the first of each allowed function passes the guard
    (or is invalid on its own: a Hive-only or ANSI-only example), none is refused."""
    jvm: Any = spark.sparkContext._jvm
    registry = jvm.org.apache.spark.sql.catalyst.analysis.FunctionRegistry.builtin()
    refused, tried = [], 0
    for name in sorted(FUNCTIONS):
        info = registry.lookupFunction(jvm.org.apache.spark.sql.catalyst.FunctionIdentifier(name)).get()
        examples = re.findall(r"> (SELECT .*?);", str(info.getExamples() or ""), flags=re.S)
        for query in examples[:1]:
            tried += 1
            try:
                check_query(spark, query, [])
            except InvalidSqlError:
                pass
            except UnsafeSqlError as exc:
                refused.append((name, query, str(exc)))
    assert refused == []
    assert tried > 350


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
    assert got[6][1].startswith("where clause") and "java_method() is not allowed: it calls Java" in got[6][1]
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
    # dea-etl sql gives an Iceberg table's metadata tables (orders.snapshots) by their two-part names (read
    # end to end in test_iceberg_table_cli); other names are refused before analysis
    for query in ("select * from orders.files", "select * from parquet.`orders.snapshots`",
                  "select * from x.orders.snapshots", "select * from `orders.snapshots`"):
        with pytest.raises(UnsafeSqlError, match="is not one of the query's tables"):
            check_query(spark, query, ["orders", "orders.snapshots"])
