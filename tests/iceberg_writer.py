"""One of two processes writing the same Iceberg table at once (``tests/test_iceberg_concurrency.py``).

Takes a JSON spec as its argument: {"table": PATH, "mode": "append" | "overwrite", "writer": NAME, "writes": N,
"go": FILE}; once its session is up it creates FILE.ready-NAME and waits for FILE (so both processes start
writing together), then writes N times one row
(writer, i) and prints {"ok": [i, ...], "errors": [message, ...]} as one JSON line.
"""

import json
import sys
import time
from pathlib import Path

from dea_etl.io.tables import ICEBERG, TableFormat, write_table
from dea_etl.runtime import get_spark


def main() -> None:
    spec = json.loads(sys.argv[1])
    spark, _ = get_spark("iceberg-writer", "local[1]")
    spark.sparkContext.setLogLevel("OFF")
    spark.range(1).count()  # the JVM warmed up: both writers start from the same point
    go = Path(spec["go"])
    go.with_name(f"{go.name}.ready-{spec['writer']}").write_text("ready")
    while not go.exists():
        time.sleep(0.05)
    ok, errors = [], []
    for i in range(spec["writes"]):
        df = spark.createDataFrame([(spec["writer"], i)], "writer string, i int")
        try:
            write_table(df, spec["table"], table_format=TableFormat(ICEBERG), run_id=f"{spec['writer']}-{i}",
                        mode=spec["mode"])
            ok.append(i)
        except Exception as exc:  # a refused commit: its message is the test's to read
            errors.append(" ".join(str(exc).split())[:300])
    print(json.dumps({"ok": ok, "errors": errors}))


if __name__ == "__main__":
    main()
