"""The project's tests use dea_etl's own pytest plugin (:mod:`dea_etl.testing`): its ``spark`` (one session
for the whole run), ``moto_endpoint`` / ``aws`` (a real moto_server on 127.0.0.1), ``tmp_lake`` and
``df_equal`` fixtures. Only what is particular to this repository is here."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fast_set import mark_fast

# Loaded by the pytest11 entry point when dea_etl is installed; named here too, for runs without autoload.
pytest_plugins = ["dea_etl.testing.plugin", "pytester"]

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


@pytest.fixture()
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make package` builds (without the wheel), once per test run."""
    from dea_etl.deploy.package import build

    out = tmp_path_factory.mktemp("dist")
    build(out, REPO, wheel=False)
    return out


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``-m fast``: a few quick tests of every module (:mod:`tests.fast_set`)."""
    mark_fast(items)
