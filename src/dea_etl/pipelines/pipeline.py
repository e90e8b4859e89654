"""The main pipeline ``make run`` runs: lay out a lake from data/, then each step in order.

The lake is a local folder or ``s3://BUCKET[/PREFIX]``; the sample files of ``--data`` (a local folder)
are copied, or uploaded, into its ``rawData/<table>/`` first.

Steps today: raw -> processed for customers, employees, orders and taxi trips; the data-quality gate on
the processed tables (a quarantine-mode ruleset removes failing rows before anything is built on them);
then the sales marts, and the data-quality gate on the marts (their rulesets check them against the
processed tables they were built from). The steps and their order are declared once, in
:data:`dea_etl.pipelines.specs.STEPS`.
"""

from __future__ import annotations

from pathlib import Path

from dea_etl.io.lake import lay_out_lake
from dea_etl.pipelines.checks import SAMPLE_FILES
from dea_etl.pipelines.specs import PIPELINE, PIPELINE_ORDER, STEPS
from dea_etl.runtime import JobContext, TableResult

__all__ = ["JOB", "PIPELINE_ORDER", "SAMPLE_FILES", "STEPS", "run"]


def run(ctx: JobContext) -> list[TableResult]:
    lay_out_lake(ctx.spark, ctx.arg("lake"), Path(ctx.arg("data")), SAMPLE_FILES)
    results: list[TableResult] = []
    for index, step in enumerate(STEPS, 1):
        with ctx.step(step.name, index, len(STEPS)):
            results.extend(step.run(ctx))
    return results


JOB = PIPELINE
