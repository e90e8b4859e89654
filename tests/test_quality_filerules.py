"""File rules (FileFreshness, FileSize, FileUniqueness, FileMatch) on a local folder and on S3 (moto_server),
and the fence that keeps a ruleset from reading files outside the evaluation's roots."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from dea_etl.quality import DqdlSyntaxError, evaluate, parse_ruleset
from dea_etl.quality.filerules import allowed


@pytest.fixture()
def folder(tmp_path):
    root = tmp_path / "landing"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.csv").write_bytes(b"x" * 2000)
    (root / "a" / "two.csv").write_bytes(b"y" * 10)
    (root / "a" / "copy.csv").write_bytes(b"y" * 10)  # same content as two.csv
    (root / "a" / "_SUCCESS").write_bytes(b"")  # hidden: not a data file
    old = time.time() - 3 * 86400
    os.utime(root / "a" / "one.csv", (old, old))
    (root / "b").mkdir()
    (root / "b" / "same.csv").write_bytes(b"x" * 2000)
    return root


def _run(spark, rules: str, roots):
    df = spark.createDataFrame([(1,)], "id int")
    rows = evaluate(df, rules, file_roots=tuple(str(r) for r in roots)).collect()
    return [(r["Outcome"], r["FailureReason"], dict(r["EvaluatedMetrics"])) for r in rows]


def test_file_size_per_file_with_units_and_threshold(spark, folder):
    path = folder / "a"
    out = _run(spark, f'Rules = [ FileSize "{path}" > 1 B, FileSize "{path}" > 1 KB, '
                      f'FileSize "{path}" > 1 KB with threshold > 0.3 ]', [folder])
    assert [o[0] for o in out] == ["Passed", "Failed", "Passed"]
    assert out[1][2] == {"Dataset.*.FileSize.Compliance": pytest.approx(1 / 3), "Dataset.*.FileCount": 3.0,
                         "Dataset.*.MaximumFileSize": 2000.0, "Dataset.*.MinimumFileSize": 10.0}
    assert out[1][1] == "2 of 3 files do not meet the condition"


def test_file_freshness_uses_each_files_modification_time(spark, folder):
    path = folder / "a"
    out = _run(spark, f'Rules = [ FileFreshness "{path}" > (now() - 24 hours), '
                      f'FileFreshness "{path}" > (now() - 24 hours) with threshold > 0.5, '
                      f'FileFreshness "{path}/two.csv" > "2020-01-01" ]', [folder])
    assert [o[0] for o in out] == ["Failed", "Passed", "Passed"]
    assert out[0][2]["Dataset.*.FileFreshness.Compliance"] == pytest.approx(2 / 3)


def test_file_uniqueness_is_distinct_contents_over_files(spark, folder):
    out = _run(spark, f'Rules = [ FileUniqueness "{folder / "a"}" = 1, FileUniqueness "{folder / "a"}" > 0.5 ]',
               [folder])
    assert [o[0] for o in out] == ["Failed", "Passed"]
    assert out[0][2] == {"Dataset.*.FileUniquenessRatio": pytest.approx(2 / 3), "Dataset.*.FileCount": 3.0}


def test_file_match_with_checksums_and_with_another_folder(spark, folder):
    one = folder / "a" / "one.csv"
    sha = hashlib.sha256(b"x" * 2000).hexdigest()
    md5 = hashlib.md5(b"x" * 2000).hexdigest()
    out = _run(spark, f'Rules = [ FileMatch "{one}" in ["{sha}"], '
                      f'FileMatch "{one}" in ["{md5}"] with hashAlgorithm = "MD5", '
                      f'FileMatch "{one}" in ["{md5}"], '
                      f'FileMatch "{one}" "{folder / "b" / "same.csv"}", FileMatch "{folder / "a"}" "{folder / "b"}" ]',
               [folder])
    assert [o[0] for o in out] == ["Passed", "Passed", "Failed", "Passed", "Failed"]
    assert out[2][1] == "1 of 1 files match none of the SHA-256 checksums"
    assert out[0][2] == {"Dataset.*.FileCount": 1.0}


def test_a_ruleset_cannot_read_outside_the_allowed_roots(spark, folder, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s", encoding="utf-8")
    out = _run(spark, f'Rules = [ FileMatch "{secret}" in ["x"], FileSize "{folder}/../secret.txt" > 0 B, '
                      'FileSize "/etc/passwd" > 0 B ]', [folder])
    assert [o[0] for o in out] == ["Failed"] * 3
    assert all("outside the files this evaluation may read" in o[1] for o in out)
    assert _run(spark, f'Rules = [ FileSize "{folder}" > 0 B ]', [])[0][1].endswith("(none)")
    assert allowed("s3://b/lake/x", ["s3://b/lake"]) and not allowed("s3://b/lakehouse/x", ["s3://b/lake"])
    assert not allowed("s3://b/lake/../other", ["s3://b/lake"])


def test_file_rules_on_s3(spark, aws):
    import boto3

    from dea_etl.runtime.session import apply_s3a

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="landing")
    s3.put_object(Bucket="landing", Key="in/a.csv", Body=b"abc")
    s3.put_object(Bucket="landing", Key="in/b.csv", Body=b"abc")
    apply_s3a(spark)
    sha = hashlib.sha256(b"abc").hexdigest()
    out = _run(spark, f'Rules = [ FileSize "s3://landing/in/" < 1 KB, FileUniqueness "s3://landing/in/" = 1, '
                      f'FileMatch "s3://landing/in/" in ["{sha}"], FileFreshness "s3://landing/in/" > (now() - 1 hours) ]',
               ["s3://landing/in"])
    assert [o[0] for o in out] == ["Passed", "Failed", "Passed", "Passed"]
    assert out[1][2]["Dataset.*.FileUniquenessRatio"] == 0.5


def test_file_rule_syntax():
    rule = parse_ruleset('Rules = [ FileMatch "p" in ["a1"] with hashAlgorithm = "MD5", FileSize "p" <= 2 GB ]')
    assert rule.rules[0].options == (("hashAlgorithm", "MD5"),)
    assert rule.rules[1].condition.values == (2.0 * 1024**3,)
    with pytest.raises(DqdlSyntaxError, match="unknown tag 'hash'"):
        parse_ruleset('Rules = [ FileMatch "p" in ["a"] with hash = "MD5" ]')
    with pytest.raises(DqdlSyntaxError, match="FileSize compares with sizes"):
        parse_ruleset('Rules = [ FileSize "p" > "big" ]')


def test_without_a_path_the_rules_check_the_files_the_data_was_read_from(spark, folder):
    """As Glue infers them: the files read into the DataFrame (here the CSV files of folder a), whatever the roots."""
    df = spark.read.schema("value string").csv(str(folder / "a"))
    sha = hashlib.sha256(b"y" * 10).hexdigest()
    rules = ('Rules = [ FileUniqueness = 1, FileUniqueness > 0.5, FileSize > 1 KB with threshold > 0.3, '
             f'FileFreshness > (now() - 24 hours), FileMatch in ["{sha}"] ]')
    rows = evaluate(df, rules).collect()
    out = [(r["Outcome"], r["FailureReason"], dict(r["EvaluatedMetrics"])) for r in rows]
    assert [o[0] for o in out] == ["Failed", "Passed", "Passed", "Failed", "Failed"]
    assert out[0][2] == {"Dataset.*.FileUniquenessRatio": pytest.approx(2 / 3), "Dataset.*.FileCount": 3.0}
    assert out[3][2]["Dataset.*.FileFreshness.Compliance"] == pytest.approx(2 / 3)
    assert out[4][1] == "1 of 3 files match none of the SHA-256 checksums"


def test_without_a_path_data_built_in_memory_has_no_files_to_check(spark):
    rows = evaluate(spark.createDataFrame([(1,)], "id int"), "Rules = [ FileUniqueness > 0.5 ]").collect()
    assert (rows[0]["Outcome"], rows[0]["FailureReason"]) == (
        "Failed", "the data was not read from files (no path given, and none to infer)")
