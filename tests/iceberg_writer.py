"""One of two processes writing the same Iceberg table at once (``tests/test_iceberg_concurrency.py``).

Takes a JSON spec as its argument: {"table": PATH, "mode": "append" | "overwrite", "writer": NAME, "writes": N,
"go": FILE}; runs :func:`dea_etl.testing.race_writes` (ready file, wait for FILE, N commits) and prints its
{"ok": [i, ...], "errors": [message, ...]} as one JSON line.
"""

import json
import sys
from pathlib import Path

from dea_etl.runtime import get_spark
from dea_etl.testing import race_writes


def main() -> None:
    spec = json.loads(sys.argv[1])
    spark, _ = get_spark("iceberg-writer", "local[1]")
    spark.sparkContext.setLogLevel("OFF")
    print(json.dumps(race_writes(spark, spec["table"], spec["writer"], spec["writes"], Path(spec["go"]), spec["mode"])))


if __name__ == "__main__":
    main()
