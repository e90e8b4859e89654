"""What a running job shows: a line when each step starts and ends, Spark's stages (live bars on a terminal,
a line per stage elsewhere), and a run summary that wraps or puts long values on their own lines, never
cutting them."""

from __future__ import annotations

import io
import time

from pyspark.sql import SparkSession
from rich.console import Console

from dea_etl.runtime import RunSummary, TableResult
from dea_etl.runtime.progress import Display, StageWatcher


def _console(terminal: bool, width: int = 80) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=width, color_system=None), out


def _slow_job(spark: SparkSession) -> int:
    """A job of one stage, two tasks of half a second each."""
    return spark.sparkContext.parallelize(range(2), 2).map(lambda x: (time.sleep(0.5), x)[1]).count()


def test_each_stage_is_a_line_when_no_terminal_watches(spark: SparkSession) -> None:
    console, out = _console(terminal=False)
    with (Display(console, stage_line_seconds=0) as display, display.step("sales_mart", 3, 4),
          StageWatcher(spark.sparkContext.statusTracker(), display, poll_seconds=0.05)):
        assert _slow_job(spark) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == "[3/4] sales_mart ..."
    stage_lines = [line for line in lines if line.startswith("  stage ")]
    assert len(stage_lines) == 1 and stage_lines[0].split(": ")[1].startswith("2 tasks in ")
    assert "(count)" in stage_lines[0]
    assert lines[-1].startswith("[3/4] sales_mart done in ")


def test_on_a_terminal_stages_are_live_bars_that_go_away(spark: SparkSession) -> None:
    console, out = _console(terminal=True)
    with (Display(console, stage_line_seconds=0) as display, display.step("data_quality", 2, 4),
          StageWatcher(spark.sparkContext.statusTracker(), display, poll_seconds=0.05)):
        _slow_job(spark)
    text = out.getvalue()
    assert "[2/4] data_quality done in " in text
    assert "tasks in" not in text  # no stage lines: the bars showed the stages while they ran
    assert "stage " in text  # ... and they did show


def test_a_failed_step_says_so(spark: SparkSession) -> None:
    console, out = _console(terminal=False)
    try:
        with Display(console) as display, display.step("raw_to_processed", 1, 4):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert out.getvalue().splitlines()[-1].startswith("[1/4] raw_to_processed failed in ")


def test_the_summary_never_cuts_a_value() -> None:
    long_path = "s3://a-rather-long-bucket-name/processedData/employee_sales_monthly_with_a_long_name"
    summary = RunSummary("pipeline", "20260101T000000-abcdef12", "local", "succeeded", seconds=12.0, tables=[
        TableResult("employee_sales_monthly_with_a_long_name", 12_345_678, 12_345_670, 8, output=long_path,
                    quarantine_output=long_path + "_quarantine", metrics={"dq": "15/15 rules passed (mode fail)"}),
    ])
    console, out = _console(terminal=False, width=80)
    summary.render(console)
    text = out.getvalue()
    assert "…" not in text
    assert "in=out" in text  # the column between rows in and written has a header
    lines = text.splitlines()
    assert f"employee_sales_monthly_with_a_long_name: output: {long_path}" in lines
    assert f"employee_sales_monthly_with_a_long_name: quarantine: {long_path}_quarantine" in lines
    console, out = _console(terminal=False, width=120)
    summary.render(console)
    row = next(line for line in out.getvalue().splitlines() if line.strip().startswith("employee_sales"))
    assert row.split() == ["employee_sales_monthly_with_a_long_name", "12,345,678", "=", "12,345,670", "8", "0", "0",
                           "0.0"]
