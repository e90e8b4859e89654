"""The Spark functions of ``dea-etl-spark.jar`` (Java UDFs), under the names a session knows them by.

Each is registered in a session on first use (:func:`register`); importing this module does not import
pyspark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: The DQ regex with a step budget (:mod:`dea_etl.quality.regex`).
BOUNDED_REGEX_MATCH = "dea_etl_bounded_regex_match"
#: The CSV parse's test that a number is written as CSV writes numbers (:mod:`dea_etl.transforms.parsing`).
NUMBER_TEXT = "dea_etl_number_text"
#: The CSV parse's quick read of a date written as a simple pattern shows it (the same module).
DATE_TEXT = "dea_etl_date_text"

#: name -> (Java class, return type as Spark DDL).
FUNCTIONS: dict[str, tuple[str, str]] = {
    BOUNDED_REGEX_MATCH: ("dea_etl.spark.BoundedRegexMatch", "int"),
    NUMBER_TEXT: ("dea_etl.spark.NumberText", "boolean"),
    DATE_TEXT: ("dea_etl.spark.DateText", "int"),
}


def register(spark: SparkSession, *names: str) -> None:
    """Make the named functions known to the session (each once)."""
    for name in names:
        if not spark.catalog.functionExists(name):
            java_class, returns = FUNCTIONS[name]
            spark.udf.registerJavaFunction(name, java_class, returns)
