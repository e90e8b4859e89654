"""A Spark session that knows nothing of dea-etl: reads tables as Spark's and Iceberg's documentation say.

Reads a JSON spec on stdin ({"jars": [...], "conf": {...}, "tables": {name: {"read": "parquet" | "table",
"path": PATH_OR_IDENTIFIER, "sql": FINGERPRINT_QUERY_OVER_t}}}) and prints {name: {column: value}} as one
JSON line. Run by ``tests/foreign.py`` in a process of its own; it must never import dea_etl.
"""

import json
import sys

from pyspark.sql import SparkSession


def main() -> None:
    spec = json.load(sys.stdin)
    builder = SparkSession.builder.master("local[1]").appName("bare").config("spark.ui.enabled", "false")
    if spec["jars"]:
        builder = builder.config("spark.jars", ",".join(spec["jars"]))
    for key, value in spec["conf"].items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    out = {}
    for name, table in spec["tables"].items():
        df = spark.read.parquet(table["path"]) if table["read"] == "parquet" else spark.table(table["path"])
        df.createOrReplaceTempView("t")
        out[name] = spark.sql(table["sql"]).first().asDict()
    spark.stop()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
    assert "dea_etl" not in sys.modules
