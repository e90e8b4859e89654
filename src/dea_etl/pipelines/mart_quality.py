"""mart_quality: the data-quality gate on the sales marts, after sales_mart (the same gate as data_quality,
with each mart's shipped ruleset and the processed seed tables as references): its work is
:func:`dea_etl.pipelines.data_quality.run_marts`, its declaration :data:`dea_etl.pipelines.specs.MART_QUALITY`."""

from __future__ import annotations

from dea_etl.pipelines.data_quality import run_marts
from dea_etl.pipelines.specs import MART_QUALITY

__all__ = ["JOB", "run_marts"]

JOB = MART_QUALITY
