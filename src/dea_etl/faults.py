"""Named points of publishing at which a fault test can kill the process, deterministically.

With ``DEA_ETL_KILL_AT=<point>`` in its environment a process sends itself SIGKILL on reaching
``checkpoint(<point>)``: no cleanup, no ``finally``, as when a node dies. Without it a checkpoint does nothing.
Points: ``staged`` (all outputs written, nothing claimed), ``claimed``, ``publish:<table folder name>``
(just before that table is published; the quarantine folder is ``<table>_quarantine``),
``published`` (every table published, bookmark not committed).
"""

from __future__ import annotations

import os
import signal

KILL_ENV = "DEA_ETL_KILL_AT"


def checkpoint(point: str) -> None:
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
