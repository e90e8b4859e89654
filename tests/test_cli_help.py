"""Every entry of the ``dea-etl`` command has complete help; the jobs' help comes from their Arg specs."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from dea_etl import __version__
from dea_etl.cli import build_parser
from dea_etl.cli import main as cli
from dea_etl.pipelines import JOBS
from dea_etl.runtime import COMMON_ARGS


def _commands(parser: argparse.ArgumentParser, path: str = "dea-etl") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{path} {name}")


def test_every_option_and_command_has_help() -> None:
    missing = []
    for path, parser in _commands(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{path} {a.dest}" for a in action._choices_actions if not a.help]
            elif action.help != argparse.SUPPRESS and not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


@pytest.mark.parametrize("job", sorted(JOBS))
def test_job_help_lists_every_argument(job: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", job, "--help"]) == 0
    out = capsys.readouterr().out
    for arg in (*JOBS[job].args, *COMMON_ARGS):
        assert f"--{arg.name}" in out, arg.name
        assert arg.help.split()[0] in out
    assert JOBS[job].description.split()[0] in out


def test_csv_to_parquet_help_shows_what_the_issue_missed(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", "csv_to_parquet", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--write-mode" in out and "one of: overwrite" in out
    assert "--summary-json" in out
    assert cli(["run", "sales_mart", "-h"]) == 0
    assert "--months" in capsys.readouterr().out


def test_pipeline_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["pipeline", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--lake" in out and "--data" in out
    assert "raw_to_processed -> data_quality -> sales_mart -> mart_quality" in " ".join(out.split())
    with pytest.raises(SystemExit) as done:
        cli(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"dea-etl {__version__}"


def test_run_help_lists_the_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli(["run", "--help"])
    out = capsys.readouterr().out
    assert all(job in out for job in JOBS)
