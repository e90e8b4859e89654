"""Job entrypoint: `spark-submit jobs/sales_mart.py ...`, `dea-etl run sales_mart ...`, or a Glue script."""

import sys

from dea_etl.pipelines.sales_mart import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
