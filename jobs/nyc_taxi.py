"""Job entrypoint: `spark-submit jobs/nyc_taxi.py ...`, `dea-etl run nyc_taxi ...`, or a Glue script."""

import sys

from dea_etl.pipelines.nyc_taxi import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
