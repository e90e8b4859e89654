"""Checks made before a Spark session starts: what the arguments, the local disk and S3 (boto3) can tell.

A mistake found here (an unknown table, a missing input, an output that is the input, SQL that does not
parse, a ruleset that does not parse) ends the command in a moment with one line, without a JVM. Nothing
here imports pyspark. A check that cannot answer (no credentials, no permission) lets the call through.
"""

from dea_etl.preflight.lake import LakeLookupError, check_lake_table, processed_root, sql_name, tables_in_lake
from dea_etl.preflight.paths import check_input, check_outputs, exists, folders, is_file, normalized

__all__ = [
    "LakeLookupError",
    "check_input",
    "check_lake_table",
    "check_outputs",
    "exists",
    "folders",
    "is_file",
    "normalized",
    "processed_root",
    "sql_name",
    "tables_in_lake",
]
