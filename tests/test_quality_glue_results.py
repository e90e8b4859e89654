"""Results in Glue's own shape, from one evaluation: constants and labels evaluated and reported, EvaluatedRule,
PASS / FAIL / ERROR and the Score, report.json checked against botocore's GetDataQualityResult shape, the
outcomes table and the metric history carrying the same fields, and a ``dq --report --record`` run that
evaluates the ruleset once."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.glue_shape import glue_shape, problems

from dea_etl.cli import main
from dea_etl.io import read_table
from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality import evaluate, run_ruleset
from dea_etl.quality.context import Plan
from dea_etl.quality.history import history_from_rows, load_history, read_metrics
from dea_etl.quality.rulesets import ruleset_from_text

SCHEMA = "id int, c string, x double"
ROWS = [(1, "a", 1.0), (2, "b", 5.0), (3, None, 9.0), (4, "z", None)]
RULESET = '''mySql = "select count(*) from primary where x > 2"
allowed = ["a", "b", NULL]
column_name = "x"
DefaultLabels = ["team"="finance"]
Rules = [
    CustomSql $mySql > 1,
    ColumnValues "c" in $allowed labels = ["check"="domain"],
    Mean $column_name > 3,
    (IsComplete "id" AND RowCount = 4) labels = ["team"="platform"],
    Sum "missing" > 0
]
Analyzers = [ Completeness "c", ColumnValues "x" ]'''


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


def test_constants_labels_and_evaluated_rules_in_rule_outcomes(df):
    rows = [r.asDict() for r in evaluate(df, RULESET).collect()]
    assert [(r["Outcome"], r["Labels"]) for r in rows] == [
        ("Passed", {"team": "finance"}),
        ("Failed", {"team": "finance", "check": "domain"}),  # "z" is not allowed
        ("Passed", {"team": "finance"}),
        ("Passed", {"team": "platform"}),
        ("Failed", {"team": "finance"}),
    ]
    assert rows[0]["EvaluatedMetrics"] == {"Dataset.*.CustomSQL": 2.0}
    assert rows[0]["Rule"] == "CustomSql $mySql > 1"
    assert rows[0]["EvaluatedRule"] == 'CustomSql "select count(*) from primary where x > 2" > 1'
    assert rows[1]["EvaluatedRule"] == 'ColumnValues "c" in ["a", "b", NULL] labels = ["check"="domain"]'
    assert rows[2]["EvaluatedMetrics"] == {"Column.x.Mean": 5.0}


def test_one_evaluation_gives_results_errors_score_and_analyzers(df):
    ev = run_ruleset(df, RULESET)
    assert [o.name for o in ev.outcomes] == ["Rule_1", "Rule_2", "Rule_3", "Rule_4", "Rule_5"]
    assert [str(o.result) for o in ev.outcomes] == ["PASS", "FAIL", "PASS", "PASS", "ERROR"]
    assert ev.outcomes[4].reason == "Column 'missing' does not exist"
    assert ev.score == 3 / 5 and ev.row_count == 4
    assert [(a.rule, dict(a.metrics)) for a in ev.analyzers] == [
        ('Completeness "c"', {"Column.c.Completeness": 0.75}),
        ('ColumnValues "x"', {"Column.x.Minimum": 1.0, "Column.x.Maximum": 9.0}),
    ]


def test_evaluated_rule_shows_the_numbers_dynamic_operands_stood_for(df):
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    history = history_from_rows([(metric, f"r{i}", t0 + timedelta(days=i), v) for metric, values in (
        ("Dataset.*.RowCount", [10.0, 20.0]), ("Column.c.ColumnDataType.Compliance", [0.5, 0.7]))
        for i, v in enumerate(values)])
    rules = 'Rules = [ RowCount > avg(last(2)) * 0.2, ColumnDataType "c" = "STRING" with threshold > avg(last(2)) ]'
    rowcount, data_type = evaluate(df, rules, history=history).collect()
    assert (rowcount.Outcome, rowcount.EvaluatedRule) == ("Passed", "RowCount > 3")
    assert rowcount.EvaluatedMetrics == {"Dataset.*.RowCount": 4.0, "Dataset.*.RowCount.LowerBound": 3.0}
    # ColumnDataType takes a dynamic value in its threshold (the reference's rule type table): 3 of 4 > 0.6
    assert (data_type.Outcome, data_type.EvaluatedRule) == ("Passed", 'ColumnDataType "c" = "STRING" with threshold > 0.6')


def _lake_with_table(spark, tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"))
    spark.createDataFrame(ROWS, SCHEMA).write.parquet(lake.processed("things"))
    return lake


def test_report_json_is_glue_get_data_quality_result(spark, tmp_path):
    lake = _lake_with_table(spark, tmp_path)
    rules = tmp_path / "things.dqdl"
    rules.write_text(RULESET, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["dq", "--ruleset", str(rules), "--input", lake.processed("things"), "--format", "parquet",
                 "--lake", lake.root, "--report", str(out)])
    assert code == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    glue = {k: v for k, v in report.items() if k != "DeaEtl"}
    assert problems(glue, glue_shape("GetDataQualityResultResponse")) == []
    assert glue["Score"] == 0.6 and glue["RulesetName"] == "things"
    assert [(r["Name"], r["Result"], r.get("EvaluationMessage")) for r in glue["RuleResults"]] == [
        ("Rule_1", "PASS", None), ("Rule_2", "FAIL", "Value: 0.75 does not meet the constraint requirement "
                                                     "(1 of 4 rows failed)."),
        ("Rule_3", "PASS", None), ("Rule_4", "PASS", None), ("Rule_5", "ERROR", "Column 'missing' does not exist")]
    assert glue["RuleResults"][1]["Labels"] == {"team": "finance", "check": "domain"}
    assert glue["RuleResults"][0]["Description"] == "CustomSql $mySql > 1"
    assert glue["AnalyzerResults"][1] == {"Name": "Analyzer_2", "Description": 'ColumnValues "x"',
                                          "EvaluatedMetrics": {"Column.x.Minimum": 1.0, "Column.x.Maximum": 9.0}}
    assert [r["id"] for r in report["DeaEtl"]["failing_rows"]] == [4]
    assert "check=domain" in (out / "report.md").read_text(encoding="utf-8")
    assert "check=domain" in (out / "report.html").read_text(encoding="utf-8")


def test_outcomes_table_and_metric_history_carry_glue_fields_and_labels(spark, tmp_path):
    lake = _lake_with_table(spark, tmp_path)
    ruleset = ruleset_from_text("things", "# mode: quarantine\n" + RULESET)
    data_quality.check_table(spark, lake, ruleset, "run-1", {})
    outcomes = read_table(spark, data_quality.dq_path(lake, "things", "outcomes")).orderBy("Name").collect()
    assert [(r.Name, r.Result, r.Outcome, r.Labels, r.Score) for r in outcomes] == [
        ("Rule_1", "PASS", "Passed", {"team": "finance"}, 0.6),
        ("Rule_2", "FAIL", "Failed", {"team": "finance", "check": "domain"}, 0.6),
        ("Rule_3", "PASS", "Passed", {"team": "finance"}, 0.6),
        ("Rule_4", "PASS", "Passed", {"team": "platform"}, 0.6),
        ("Rule_5", "ERROR", "Failed", {"team": "finance"}, 0.6)]
    assert outcomes[0].Description == outcomes[0].Rule == "CustomSql $mySql > 1"
    assert outcomes[0].EvaluatedRule == 'CustomSql "select count(*) from primary where x > 2" > 1'
    assert outcomes[4].EvaluationMessage == outcomes[4].FailureReason == "Column 'missing' does not exist"
    metrics = read_metrics(spark, lake.root)
    assert metrics is not None
    labelled = {(r.kind, r.metric): r.labels for r in metrics.collect()}
    assert labelled[("rule", "Column.c.ColumnValues.Compliance")] == {"team": "finance", "check": "domain"}
    assert labelled[("analyzer", "Column.x.Maximum")] == {}
    assert load_history(spark, lake.root, "things").values("Column.x.Mean") == [5.0]


def _fused_aggregation_line() -> str:
    """Where the shared pass runs its one aggregation (the callsite Spark names its jobs after)."""
    lines, start = inspect.getsourcelines(Plan.run)
    offset = next(i for i, line in enumerate(lines) if ".agg(" in line and ".collect()" in line)
    return f"context.py:{start + offset}"


def _jobs_at(spark, group: str, callsite: str) -> int:
    tracker = spark.sparkContext.statusTracker()
    count = 0
    for job in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job)
        stages = [tracker.getStageInfo(s) for s in (info.stageIds if info else [])]
        count += any(s is not None and s.name.endswith(callsite) for s in stages)
    return count


def test_a_report_and_record_run_evaluates_the_ruleset_once(spark, tmp_path):
    """The rules, the analyzers, the row-level sample, the history and the reports come from one evaluation:
    ``dq --record --report`` runs the fused aggregation exactly as often as ``dq`` alone."""
    lake = _lake_with_table(spark, tmp_path)
    rules = tmp_path / "things.dqdl"
    rules.write_text(RULESET, encoding="utf-8")
    args = ["dq", "--ruleset", str(rules), "--input", lake.processed("things"), "--format", "parquet",
            "--lake", lake.root]
    callsite = _fused_aggregation_line()
    sc = spark.sparkContext
    for group, extra in (("dq-plain", []), ("dq-everything", ["--record", "--report", str(tmp_path / "out")])):
        sc.setJobGroup(group, group)
        try:
            assert main(args + extra) == 1
        finally:
            sc.setLocalProperty("spark.jobGroup.id", None)
    plain, everything = _jobs_at(spark, "dq-plain", callsite), _jobs_at(spark, "dq-everything", callsite)
    assert plain >= 1 and everything == plain


def test_the_pipeline_step_evaluates_each_ruleset_once(spark, tmp_path):
    """Gate, outcomes, analyzers, history, report and the step's row count: one fused aggregation, as many
    jobs as evaluating the ruleset alone."""
    lake = _lake_with_table(spark, tmp_path)
    ruleset = ruleset_from_text("things", "# mode: quarantine\n" + RULESET)
    callsite = _fused_aggregation_line()
    sc = spark.sparkContext
    steps = {"step": lambda: data_quality.check_table(spark, lake, ruleset, "run-1", {}, str(tmp_path / "reports")),
             "alone": lambda: run_ruleset(spark.createDataFrame(ROWS, SCHEMA), RULESET)}
    for group, action in steps.items():
        sc.setJobGroup(group, group)
        try:
            action()
        finally:
            sc.setLocalProperty("spark.jobGroup.id", None)
    assert _jobs_at(spark, "step", callsite) == _jobs_at(spark, "alone", callsite) >= 1
