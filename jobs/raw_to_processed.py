"""Job entrypoint: `spark-submit jobs/raw_to_processed.py ...`, `dea-etl run raw_to_processed ...`, or a Glue script."""

import sys

from dea_etl.pipelines.raw_to_processed import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
