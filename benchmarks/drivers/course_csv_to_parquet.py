"""The course's own CSV -> Parquet approach, kept as a benchmark baseline (not library code).

As the course's EMR exercise does it: the schema is inferred from the data (a full extra pass), the rows
are counted (another pass), then Parquet is written. ``make bench`` times our csv_to_parquet job against it.
"""

import sys

from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("course-csv-to-parquet").getOrCreate()
df = spark.read.option("header", "false").option("inferSchema", "true").csv(sys.argv[1])
print(df.count())
df.write.mode("overwrite").parquet(sys.argv[2])
spark.stop()
