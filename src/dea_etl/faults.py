"""Named points of publishing at which a fault test can kill the process, deterministically.

With ``DEA_ETL_KILL_AT=<point>`` in its environment a process sends itself SIGKILL on reaching
``checkpoint(<point>)``: no cleanup, no ``finally``, as when a node dies. Without it a checkpoint does nothing.
Points: ``written:<table folder name>`` (just after that table's write: a Parquet table's files, an Iceberg
table's branch; the quarantine folder is ``<table>_quarantine``), ``staged`` (all outputs written),
``claimed`` (the bookmark's next version claimed; plain Parquet claims before its first write),
``publish:<table folder name>`` (just before that table is published), ``published`` (every table
published, bookmark not committed).
"""

from __future__ import annotations

import os
import signal

KILL_ENV = "DEA_ETL_KILL_AT"


def checkpoint(point: str) -> None:
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
