"""Data-quality reports: HTML (inline SVG, no network), Markdown and JSON; ``dea-etl dq --report``, the
pipeline's ``--report``; the HTML rendered by headless Chromium shows the charts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dea_etl.cli import main
from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality.charts import LINE_COLOR, Chart, svg
from dea_etl.quality.history import history_from_rows
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.recording import Run, report_of
from dea_etl.quality.report import render_html, render_json, render_markdown
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
    assert (tmp_path / "reports" / "customers" / "report.html").stat().st_size > 0


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; installed with apt-get when missing (skipped, with the reason, if it cannot be)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.skip("chromium is not installed and there is no apt-get to install it")
    # A new machine's package lists may be empty or old: refresh them first, as Debian asks.
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], capture_output=True, text=True, timeout=600, env=env)
    done = subprocess.run([apt, "install", "-y", "-qq", "chromium"], capture_output=True, text=True,
                          timeout=900, env=env)
    found = shutil.which("chromium")
    if done.returncode != 0 or not found:
        pytest.skip(f"chromium could not be installed: apt-get exit {done.returncode}: {done.stderr[-300:]}")
    return found


def _chromium(exe: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def test_headless_chromium_draws_the_charts(chromium, tmp_path):
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(render_html(_report()), encoding="utf-8")
    dom = _chromium(chromium, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    assert dom.stdout.count('<path class="series"') == 2 and "<svg" in dom.stdout
    shot = tmp_path / "shot.png"
    done = _chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1300,900", page.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-500:]
    blue = tuple(int(LINE_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    pixels = Image.open(shot).convert("RGB").getdata()
    drawn = sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, blue, strict=True)))
    # two 3-px polylines across ~480 px plus their points: far more than stray pixels of that colour
    assert drawn > 1500, drawn
