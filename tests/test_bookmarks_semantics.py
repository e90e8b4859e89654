"""Glue's job-bookmark semantics on the local and S3 stores: files with set mtimes, a fixed clock."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession
from tests.bookmark_helpers import T0, put, run

from dea_etl.bookmarks import (
    DISABLE,
    ENABLE,
    PAUSE,
    BookmarkEntry,
    BookmarkError,
    BookmarkSession,
    BookmarkStore,
    VersionConflictError,
    open_store,
    release_claims,
    reset_bookmark,
    start_session,
)
from dea_etl.errors import InputError
from dea_etl.io.incremental import new_files

HOUR = 3600


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BookmarkStore:
    """Every scenario runs on the local folder store and on the S3 store (moto_server over HTTP)."""
    if request.param == "local":
        return open_store(str(tmp_path / "bookmarks"))
    request.getfixturevalue("aws")
    boto3.client("s3").create_bucket(Bucket="lake")
    return open_store("s3://lake/tmpDir/bookmarks")


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    put(folder, "f1.csv", T0 - 2 * HOUR)
    put(folder, "f2.csv", T0 - HOUR)
    return folder


def test_disabled_reads_every_file_and_touches_no_store(spark: SparkSession, store, src) -> None:
    for _ in range(2):
        assert run(spark, store, {"s": src}, T0, option=DISABLE) == {"s": {"f1.csv", "f2.csv"}}
    assert (store.history("job"), store.read_attempt("job")) == ([], None)


def test_enabled_reads_only_files_after_the_last_commit(spark: SparkSession, store, src) -> None:
    assert run(spark, store, {"s": src}, T0, run_id="r1") == {"s": {"f1.csv", "f2.csv"}}
    put(src, "f3.csv", T0 + 60)
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r2") == {"s": {"f3.csv"}}
    session = start_session("job", "r3", ENABLE, store, clock=lambda: (T0 + 240) * 1000)
    selection = new_files(spark, str(src), "s", session)
    assert (selection.files, selection.skipped, selection.incremental) == ([], 3, True)


def test_a_source_without_transformation_ctx_is_not_tracked(spark: SparkSession, store, src) -> None:
    for i in range(2):
        session = start_session("job", f"r{i}", ENABLE, store, clock=lambda: T0 * 1000)
        assert len(new_files(spark, str(src), None, session).files) == 2
        session.commit()
    latest = store.latest("job")
    assert latest is not None and json.loads(latest.to_glue()["JobBookmark"]) == {}


def test_state_is_kept_per_ctx_and_committed_for_all_at_once(spark: SparkSession, store, tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    put(a, "a1.csv", T0 - HOUR)
    put(b, "b1.csv", T0 - HOUR)
    assert run(spark, store, {"a": a, "b": b}, T0, run_id="r1") == {"a": {"a1.csv"}, "b": {"b1.csv"}}
    assert [e.version for e in store.history("job")] == [1]
    put(a, "a2.csv", T0 + 10)
    assert run(spark, store, {"a": a}, T0 + 60, run_id="r2") == {"a": {"a2.csv"}}
    # b's state is kept although r2 did not read b; a new ctx starts from nothing.
    assert run(spark, store, {"a": a, "b": b, "c": b}, T0 + 120, run_id="r3") == {
        "a": set(),
        "b": set(),
        "c": {"b1.csv"},
    }


def test_a_late_listed_file_inside_the_band_is_read_by_the_next_run(spark: SparkSession, store, src) -> None:
    put(src, "f3.csv", T0 - 100)  # inside the 15-minute band below T0
    assert run(spark, store, {"s": src}, T0, run_id="r1") == {"s": {"f1.csv", "f2.csv", "f3.csv"}}
    put(src, "late.csv", T0 - 300)  # listed only now, modified before r1 started, inside its band
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2") == {"s": {"late.csv"}}
    # files inside the band that were read are not read twice
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r3") == {"s": set()}


def test_a_late_listed_file_below_the_band_counts_as_read(spark: SparkSession, store, src) -> None:
    """Glue assumes listings are consistent below the band: such a file is never read (documented)."""
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "very_late.csv", T0 - 1000)  # 1000 s > 900 s band
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2") == {"s": set()}


def test_the_band_can_be_narrowed(spark: SparkSession, store, src, tmp_path) -> None:
    session = start_session("job", "r1", ENABLE, store, clock=lambda: T0 * 1000, max_band_ms=60_000)
    new_files(spark, str(src), "s", session)
    session.commit()
    put(src, "late.csv", T0 - 300)  # below the 60-second band: assumed read
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2") == {"s": set()}


def test_a_file_modified_after_it_was_processed_is_processed_again(spark: SparkSession, store, src) -> None:
    put(src, "f3.csv", T0 - 100)
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f1.csv", T0 + 30, "1,b\n")  # rewritten after r1 started
    put(src, "f3.csv", T0 - 50, "1,c\n")  # rewritten, still inside r1's band
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2") == {"s": {"f1.csv", "f3.csv"}}


def test_a_file_modified_after_the_run_started_waits_for_the_next_run(spark: SparkSession, store, src) -> None:
    put(src, "f3.csv", T0 + 5)  # written while the run at T0 lists
    assert run(spark, store, {"s": src}, T0, run_id="r1") == {"s": {"f1.csv", "f2.csv"}}
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2") == {"s": {"f3.csv"}}


def test_a_failed_run_leaves_the_state_and_the_next_run_reads_the_same(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    before = store.latest("job")
    assert run(spark, store, {"s": src}, T0 + 60, run_id="r2", commit=False) == {"s": {"f3.csv"}}
    assert store.latest("job") == before
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r3") == {"s": {"f3.csv"}}


def test_run_attempt_and_version_numbers(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    first = store.latest("job")
    assert first is not None
    assert (first.version, first.run, first.attempt, first.previous_run_id, first.run_id) == (
        1,
        1,
        0,
        None,
        "r1",
    )
    run(spark, store, {"s": src}, T0 + 60, run_id="r2", commit=False)  # attempt 0 of run 2 fails
    run(spark, store, {"s": src}, T0 + 90, run_id="r3", commit=False)  # attempt 1 of run 2 fails
    run(spark, store, {"s": src}, T0 + 120, run_id="r4")
    second = store.latest("job")
    assert second is not None
    assert (second.version, second.run, second.attempt, second.previous_run_id, second.run_id) == (
        2,
        2,
        2,
        "r1",
        "r4",
    )
    run(spark, store, {"s": src}, T0 + 180, run_id="r5")
    third = store.latest("job")
    assert third is not None and (third.version, third.run, third.attempt) == (3, 3, 0)


def test_pause_reads_since_the_last_commit_and_never_updates(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    before = store.history("job"), store.read_attempt("job")
    for i in range(2):
        assert run(spark, store, {"s": src}, T0 + 60, option=PAUSE, run_id=f"p{i}") == {"s": {"f3.csv"}}
    assert (store.history("job"), store.read_attempt("job")) == before


def test_pause_with_a_range_reads_what_to_run_read_and_from_run_had_not(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    run(spark, store, {"s": src}, T0 + 60, run_id="r2")
    put(src, "f4.csv", T0 + 70)
    run(spark, store, {"s": src}, T0 + 120, run_id="r3")
    put(src, "f5.csv", T0 + 130)
    ranged = {"option": PAUSE, "from_run_id": "r1"}
    assert run(spark, store, {"s": src}, T0 + 200, to_run_id="r2", **ranged) == {"s": {"f3.csv"}}
    assert run(spark, store, {"s": src}, T0 + 200, to_run_id="r3", **ranged) == {"s": {"f3.csv", "f4.csv"}}
    assert [e.version for e in store.history("job")] == [1, 2, 3]
    ranged_session = start_session("job", "p", PAUSE, store, from_run_id="r1", to_run_id="r2")
    assert new_files(spark, str(src), "other_ctx", ranged_session).incremental  # appends, never overwrites
    with pytest.raises(BookmarkError, match="no bookmark committed by run 'nope'"):
        run(spark, store, {"s": src}, T0, option=PAUSE, from_run_id="nope", to_run_id="r2")


def test_reset_makes_every_file_new_and_rewind_reads_what_came_after(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    run(spark, store, {"s": src}, T0 + 60, run_id="r2")
    rewound = reset_bookmark(store, "job", "r1")
    assert (rewound.version, rewound.run, rewound.run_id) == (3, 2, "r2")
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r3", commit=False) == {"s": {"f3.csv"}}
    reset_bookmark(store, "job")
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r3") == {"s": {"f1.csv", "f2.csv", "f3.csv"}}
    with pytest.raises(BookmarkError, match="has no bookmark"):
        reset_bookmark(store, "other")


def test_the_second_of_two_concurrent_commits_fails_and_commits_nothing(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    one = start_session("job", "r2", ENABLE, store, clock=lambda: (T0 + 60) * 1000)
    two = start_session("job", "r3", ENABLE, store, clock=lambda: (T0 + 61) * 1000)
    for session in (one, two):
        assert [Path(f.path).name for f in new_files(spark, str(src), "s", session).files] == ["f3.csv"]
    one.claim()  # r2 is about to publish its output
    with pytest.raises(VersionConflictError, match=r"version 2 is claimed by run 'r2' since .*nothing was published"):
        two.claim()  # so r3 may not publish
    one.commit()
    with pytest.raises(VersionConflictError, match="version 2 was already committed by another run"):
        two.claim()
    with pytest.raises(VersionConflictError):
        two.commit()
    assert [e.run_id for e in store.history("job")] == ["r1", "r2"]
    assert store.claims("job") == []  # the winner's claim went with its commit; the loser's was dropped


def test_a_claim_left_by_a_stopped_run_blocks_until_released(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    stopped = start_session("job", "r2", ENABLE, store, clock=lambda: (T0 + 60) * 1000)
    new_files(spark, str(src), "s", stopped)
    stopped.claim()  # ... published its output, then the process died before committing
    with pytest.raises(VersionConflictError, match=r"claimed by run 'r2'.*dea-etl bookmark release --job job"):
        run(spark, store, {"s": src}, T0 + 90, run_id="r3")
    with pytest.raises(VersionConflictError, match="claimed by run 'r2'"):
        reset_bookmark(store, "job")
    (held,) = release_claims(store, "job", commit=True)  # its output was checked: whole, roll forward
    assert (held.entry.version, held.entry.run_id) == (2, "r2")
    assert store.claims("job") == []
    assert [e.run_id for e in store.history("job")] == ["r1", "r2"]
    assert run(spark, store, {"s": src}, T0 + 120, run_id="r4") == {"s": set()}  # f3 counts as read


def test_releasing_without_commit_makes_the_stopped_runs_files_new_again(spark: SparkSession, store, src) -> None:
    run(spark, store, {"s": src}, T0, run_id="r1")
    put(src, "f3.csv", T0 + 10)
    stopped = start_session("job", "r2", ENABLE, store, clock=lambda: (T0 + 60) * 1000)
    new_files(spark, str(src), "s", stopped)
    stopped.claim()
    assert [c.entry.run_id for c in release_claims(store, "job")] == ["r2"]
    assert run(spark, store, {"s": src}, T0 + 90, run_id="r3") == {"s": {"f3.csv"}}
    with pytest.raises(BookmarkError, match="no claim on the version after its latest"):
        release_claims(store, "job", commit=True)


def test_missing_path_and_empty_untracked_source_are_errors(spark: SparkSession, store, tmp_path) -> None:
    session = start_session("job", "r1", ENABLE, store, clock=lambda: T0 * 1000)
    with pytest.raises(InputError, match="does not exist"):
        new_files(spark, str(tmp_path / "nope"), "s", session)
    (tmp_path / "empty").mkdir()
    assert new_files(spark, str(tmp_path / "empty"), "s", session).files == []
    with pytest.raises(InputError, match="no input files"):
        new_files(spark, str(tmp_path / "empty"), None, session)


def test_option_checks(store) -> None:
    with pytest.raises(BookmarkError, match="together"):
        start_session("job", "r", PAUSE, store, from_run_id="r1")
    with pytest.raises(BookmarkError, match="need job-bookmark-pause"):
        start_session("job", "r", ENABLE, store, from_run_id="r1", to_run_id="r2")
    with pytest.raises(BookmarkError, match="unknown job bookmark option"):
        start_session("job", "r", "job-bookmark-on", store)
    with pytest.raises(BookmarkError, match="needs a bookmark store"):
        start_session("job", "r", ENABLE, None)


def test_entries_are_glue_job_bookmark_entries(spark: SparkSession, store, src) -> None:
    put(src, "f3.csv", T0 - 100)
    run(spark, store, {"s": src}, T0, run_id="r1")
    latest = store.latest("job")
    assert latest is not None
    raw = latest.to_glue()
    assert list(raw) == ["JobName", "Version", "Run", "Attempt", "RunId", "JobBookmark"]
    state = json.loads(raw["JobBookmark"])["s"]
    assert state["jsonClass"] == "HadoopDataSourceJobBookmarkState"
    ts = state["timestamps"]
    high = "2025-06-15T15:06:40.000Z"
    assert (ts["RUN"], ts["HIGH_BAND"], ts["CURR_RUN_START_TIME"]) == ("1", "900000", high)
    assert len(ts["INCLUDE_LIST"].split(",")) == 1  # only f3 is inside the band
    assert BookmarkEntry.from_glue(raw) == latest


def test_the_local_store_keeps_one_file_per_version(spark: SparkSession, tmp_path: Path, src) -> None:
    store = open_store(str(tmp_path / "bookmarks"))
    run(spark, store, {"s": src}, T0, run_id="r1")
    run(spark, store, {"s": src}, T0 + 60, run_id="r2")
    names = sorted(p.name for p in (tmp_path / "bookmarks" / "job").iterdir())
    assert names == ["0000000001.json", "0000000002.json", "attempt.json"]
    raw = json.loads((tmp_path / "bookmarks" / "job" / "0000000002.json").read_text())
    assert (raw["Version"], raw["PreviousRunId"], raw["RunId"]) == (2, "r1", "r2")


def commit_at_once(sessions: list[BookmarkSession]) -> list[str]:
    """Commit every session from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(sessions))
    outcomes: list[str] = []

    def commit(session: BookmarkSession) -> None:
        barrier.wait()
        try:
            session.commit()
            outcomes.append("committed")
        except VersionConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=commit, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_commits_racing_in_threads_exactly_one_wins(spark: SparkSession, store, tmp_path: Path) -> None:
    src = tmp_path / "src"
    put(src, "f1.csv", T0 - 3600)
    for round_no in range(5):
        sessions = [start_session("job", f"run{round_no}-{i}", ENABLE, store, clock=lambda: T0 * 1000) for i in range(2)]
        for session in sessions:
            new_files(spark, str(src), "s", session)
        outcomes = commit_at_once(sessions)
        assert sorted(outcomes) == ["committed", "conflict"]
        winner = next(s for s in sessions if s.committed is not None)
        latest = store.latest("job")
        assert latest is not None and (latest.version, latest.run_id) == (round_no + 1, winner.run_id)
