"""The fidelity suite's native half: the DQDL reference's own examples of what Deequ does not have (constants,
labels, composites, DetectAnomalies, analyzers, the file rules and their tags), each citing its page, with
outcomes and metrics worked out by hand (tests/dq_corpus.py). The file rules run on a local folder laid out
as the pages' ``s3://amzn-s3-demo-bucket/`` (the paths are the only change), with modification times set
relative to now. One name differs: the pages exclude ``.tmp`` files with a negative lookahead; a listing skips
``.tmp`` files already (as Spark and Athena do), so the same example excludes ``.part`` files here."""

from __future__ import annotations

import hashlib
import os
import re
import time
from datetime import UTC, datetime

import pytest
from tests import dq_corpus as corpus

from dea_etl.quality import DqdlSyntaxError, parse_ruleset, run_ruleset

FILE_FRESHNESS, FILE_SIZE = corpus.RULE_TYPE.format("FileFreshness"), corpus.RULE_TYPE.format("FileSize")
FILE_UNIQUENESS, FILE_MATCH = corpus.RULE_TYPE.format("FileUniqueness"), corpus.RULE_TYPE.format("FileMatch")
MIB = 1024 * 1024
JSON = b'{"a": 1}'
DIGITS = b"0123456789"


@pytest.fixture(scope="module")
def orders(spark):
    return spark.createDataFrame(corpus.ORDERS_ROWS, corpus.ORDERS_SCHEMA)


@pytest.mark.parametrize(("page", "ruleset", "expected"), corpus.REFERENCE_RULESETS,
                         ids=[p.rsplit("/", 1)[-1] for p, _, _ in corpus.REFERENCE_RULESETS])
def test_reference_rulesets_evaluate_as_the_page_says(orders, page, ruleset, expected):
    outcomes = run_ruleset(orders, ruleset).outcomes
    assert [(o.outcome, dict(o.metrics), dict(o.labels)) for o in outcomes] == expected, page


def test_reference_analyzers_gather_the_listed_metrics(orders):
    page, ruleset, expected = corpus.REFERENCE_ANALYZERS
    analyzers = run_ruleset(orders, ruleset).analyzers
    assert [dict(a.metrics) for a in analyzers] == [pytest.approx(e) for e in expected], page


@pytest.mark.parametrize(("page", "rule", "why"), corpus.REFERENCE_REFUSED)
def test_reference_examples_awss_parser_refuses_too(page, rule, why):
    with pytest.raises(DqdlSyntaxError, match=re.escape(why)):
        parse_ruleset(f"Rules = [ {rule} ]")


def _write(path, data: bytes, age_seconds: float | None = None, at: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    when = at if at is not None else time.time() - (age_seconds or 0)
    os.utime(path, (when, when))


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """The pages' bucket: 8 files (sizes in bytes, ages), and a file modified today at 12:00 UTC."""
    root = tmp_path_factory.mktemp("reference")
    bucket = root / "bucket"
    tickets = bucket / "artifacts" / "file" / "tickets"
    _write(tickets / "tickets.parquet", b"t" * 100, 3600)             # 100, 1 hour
    _write(tickets / "old.csv", DIGITS, 20 * 86400)                  # 10, 20 days
    _write(tickets / "copy.csv", DIGITS, 1800)                       # 10 (same contents), 30 minutes
    _write(bucket / "file.dat", b"\0" * 3 * MIB, 300)                # 3 MiB, 5 minutes
    _write(bucket / "file.json", JSON, 360)                          # 8, 6 minutes
    _write(bucket / "scratch.part", b"", 180)                         # 0, 3 minutes (the newest)
    _write(bucket / "inventory" / "inv1.csv", b"id,qty\n1,2\n", 3000)  # 11, 50 minutes
    _write(bucket / "inventory" / "archive" / "inv1.csv", b"id,qty\n3,4\n", 3 * 86400)  # same name, 3 days
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    _write(root / "noon" / "report.csv", b"noon", at=noon.timestamp())
    return root


def _file_outcomes(spark, lake, rules: list[str], df=None):
    text = "Rules = [\n" + ",\n".join(r.format(bucket=f"{lake}/bucket", noon=f"{lake}/noon") for r in rules) + "\n]"
    data = df if df is not None else spark.createDataFrame([(1,)], "id int")
    ev = run_ruleset(data, text, file_roots=(str(lake),))
    return [(o.outcome, {k: round(v, 6) for k, v in o.metrics.items()}) for o in ev.outcomes]


def _freshness(ratio: float, files: int) -> dict[str, float]:
    return {"Dataset.*.FileFreshness.Compliance": round(ratio, 6), "Dataset.*.FileCount": float(files)}


TICKETS = "{bucket}/artifacts/file/tickets"


def test_file_freshness_examples(spark, lake):
    """FILE_FRESHNESS: dates, durations, times of day, threshold, recentFiles, uriRegex, filterOrder."""
    rules = [
        f'FileFreshness "{TICKETS}/tickets.parquet" > (now() - 24 hours)',
        'FileFreshness "{bucket}/" >= (now() -1 days)',
        f'FileFreshness "{TICKETS}/" >= (now() - 24 hours)',
        f'FileFreshness "{TICKETS}/" < (now() - 10 days) with threshold > 0.1',
        f'FileFreshness "{TICKETS}/" > "2020-01-01"',
        f'FileFreshness "{TICKETS}/" between "2023-01-01" and "2024-01-01"',
        f'FileFreshness "{TICKETS}/" between now() and (now() - 45 minutes)',
        'FileFreshness "{noon}/" between "9:30 AM" and "9:30 PM"',
        'FileFreshness "{noon}/" > "21:45"',
        f'FileFreshness "{TICKETS}/" > (now() - 10 minutes)',
        'FileFreshness "{bucket}/" between (now() - 100 minutes) and (now() + 10 minutes) with recentFiles = 1',
        'FileFreshness "{bucket}/" between (now() - 100 minutes) and (now() + 10 minutes) with uriRegex = "\\.csv$"',
        'FileFreshness "{bucket}/" between (now() - 100 minutes) and (now() + 10 minutes) '
        'with uriRegex = "(?!.*\\.part$).*"',
        'FileFreshness "{bucket}/" between (now() - 100 minutes) and (now() + 10 minutes) with recentFiles = 1 '
        'with uriRegex = "inventory" with filterOrder = ["uriRegex","recentFiles"]',
    ]
    assert _file_outcomes(spark, lake, rules) == [
        ("Passed", _freshness(1, 1)),
        ("Failed", _freshness(6 / 8, 8)),  # old.csv (20 days) and archive/inv1.csv (3 days) are older
        ("Failed", _freshness(2 / 3, 3)),
        ("Passed", _freshness(1 / 3, 3)),
        ("Passed", _freshness(1, 3)),
        ("Failed", _freshness(0, 3)),
        ("Failed", _freshness(1 / 3, 3)),  # bounds in either order: copy.csv, 30 minutes old
        ("Passed", _freshness(1, 1)),
        ("Failed", _freshness(0, 1)),
        ("Failed", _freshness(0, 3)),
        ("Passed", _freshness(1, 1)),      # the newest file: scratch.part
        ("Failed", _freshness(2 / 4, 4)),  # the four .csv files, two of them fresh
        ("Failed", _freshness(5 / 7, 7)),  # every file but scratch.part
        ("Passed", _freshness(1, 1)),      # inventory files first, then the newest of them
    ]


def test_filter_order_decides_what_is_left(spark, lake):
    """FILE_FRESHNESS: recentFiles first (the default) keeps scratch.part, which uriRegex then drops."""
    rule = ('FileFreshness "{bucket}/" > (now() - 1 days) with recentFiles = 1 with uriRegex = "inventory"')
    outcome = run_ruleset(spark.createDataFrame([(1,)], "id int"),
                          f"Rules = [ {rule.format(bucket=f'{lake}/bucket')} ]", file_roots=(str(lake),)).outcomes[0]
    assert (outcome.result, outcome.reason) == ("ERROR", "no file left to check after recentFiles, uriRegex")


def _sizes(ratio: float, files: int, largest: float, smallest: float) -> dict[str, float]:
    return {"Dataset.*.FileSize.Compliance": round(ratio, 6), "Dataset.*.FileCount": float(files),
            "Dataset.*.MaximumFileSize": largest, "Dataset.*.MinimumFileSize": smallest}


def test_file_size_examples(spark, lake):
    """FILE_SIZE: units (1 KB = 1024 B), folders, threshold, the files the data was read from, the tags."""
    read = spark.read.text([str(lake / "bucket/artifacts/file/tickets/old.csv"),
                            str(lake / "bucket/artifacts/file/tickets/copy.csv")])
    rules = [
        'FileSize "{bucket}/file.dat" > 2 MB',
        'FileSize "{bucket}/" > 5 B',
        'FileSize "{bucket}/" < 2 GB',
        'FileSize "{bucket}/" between 2 GB and 1 TB with threshold > 0.7',
        "FileSize < 10 MB with threshold > 0.7",
        'FileSize "{bucket}/" > 5 B with recentFiles = 1',
        'FileSize "{bucket}/" > 5 B with uriRegex = "\\.dat$"',
        'FileSize "{bucket}/" > 5 B with uriRegex = "(?!.*\\.part$).*"',
    ]
    assert _file_outcomes(spark, lake, rules, read) == [
        ("Passed", _sizes(1, 1, 3 * MIB, 3 * MIB)),
        ("Failed", _sizes(7 / 8, 8, 3 * MIB, 0)),
        ("Passed", _sizes(1, 8, 3 * MIB, 0)),
        ("Failed", _sizes(0, 8, 3 * MIB, 0)),
        ("Passed", _sizes(1, 2, 10, 10)),
        ("Failed", _sizes(0, 1, 0, 0)),    # the newest file is the empty scratch.part
        ("Passed", _sizes(1, 1, 3 * MIB, 3 * MIB)),
        ("Passed", _sizes(1, 7, 3 * MIB, 8)),      # file.json, 8 bytes, is the smallest left
    ]


def _unique(ratio: float, files: int) -> dict[str, float]:
    return {"Dataset.*.FileUniquenessRatio": round(ratio, 6), "Dataset.*.FileCount": float(files)}


def test_file_uniqueness_examples(spark, lake):
    """FILE_UNIQUENESS: contents (old.csv = copy.csv), matchFileName (inventory/inv1.csv twice), inferred files."""
    read = spark.read.text([str(lake / "bucket/artifacts/file/tickets/old.csv"),
                            str(lake / "bucket/artifacts/file/tickets/copy.csv")])
    rules = [
        'FileUniqueness "{bucket}/" > 0.5',
        f'FileUniqueness "{TICKETS}/" = 1',
        "FileUniqueness > 0.5",
        'FileUniqueness "{bucket}/" > 0.5 with recentFiles = 1',
        'FileUniqueness "{bucket}/" > 0.5 with matchFileName = "true"',
    ]
    assert _file_outcomes(spark, lake, rules, read) == [
        ("Passed", _unique(7 / 8, 8)),
        ("Failed", _unique(2 / 3, 3)),
        ("Failed", _unique(1 / 2, 2)),
        ("Passed", _unique(1, 1)),
        ("Passed", _unique(6 / 8, 8)),
    ]


def test_file_match_examples(spark, lake):
    """FILE_MATCH: checksums in each algorithm (the page's own checksum does not match our file), two paths,
    every file of a folder against a set of checksums."""
    md5, sha1, sha256 = (hashlib.new(a, JSON).hexdigest() for a in ("md5", "sha1", "sha256"))
    digits, tickets = hashlib.sha256(DIGITS).hexdigest(), hashlib.sha256(b"t" * 100).hexdigest()
    rules = [
        f'FileMatch "{{bucket}}/file.json" in ["{md5}"] with hashAlgorithm = "MD5"',
        f'FileMatch "{{bucket}}/file.json" in ["{sha1}"] with hashAlgorithm = "SHA-1"',
        f'FileMatch "{{bucket}}/file.json" in ["{sha256}"] with hashAlgorithm = "SHA-256"',
        'FileMatch "{bucket}/file.json" in ["3ee0d8617ac041793154713e5ef8f319"]',
        f'FileMatch "{TICKETS}/" in ["{digits}", "{tickets}"]',
        f'FileMatch "{TICKETS}/old.csv" "{TICKETS}/copy.csv"',
        f'FileMatch "{TICKETS}/old.csv" "{TICKETS}/tickets.parquet"',
    ]
    out = _file_outcomes(spark, lake, rules)
    assert [o for o, _ in out] == ["Passed", "Passed", "Passed", "Failed", "Passed", "Passed", "Failed"]
    assert [m["Dataset.*.FileCount"] for _, m in out] == [1, 1, 1, 1, 3, 1, 1]
