"""The S3 bookmark store on a real moto_server over HTTP: conditional writes decide concurrent commits."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession
from tests.bookmark_helpers import T0, put, run

from dea_etl.bookmarks import (
    BookmarkEntry,
    VersionConflictError,
    open_store,
    reset_bookmark,
)
from dea_etl.bookmarks.store import FolderBookmarkStore
from dea_etl.io.storage import S3Folder

BUCKET = "dea-etl-bookmarks"


@pytest.fixture()
def store(aws: str) -> FolderBookmarkStore:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    opened = open_store(f"s3://{BUCKET}/tmpDir/bookmarks")
    assert isinstance(opened, FolderBookmarkStore) and isinstance(opened.folder, S3Folder)
    return opened


def test_enable_commit_pause_and_rewind_on_s3(spark: SparkSession, store: FolderBookmarkStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    put(src, "f1.csv", T0 - 3600)
    assert run(spark, store, {"s": src}, T0, run_id="r1") == {"s": {"f1.csv"}}
    put(src, "f2.csv", T0 + 10)
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2", commit=False) == {"s": {"f2.csv"}}  # fails
    assert run(spark, store, {"s": src}, T0 + 90, run_id="r3") == {"s": {"f2.csv"}}
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r4") == {"s": set()}
    keys = sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [f"tmpDir/bookmarks/job/{v:010d}.json" for v in (1, 2, 3)] + ["tmpDir/bookmarks/job/attempt.json"]
    latest = store.latest("job")
    assert latest is not None
    assert (latest.version, latest.run, latest.attempt, latest.previous_run_id, latest.run_id) == (
        3,
        3,
        0,
        "r3",
        "r4",
    )
    assert [e.attempt for e in store.history("job")] == [0, 1, 0]
    reset_bookmark(store, "job", "r1")
    assert run(spark, store, {"s": src}, T0 + 180, option="job-bookmark-pause") == {"s": {"f2.csv"}}


def test_a_version_is_created_once(store: FolderBookmarkStore) -> None:
    store.create(BookmarkEntry("job", version=1, run=1, run_id="a"))
    with pytest.raises(VersionConflictError, match="version 1 was already committed"):
        store.create(BookmarkEntry("job", version=1, run=1, run_id="b"))
    latest = store.latest("job")
    assert latest is not None and latest.run_id == "a"
