"""Names are names: job names and run ids that become paths are checked before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dea_etl.bookmarks import open_store
from dea_etl.cli import main
from dea_etl.names import InvalidNameError, check_name
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job

ENABLE = ["--job-bookmark-option", "job-bookmark-enable"]
BAD = ["", ".", "..", "a/b", "../x", "a\\b", "c:x", "a\nb", "tab\there", "nul\x00", "x" * 201]


@pytest.mark.parametrize("name", ["orders", "raw_to_processed-2", "jr_0123abcd", "a..b", "Ünïcode", "x" * 200])
def test_a_name_is_kept_as_it_is(name: str) -> None:
    assert check_name("--JOB_NAME", name) == name


@pytest.mark.parametrize("name", BAD)
def test_anything_that_is_not_one_path_segment_is_refused(name: str) -> None:
    with pytest.raises(InvalidNameError, match=r"^--JOB_NAME .* is not a name \(") as caught:
        check_name("--JOB_NAME", name)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("flag", "value"), [("--JOB_NAME", ".."), ("--JOB_NAME", "../../escape"),
                                             ("--run-id", "../../escape"), ("--run-id", "a/b")])
def test_a_bookmarked_job_refuses_a_path_as_a_name_before_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    lake, store = tmp_path / "lake", tmp_path / "deep" / "store"
    (lake / "rawData" / "customers").mkdir(parents=True)
    (lake / "rawData" / "customers" / "c.csv").write_text("1,Ann,Able,Ann Able\n")
    code = run_job(JOBS["raw_to_processed"], ["--lake", str(lake), "--tables", "customers", *ENABLE,
                                              "--bookmark-store", str(store), flag, value])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and "is not a name" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]  # no store, nothing beside it
    assert [p.name for p in (lake).iterdir()] == ["rawData"]


def test_the_bookmark_store_and_command_refuse_a_path_as_a_job_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(str(tmp_path / "store"))
    with pytest.raises(InvalidNameError, match=r"job name '\.\.' is not a name"):
        store.latest("..")
    assert main(["bookmark", "show", "--job", "../x", "--bookmark-store", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "job name '../x' is not a name" in err[0]
    assert list(tmp_path.iterdir()) == []
