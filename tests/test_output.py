"""What the commands print: values and names as text (never rich markup)."""

from __future__ import annotations

from rich.console import Console

from dea_etl.runtime.summary import RunSummary, TableResult


def test_the_run_summary_prints_names_and_paths_as_text() -> None:
    summary = RunSummary(job="[/x]", run_id="r", platform="local", status="succeeded",
                         tables=[TableResult(table="[bold]t[/bold]", output="lake/[red]out")])
    console = Console(record=True, width=200)
    summary.render(console)
    text = console.export_text()
    assert "[/x] run r" in text and "[bold]t[/bold]" in text and "lake/[red]out" in text
