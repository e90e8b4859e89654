"""docs/write-your-own-job.md, run: its Python blocks, in order, as a reader would (not a copy of them).

A block whose first line is ``# file: PATH`` is written to PATH; the other blocks make one script, run by a
new Python in a folder where ``examples/`` is the repository's. The public API the README lists is the one
``dea_etl.PUBLIC`` defines.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dea_etl
from dea_etl.runtime.submit import submit_env

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "write-your-own-job.md"
FILE_MARK = "# file: "


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.slow
def test_the_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """As a reader runs it: in a fresh Python (and JVM) whose working folder is the project's, so that the
    guide's relative paths mean the same to Python and to Spark."""
    (tmp_path / "examples").symlink_to(REPO / "examples")
    written, executed = [], []
    for block in python_blocks(GUIDE.read_text(encoding="utf-8")):
        first = block.partition("\n")[0]
        if first.startswith(FILE_MARK):
            path = tmp_path / first.removeprefix(FILE_MARK).strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block, encoding="utf-8")
            written.append(path.relative_to(tmp_path).as_posix())
        else:
            executed.append(block)
    assert written == ["sensors_job.py", "jobs/sensors_to_parquet.py"]
    assert len(executed) == 5
    (tmp_path / "guide.py").write_text("\n".join(executed) + '\nprint("GUIDE RAN")\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "guide.py"], cwd=tmp_path, env=submit_env(), capture_output=True,
                          text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.rstrip().endswith("GUIDE RAN")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "bookmarks", "iceberg_catalog.db", "sensors", "sensors_ice", "sensors_ice_quarantine", "sensors_iceberg",
        "sensors_once", "sensors_quarantine", "summary.json"]  # the Iceberg tables' catalog beside them
    # The job script the guide shows: a real script whose main() runs the job (here: its --help).
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = importlib.util.spec_from_file_location("sensors_script", tmp_path / "jobs" / "sensors_to_parquet.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    capsys.readouterr()
    assert script.main(["--help"]) == 0
    assert "--table-file" in capsys.readouterr().out
    # The user's job file run by dea-etl itself, from the project's folder, without PYTHONPATH
    cli = str(Path(sys.executable).with_name("dea-etl"))
    env = {k: v for k, v in submit_env().items() if k != "PYTHONPATH"}
    run = subprocess.run([cli, "run", "jobs/sensors_to_parquet.py", "--input", "examples/sensors.csv", "--output",
                          "out/sensors_cli"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "sensors_to_parquet run" in run.stdout and "sensors_cli" in run.stdout
    (tmp_path / "jobs" / "empty.py").write_text("X = 1\n", encoding="utf-8")
    none = subprocess.run([cli, "run", "jobs/empty.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (none.returncode, none.stderr.strip()) == (
        2, "error: run: jobs/empty.py declares no JobSpec: name the job JOB (a dea_etl.JobSpec)")


def test_the_public_api_is_listed_once_and_in_the_readme() -> None:
    assert set(dea_etl.__all__) == {*dea_etl.PUBLIC, "PUBLIC", "__version__"}
    for name in dea_etl.PUBLIC:
        assert getattr(dea_etl, name) is getattr(importlib.import_module(dea_etl.PUBLIC[name]), name)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Public API", 1)[1].split("\n## ", 1)[0]
    assert [n for n in dea_etl.PUBLIC if f"`{n}`" not in section] == []
    with pytest.raises(AttributeError):
        _ = dea_etl.not_public  # type: ignore[attr-defined]
