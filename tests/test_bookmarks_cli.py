"""``dea-etl bookmark show|reset``: Glue's JobBookmarkEntry as JSON; reset and rewind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.bookmark_helpers import T0

from dea_etl.bookmarks import ENABLE, open_store, start_session
from dea_etl.cli import main
from dea_etl.io.files import FileInfo


def commit_run(store_dir: Path, run_id: str, listed: list[FileInfo], at_s: int) -> None:
    session = start_session(
        "orders_job", run_id, ENABLE, open_store(str(store_dir)), clock=lambda: at_s * 1000
    )
    session.select("orders_source", listed)
    session.commit()


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    first = FileInfo("file:/lake/rawData/orders/o1.csv", 10, (T0 - 3600) * 1000)
    second = FileInfo("file:/lake/rawData/orders/o2.csv", 10, (T0 + 10) * 1000)
    commit_run(tmp_path, "r1", [first], T0)
    commit_run(tmp_path, "r2", [first, second], T0 + 60)
    return tmp_path


def show(store_dir: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    assert main(["bookmark", "show", "--job", "orders_job", "--bookmark-store", str(store_dir), *extra]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_show_prints_the_job_bookmark_entry(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = show(store_dir, capsys)
    assert {k: v for k, v in entry.items() if k != "JobBookmark"} == {
        "JobName": "orders_job",
        "Version": 2,
        "Run": 2,
        "Attempt": 0,
        "PreviousRunId": "r1",
        "RunId": "r2",
    }
    state = json.loads(entry["JobBookmark"])["orders_source"]
    assert state["timestamps"]["CURR_RUN_START_TIME"] == "2025-06-15T15:07:40.000Z"
    assert show(store_dir, capsys, "--run-id", "r1")["Version"] == 1


def test_reset_and_rewind(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bookmark", "reset", "--job", "orders_job", "--bookmark-store", str(store_dir)]
    assert main([*args, "--run-id", "r1"]) == 0
    assert "rewound to run r1 (version 3)" in capsys.readouterr().out
    rewound = show(store_dir, capsys)
    assert (rewound["Version"], rewound["RunId"]) == (3, "r2")
    assert json.loads(rewound["JobBookmark"]) == json.loads(
        show(store_dir, capsys, "--run-id", "r1")["JobBookmark"]
    )
    assert main(args) == 0
    assert "bookmark reset (version 4)" in capsys.readouterr().out
    assert json.loads(show(store_dir, capsys)["JobBookmark"]) == {}


def test_unknown_job_or_run_exits_1(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bookmark", "show", "--job", "nope", "--bookmark-store", str(store_dir)]) == 1
    assert "job 'nope' has no bookmark" in capsys.readouterr().err
    assert (
        main(
            ["bookmark", "reset", "--job", "orders_job", "--bookmark-store", str(store_dir), "--run-id", "x"]
        )
        == 1
    )
    assert "no bookmark committed by run 'x'" in capsys.readouterr().err


def test_glue_native_bookmarks_point_to_glues_own_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bookmark", "reset", "--job", "orders_job", "--run-id", "jr_1", "--bookmark-store", "glue"]) == 2
    assert "aws glue reset-job-bookmark --job-name orders_job --run-id jr_1" in capsys.readouterr().err
    assert main(["bookmark", "show", "--job", "orders_job", "--bookmark-store", "glue"]) == 2
    assert "aws glue get-job-bookmark --job-name orders_job" in capsys.readouterr().err
