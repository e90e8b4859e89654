"""mart_quality: the data-quality gate on the sales marts, after sales_mart (the same gate as data_quality,
with each mart's shipped ruleset and the processed seed tables as references)."""

from __future__ import annotations

from dea_etl.pipelines.data_quality import REPORT_ARG, run_marts
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.runtime import Arg, JobSpec

ARGS = (Arg("lake", required=True, help="lake root: a folder or s3://BUCKET[/PREFIX]"), REPORT_ARG, *FORMAT_ARGS)

JOB = JobSpec("mart_quality", ARGS, run_marts, "run the marts' DQDL rulesets after sales_mart (fail or quarantine)")
