"""The growth bench's memory figure: the peak resident set of each process of a command, sampled from /proc."""

from __future__ import annotations

import sys

from benchmarks.growth import sampled

GROW = "import time; block = bytearray(300 * 2**20); time.sleep(0.5)"
SMALL = "import time; time.sleep(0.5)"


def test_a_child_process_peak_is_seen_after_it_freed_its_memory() -> None:
    # The parent Python allocates nothing; its child holds 300 MiB for half a second, then exits.
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {GROW!r}], check=True)"
    grown = sampled([sys.executable, "-c", child])
    small = sampled([sys.executable, "-c", SMALL])
    assert grown.python_mib >= 300 > small.python_mib
    assert grown.jvm_mib == small.jvm_mib == 0
