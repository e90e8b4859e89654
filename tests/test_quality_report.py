"""Data-quality reports: HTML (inline SVG, no network), Markdown and JSON; ``dea-etl dq --report``, the
pipeline's ``--report`` (headless Chromium draws the page: test_quality_report_browser.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.spark_jobs import jobs_of

from dea_etl.cli import main
from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality import run_ruleset
from dea_etl.quality.charts import Chart, svg
from dea_etl.quality.gate import gate
from dea_etl.quality.history import history_from_rows
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.recording import Run, report_of, rule_samples
from dea_etl.quality.report import RuleSample, render_html, render_json, render_markdown
from dea_etl.quality.rulesets import ruleset_from_text
from dea_etl.tables.seed import CUSTOMERS

T0 = datetime(2026, 11, 1, 6, tzinfo=UTC)
HOSTILE = 'CustomSql "select count(*) from primary where x = \'<script>alert(1)</script>\' | y" > 0'


def _report():
    history = history_from_rows(
        [("Dataset.*.RowCount", f"r{i}", T0 + timedelta(days=i), v) for i, v in enumerate([100.0, 104.0, 98.0])]
        + [("Column.x.Completeness", f"r{i}", T0 + timedelta(days=i), v) for i, v in enumerate([1.0, 0.98, 0.99])])
    evaluated = [
        Outcome(True, None, {"Dataset.*.RowCount": 101.0, "Dataset.*.RowCount.LowerBound": 80.5}).of(
            "RowCount > avg(last(3)) * 0.8", "RowCount > 80.5", "Rule_1", {"team": "<sales>"}),
        Outcome(False, "Value: 0.5 does not meet the constraint requirement.", {"Column.x.Completeness": 0.5}).of(
            "Completeness \"x\" > 0.95", "", "Rule_2", {}),
        Outcome(False, "<b>bad</b> | reason", {"Dataset.*.CustomSQL": float("nan")}, error=True).of(
            HOSTILE, "", "Rule_3", {}),
    ]
    run = Run("orders", "orders", "Rules = [ RowCount > 0 ]  # <!-- -->", "run-4", T0 + timedelta(days=3))
    return report_of(run, evaluated, history)


def test_html_has_one_chart_per_metric_with_history_this_run_and_bounds():
    html = render_html(_report())
    assert html.count('<path class="series"') == 2  # RowCount, Completeness; the NaN CustomSQL has none
    rowcount = svg(_report().charts[0])
    # three recorded runs + this run: one move and three line segments
    path = rowcount.split('<path class="series" d="')[1].split('"')[0]
    assert path.count("M") == 1 and path.count("L") == 3
    assert 'class="band"' in rowcount and "80.5" not in rowcount.split("<text")[0]  # drawn, not printed
    assert "1 of 3 rules passed" in html


def test_html_escapes_what_comes_from_the_ruleset_and_the_data_and_needs_no_network():
    html = render_html(_report())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bad&lt;/b&gt;" in html and "<!-- -->" not in html
    for fetcher in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert fetcher not in html


def test_markdown_summary_and_json():
    md = render_markdown(_report())
    assert md.splitlines()[0] == "### Data quality: orders — 1 of 3 rules passed"
    assert "| ❌ Failed (ERROR) | `CustomSql" in md and "\\| y" in md  # the pipe cannot break the table
    data = json.loads(render_json(_report()))
    # Glue's result: a metric without a value (NaN) is left out, a rule that could not be evaluated is ERROR
    assert data["RuleResults"][2]["EvaluatedMetrics"] == {}
    assert (data["RuleResults"][2]["Result"], data["RuleResults"][2]["EvaluationMessage"]) == ("ERROR", "<b>bad</b> | reason")
    assert data["RuleResults"][0]["EvaluatedRule"] == "RowCount > 80.5"
    assert data["RuleResults"][0]["Labels"] == {"team": "<sales>"}
    assert data["Score"] == 1 / 3
    own = data["DeaEtl"]
    assert own["charts"][0]["values"] == [100.0, 104.0, 98.0, 101.0]
    assert own["charts"][0]["lower"] == 80.5
    assert "team=&lt;sales&gt;" in render_html(_report()) and "`team=<sales>`" in md


def test_a_chart_of_one_constant_value_is_still_drawn():
    one = svg(Chart("m", ("now",), (5.0,)))
    assert '<path class="series" d="M' in one and "<circle" in one
    assert svg(Chart("m", (), ())) == ""


def _customers(spark, path: str, rows: int) -> None:
    data = [(i, None if i == 0 else f"F{i}", "L", "F L") for i in range(rows)]
    spark.createDataFrame(data, CUSTOMERS.processed_schema).write.mode("overwrite").parquet(path)


def test_cli_report_charts_the_recorded_runs(spark, tmp_path):
    rules = tmp_path / "customers.dqdl"
    rules.write_text('Rules = [ RowCount > 0, IsComplete "firstname" ]', encoding="utf-8")
    data, lake, out = str(tmp_path / "in"), str(tmp_path / "lake"), tmp_path / "out"
    for rows in (5, 6, 7):
        _customers(spark, data, rows)
        code = main(["dq", "--ruleset", str(rules), "--input", data, "--format", "parquet", "--lake", lake,
                     "--record", "--report", str(out)])
        assert code == 1  # firstname has a null
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rowcount = next(c for c in report["DeaEtl"]["charts"] if c["metric"] == "Dataset.*.RowCount")
    assert rowcount["values"] == [5.0, 6.0, 7.0]  # two recorded runs + this one
    assert [r["customerid"] for r in report["DeaEtl"]["failing_rows"]] == [0]
    assert report["DeaEtl"]["failing_rows"][0]["DataQualityRulesFail"] == ['IsComplete "firstname"']
    assert "### Data quality: customers — 1 of 2 rules passed" in (out / "report.md").read_text(encoding="utf-8")
    # the dataset, the rows that fail the rule and the profile, from the same evaluation
    own = report["DeaEtl"]
    assert (own["source"], own["row_count"], own["columns"]) == (data, 7, ["customerid", "firstname", "lastname",
                                                                            "fullname"])
    assert own["rule_samples"] == {"Rule_2": {"rows": [{"customerid": 0, "firstname": None, "lastname": "L",
                                                        "fullname": "F L"}], "more": False}}
    firstname = own["profile"]["columns"][1]
    assert (firstname["nulls"], firstname["distinct_approx"], firstname["min_length"]) == (1, 6, 2)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<td class=\"null hl\">NULL</td>" in html and ">None<" not in html


def test_rule_samples_take_the_first_rows_of_each_failing_row_level_rule(spark):
    df = spark.createDataFrame([(1, 5), (2, -1), (None, 2), (4, -3)], "id int, qty int").coalesce(1)
    rules = 'Rules = [ ColumnValues "qty" > 0, IsComplete "id", Mean "qty" > 100, IsComplete "missing", RowCount > 0 ]'
    ev = run_ruleset(df, rules)
    assert [o.result for o in ev.outcomes] == ["FAIL", "FAIL", "FAIL", "ERROR", "PASS"]
    expected = {"Rule_1": RuleSample(({"id": 2, "qty": -1},), more=True),
                "Rule_2": RuleSample(({"id": None, "qty": 2},), more=False)}
    samples: dict[str, RuleSample] = {}
    # one limited read per failing row-level rule; none for a dataset-level, an unevaluated or a passing rule
    assert jobs_of(spark, "rule-samples", lambda: samples.update(rule_samples(ev, n=1))) == 2
    assert samples == expected
    # the gate's persisted row-level frame gives the same rows
    result = gate(df, rules, "quarantine")
    try:
        assert rule_samples(result.evaluation, result.row_level_df, n=1) == expected
    finally:
        result.release()


def test_pipeline_report_option_writes_each_tables_report(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    _customers(spark, lake.processed("customers"), 3)
    # the rows csv_to_parquet could not parse are in the table's quarantine: the report samples them
    spark.createDataFrame([("customers.csv", 7, "x,y", "customerid: not an integer")],
                          "source_file string, line_number long, raw_line string, reason string") \
        .write.parquet(lake.quarantine("customers"))
    ruleset = ruleset_from_text("customers", "# mode: quarantine\nRules = [ IsComplete \"firstname\" ]")
    data_quality.check_table(spark, lake, ruleset, "run-1", {}, str(tmp_path / "reports"))
    report = json.loads((tmp_path / "reports" / "customers" / "report.json").read_text(encoding="utf-8"))
    assert [r["customerid"] for r in report["DeaEtl"]["failing_rows"]] == [0]
    assert report["DeaEtl"]["unparsed_rows"] == [{"source_file": "customers.csv", "line_number": 7, "raw_line": "x,y",
                                        "reason": "customerid: not an integer"}]
    assert [r["customerid"] for r in report["DeaEtl"]["rule_samples"]["Rule_1"]["rows"]] == [0]
    assert [c["nulls"] for c in report["DeaEtl"]["profile"]["columns"]] == [0, 1, 0, 0]
    assert report["DeaEtl"]["source"] == lake.processed("customers")
    assert (tmp_path / "reports" / "customers" / "report.html").stat().st_size > 0
