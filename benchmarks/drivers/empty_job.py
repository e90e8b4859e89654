"""JVM + Python start cost: a PySpark script that starts a session and stops it."""

from pyspark.sql import SparkSession

SparkSession.builder.getOrCreate().stop()
