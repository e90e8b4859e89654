"""Job entrypoint: `spark-submit jobs/mart_quality.py --lake LAKE`, `dea-etl run mart_quality ...`, Glue."""

import sys

from dea_etl.pipelines.mart_quality import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
