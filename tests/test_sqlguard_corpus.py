"""The hostile corpus (:mod:`tests.sql_corpus`) end to end: every query is refused in one line by the guard,
by ``dea-etl sql`` and by DQDL CustomSql, and the sentinels show that nothing ran: the sentinel folder
stays empty, the JVM property stays unset, the secret's text shows nowhere, no view or table appears.
The analyzed-plan check alone refuses every hostile SELECT Spark can analyze (each layer holds by itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from tests import sql_corpus as corpus

from dea_etl.cli import main
from dea_etl.io.parquet import write_parquet
from dea_etl.quality import evaluate
from dea_etl.sqlguard import InvalidSqlError, UnsafeSqlError, check_analyzed, check_query
from dea_etl.tables.seed import CUSTOMERS

SECRET = "TOPSECRET-4b1d"


@dataclass
class Sentinels:
    folder: Path
    secret: Path
    spark: SparkSession

    def fill(self, template: str, table: str) -> str:
        return template.replace("{t}", table).replace("{dir}", str(self.folder)).replace("{secret}", str(self.secret))

    def property(self) -> Any:
        jvm: Any = self.spark.sparkContext._jvm
        return jvm.java.lang.System.getProperty(corpus.PROPERTY)

    def assert_untouched(self) -> None:
        assert list(self.folder.iterdir()) == []
        assert self.property() is None
        names = {t.name for t in self.spark.catalog.listTables()}
        assert not {"leak_t", "leak_v", "leak_c"} & names


@pytest.fixture(scope="module")
def sentinels(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sentinels]:
    """A sentinel folder, a secret file, and places the secret also sits: a temporary view ``leak``, a
    global one, a catalog table ``secrets``."""
    root = tmp_path_factory.mktemp("sentinels")
    (root / "folder").mkdir()
    (root / "secret.txt").write_text(SECRET + "\n")
    secret_df = spark.createDataFrame([(SECRET,)], "v string")
    secret_df.createOrReplaceTempView("leak")
    secret_df.createOrReplaceGlobalTempView("leak")
    secret_df.write.mode("overwrite").saveAsTable("secrets")
    yield Sentinels(root / "folder", root / "secret.txt", spark)
    spark.catalog.dropTempView("leak")
    spark.catalog.dropGlobalTempView("leak")
    spark.sql("DROP TABLE IF EXISTS secrets")


def test_the_sentinels_see_what_an_unguarded_query_does(spark: SparkSession, sentinels: Sentinels) -> None:
    """The control: run without the guard, the corpus' calls leave the traces the other tests look for."""
    spark.sql(sentinels.fill(f"select {corpus.MKDIR}, {corpus.SET_PROPERTY}", "x")).collect()
    try:
        assert len(list(sentinels.folder.iterdir())) == 1
        assert sentinels.property() == "x"
        text = spark.sql(sentinels.fill("select * from text.`{secret}`", "x")).collect()
        assert text[0][0] == SECRET
    finally:
        for made in sentinels.folder.iterdir():
            made.rmdir()
        jvm: Any = spark.sparkContext._jvm
        jvm.java.lang.System.clearProperty(corpus.PROPERTY)
    sentinels.assert_untouched()


HOSTILE = corpus.selects() + corpus.COMMANDS


def test_the_corpus_has_over_a_hundred_queries() -> None:
    assert len(set(HOSTILE)) == len(HOSTILE) > 100


def test_the_guard_refuses_every_hostile_query(spark: SparkSession, sentinels: Sentinels) -> None:
    spark.createDataFrame([(1,)], "id int").createOrReplaceTempView("primary")
    not_refused = []
    for template in HOSTILE:
        try:
            check_query(spark, sentinels.fill(template, "primary"), ["primary"])
            not_refused.append((template, "accepted"))
        except InvalidSqlError as exc:  # a refusal must come from the guard, not from a failed analysis
            not_refused.append((template, str(exc)))
        except UnsafeSqlError as exc:
            assert "\n" not in str(exc) and SECRET not in str(exc)
    assert not_refused == [], "\n".join(map(str, not_refused))
    sentinels.assert_untouched()


def test_the_analyzed_check_alone_refuses_every_hostile_select(spark: SparkSession, sentinels: Sentinels) -> None:
    """Each SELECT Spark can analyze (``spark.sql`` analyzes, it runs nothing for a query) is refused by the
    analyzed-plan check without the parsed-plan one."""
    spark.createDataFrame([(1,)], "id int").createOrReplaceTempView("primary")
    analyzed = accepted = 0
    for template in corpus.selects():
        try:
            plan = spark.sql(sentinels.fill(template, "primary"))._jdf.queryExecution().analyzed()
        except Exception:
            continue  # Spark refuses it by itself (a hint over an expression, an unknown table...)
        analyzed += 1
        try:
            check_analyzed(spark, plan, ["primary"])
            accepted += 1
        except UnsafeSqlError:
            pass
    assert accepted == 0
    assert analyzed >= 60
    sentinels.assert_untouched()


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile_lake")
    write_parquet(spark.createDataFrame([(1, "Ann", "Able", "Ann Able")], CUSTOMERS.processed_schema),
                  str(root / "processedData" / "customers"), run_id="t")
    return root


def test_dea_etl_sql_refuses_every_hostile_query_in_one_line(
    sentinels: Sentinels, lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each query twice: as typed (some are refused by the Spark-free syntax check before Spark starts, the
    rest by the guard) and with --skip-sql-check (all reach Spark's parser and the guard refuses each)."""
    wrong = []
    for template in HOSTILE:
        query = sentinels.fill(template, "customers")
        for extra, prefixes in (([], ("error: refused: ", "error: ")), (["--skip-sql-check"], ("error: refused: ",))):
            code = main(["sql", query, "--lake", str(lake), *extra])
            out, err = capsys.readouterr()
            lines = err.strip().splitlines()
            refused = len(lines) == 1 and lines[0].startswith(prefixes)
            if code != 1 or out or not refused or SECRET in err:
                wrong.append((template, extra, code, out, err))
    assert wrong == []
    sentinels.assert_untouched()


def _dqdl(rules: list[str]) -> str:
    return "Rules = [\n  " + ",\n  ".join(rules) + "\n]"


def test_customsql_refuses_every_hostile_query_in_one_line(spark: SparkSession, sentinels: Sentinels) -> None:
    df = spark.createDataFrame([(1,), (2,)], "id int")
    rules = [f'CustomSql "{sentinels.fill(template, "primary")}" > 0' for template in HOSTILE]
    rows = evaluate(df, _dqdl(rules)).collect()
    assert len(rows) == len(HOSTILE)
    wrong = [(r.Rule, r.Outcome, r.FailureReason) for r in rows
             if r.Outcome != "Failed" or not (r.FailureReason or "").startswith("CustomSql refused: ")
             or "\n" in r.FailureReason or SECRET in r.FailureReason or r.EvaluatedMetrics]
    assert wrong == []
    sentinels.assert_untouched()


def test_where_clauses_refuse_every_hostile_expression(spark: SparkSession, sentinels: Sentinels) -> None:
    df = spark.createDataFrame([(1,), (2,)], "id int")
    clauses = [sentinels.fill(w, "primary") for w in corpus.where_clauses()]
    rows = evaluate(df, _dqdl([f'ColumnValues "id" > 0 where "{w}"' for w in clauses])).collect()
    assert len(rows) == len(clauses) >= 10
    wrong = [(r.Rule, r.Outcome, r.FailureReason) for r in rows
             if r.Outcome != "Failed" or " refused: " not in (r.FailureReason or "")
             or "\n" in r.FailureReason or SECRET in r.FailureReason]
    assert wrong == []
    sentinels.assert_untouched()
