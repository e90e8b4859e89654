"""Listing a prefix in one JVM call (``dea_etl.spark.FileListing``): the same files, names, sizes and times
S3 itself lists, whatever characters a key holds (the helper passes them as UTF-8 bytes with their
length), in a fixed number of requests per 1,000 keys."""

from __future__ import annotations

import boto3
from pyspark.sql import SparkSession

from dea_etl.io import files
from dea_etl.runtime.session import apply_s3a
from dea_etl.testing.s3_requests import recorded

BUCKET = "listing"
#: Keys under the prefix: odd characters a hostile or careless producer may use, nested folders, hidden ones.
KEYS = (
    "in/a.csv",
    "in/carriage\rreturn.csv",  # (moto_server refuses a key with a line feed; S3 takes one)
    "in/tab\tand space.csv",
    "in/ünïcødé-日本.csv",
    "in/emoji-\U0001f600.csv",
    "in/percent%20and+plus.csv",
    "in/year=2026/month=12/day.csv",
    "in/_hidden.csv",
    "in/.dot/inside.csv",
    "in/deep/_tmp/x.csv",
)


def test_a_prefix_lists_as_s3_lists_it(spark: SparkSession, aws: str) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for i, key in enumerate(KEYS):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * (i + 1))
    s3.put_object(Bucket=BUCKET, Key="inside-not.csv", Body=b"beside the prefix, not in it")
    apply_s3a(spark)
    listed, hidden = files.scan(spark, f"s3://{BUCKET}/in")
    expected = {}
    for obj in s3.list_objects_v2(Bucket=BUCKET, Prefix="in/")["Contents"]:
        expected[f"s3://{BUCKET}/{obj['Key']}"] = (obj["Size"], int(obj["LastModified"].timestamp() * 1000))
    visible = {k: v for k, v in expected.items() if not any(p.startswith(("_", ".")) for p in k.split("/")[3:])}
    assert {f.path: (f.size, f.modified_ms) for f in listed} == visible
    assert len(visible) == 7 and [f.path for f in listed] == sorted(visible)
    assert hidden == [".dot/", "_hidden.csv", "deep/_tmp/"]


def test_listing_costs_one_request_per_thousand_keys(spark: SparkSession, aws: str) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for i in range(2500):
        s3.put_object(Bucket=BUCKET, Key=f"many/f-{i:05d}.csv", Body=b"1")
    apply_s3a(spark)
    with recorded(aws) as rec:
        listed, _ = files.scan(spark, f"s3://{BUCKET}/many")
    assert len(listed) == 2500
    ops = rec.operations()
    # S3A: a HEAD of the prefix (exists), one to tell file from folder, then pages of 1,000 keys.
    assert ops["ListObjects"] <= 2 + 3 and set(ops) <= {"ListObjects", "HeadObject"}
    assert ops["HeadObject"] <= 4
