"""Job entrypoint: `spark-submit jobs/data_quality.py --lake LAKE`, `dea-etl run data_quality ...`, Glue."""

import sys

from dea_etl.pipelines.data_quality import JOB
from dea_etl.runtime import run_job


def main(argv: list[str] | None = None) -> int:
    return run_job(JOB, argv)


if __name__ == "__main__":
    sys.exit(main())
