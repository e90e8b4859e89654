"""Job arguments in both styles: ours and Glue's (as awsglue's getResolvedOptions reads them)."""

from __future__ import annotations

import pytest

from dea_etl.errors import JobArgumentError
from dea_etl.runtime.args import Arg, parse_job_args

ARGS = (Arg("table", required=True), Arg("input", required=True), Arg("write-mode", default="overwrite"))


def test_plain_style() -> None:
    args = parse_job_args(["--table", "orders", "--input", "in/"], ARGS, prog="t")
    assert (args["table"], args["input"], args["write_mode"]) == ("orders", "in/", "overwrite")
    assert args["job_bookmark_option"] == "job-bookmark-disable"
    assert args["JOB_NAME"] is None


def test_equals_style_and_dashes_become_underscores() -> None:
    args = parse_job_args(["--table=orders", "--input=in/", "--write-mode=append"], ARGS, prog="t")
    assert (args["table"], args["input"], args["write_mode"]) == ("orders", "in/", "append")


def test_glue_style_with_platform_arguments() -> None:
    # What Glue passes to a script: its own arguments mixed with the job's.
    argv = [
        "--JOB_ID", "j_123", "--JOB_RUN_ID", "jr_abc", "--JOB_NAME", "orders-job", "--job-bookmark-option",
        "job-bookmark-enable", "--TempDir", "s3://b/tmpDir/", "--enable-metrics", "true", "--enable-glue-datacatalog",
        "--job-language", "python", "--table", "orders", "--input", "s3://b/rawData/orders/",
    ]
    args = parse_job_args(argv, ARGS, prog="t")
    assert args["JOB_NAME"] == "orders-job"
    assert args["job_bookmark_option"] == "job-bookmark-enable"
    assert args["TempDir"] == "s3://b/tmpDir/"
    assert (args["table"], args["input"]) == ("orders", "s3://b/rawData/orders/")


def test_same_keys_as_awsglue_get_resolved_options() -> None:
    awsglue_utils = pytest.importorskip("awsglue.utils", reason="the glue extra (AWSGlueDataplanePython) is not installed")
    argv = ["--JOB_NAME", "x", "--table", "orders", "--input", "in/", "--job-bookmark-option", "job-bookmark-pause"]
    theirs = awsglue_utils.getResolvedOptions(["script.py", *argv], ["JOB_NAME", "table", "input"])
    ours = parse_job_args(argv, ARGS, prog="t")
    for key in ("JOB_NAME", "table", "input", "job_bookmark_option"):
        assert ours[key] == theirs[key]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "x"], "the following arguments are required: --table"),
        (["--table", "t", "--input", "x", "--nope", "1"], "unrecognized arguments: --nope 1"),
        (["--table", "t", "--input", "x", "--job-bookmark-option", "on"], "invalid choice: 'on'"),
        (["--table", "t", "--input", "x", "--job-bookmark-option", "job-bookmark-pause", "--job-bookmark-from", "r1"],
         "--job-bookmark-from and --job-bookmark-to must be given together"),
        (["--table", "t", "--input", "x", "--job-bookmark-from", "r1", "--job-bookmark-to", "r2"],
         "need --job-bookmark-option job-bookmark-pause"),
        (["--tab", "t", "--input", "x"], "--table"),
    ],
)
def test_bad_arguments_raise_one_line(argv: list[str], message: str) -> None:
    with pytest.raises(JobArgumentError, match=None) as info:
        parse_job_args(argv, ARGS, prog="t")
    assert message in str(info.value)
    assert "\n" not in str(info.value)
