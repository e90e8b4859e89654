"""nyc_taxi: the course's EMR exercise done right — tripdata CSV -> Parquet with an explicit schema.

One pass: no show()/count() actions before the write; timestamps parsed; bad rows quarantined.
"""

from __future__ import annotations

from dea_etl.io.lake import quarantine_path
from dea_etl.io.paths import check_outputs
from dea_etl.pipelines.convert import ConvertRequest, convert, input_files
from dea_etl.pipelines.formats import table_format
from dea_etl.pipelines.limits import csv_limits
from dea_etl.pipelines.specs import NYC_TAXI
from dea_etl.runtime import JobContext, TableResult
from dea_etl.tables.seed import TRIPDATA


def run(ctx: JobContext) -> list[TableResult]:
    output = ctx.arg("output")
    check_outputs(ctx.spark, [ctx.arg("input")], [output, quarantine_path(output)])
    request = ConvertRequest(
        spec=TRIPDATA,
        input_files=input_files(ctx.spark, ctx.arg("input")),
        output=output,
        quarantine=quarantine_path(output),
        run_id=ctx.run_id,
        table_format=table_format(ctx),
        limits=csv_limits(ctx),
    )
    return [convert(ctx.spark, request)]


#: Its declaration: arguments and checks (:mod:`dea_etl.pipelines.specs`).
JOB = NYC_TAXI
