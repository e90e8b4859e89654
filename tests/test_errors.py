"""Every exception dea_etl raises derives from DeaEtlError, and its class decides the exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

import dea_etl
from dea_etl.errors import EXIT_USAGE, DeaEtlError, UnknownTableError, exit_code
from dea_etl.pipelines import JOBS
from dea_etl.quality import DqdlSyntaxError, parse_ruleset
from dea_etl.runtime import run_job


def _library_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(dea_etl.__path__, "dea_etl.")]


def test_every_exception_class_of_the_library_derives_from_dea_etl_error() -> None:
    outside = []
    for name in _library_modules():
        module = importlib.import_module(name)
        for obj_name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name
                    and not issubclass(obj, DeaEtlError)):
                outside.append(f"{name}.{obj_name}")
    assert outside == []


def test_exit_codes_follow_the_class() -> None:
    assert exit_code(UnknownTableError("unknown table 'x'")) == EXIT_USAGE
    with pytest.raises(DqdlSyntaxError) as caught:
        parse_ruleset("Rules = [ IsComplete ]")
    assert exit_code(caught.value) == EXIT_USAGE
    assert exit_code(RuntimeError("anything unexpected")) == 1
    # Still what callers that catch the built-in types expect.
    assert isinstance(caught.value, ValueError)
    assert str(UnknownTableError("unknown table 'x'")) == "unknown table 'x'"


def test_unknown_table_in_raw_to_processed_is_a_bad_argument(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_job(JOBS["raw_to_processed"], ["--lake", str(tmp_path), "--tables", "customers,nope"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_USAGE
    assert len(err) == 1
    assert "unknown table 'nope'" in err[0]
    assert "customers" in err[0]
