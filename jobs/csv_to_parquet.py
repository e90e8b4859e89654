"""Job entrypoint: `spark-submit jobs/csv_to_parquet.py ...`, `dea-etl run csv_to_parquet ...`, or a Glue script."""

import sys

from dea_etl.pipelines.csv_to_parquet import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
