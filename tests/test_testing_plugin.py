"""dea_etl.testing as a user's project gets it: the plugin loads by itself and its fixtures work."""

from __future__ import annotations

import pytest

USER_TESTS = '''
import boto3
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from dea_etl.io.lake import Lake


def test_fixtures(spark, aws, tmp_lake, df_equal):
    assert isinstance(tmp_lake, Lake)
    assert sorted(p.name for p in __import__("pathlib").Path(tmp_lake.root).iterdir()) == [
        "athena", "processedData", "rawData", "scriptLocation", "tmpDir"]
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="user-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["user-bucket"]
    assert aws.startswith("http://127.0.0.1:")
    schema = StructType([StructField("id", IntegerType()), StructField("name", StringType())])
    df = spark.createDataFrame([(1, "a"), (2, None)], schema)
    df_equal(df, spark.createDataFrame([(2, None), (1, "a")], schema))


def test_df_equal_fails_on_a_difference(spark, df_equal):
    import pytest
    from chispa import DataFramesNotEqualError

    left = spark.createDataFrame([(1,)], "id int")
    with pytest.raises(DataFramesNotEqualError):
        df_equal(left, spark.createDataFrame([(2,)], "id int"))
'''


@pytest.mark.slow
def test_the_plugin_loads_by_itself_in_a_users_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    # No conftest.py: the fixtures come from the pytest11 entry point of the installed dea-etl.
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
