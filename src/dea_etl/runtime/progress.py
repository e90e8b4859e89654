"""What a running job shows on standard error while it works: its steps, and Spark's stages.

- A step (``with ctx.step(name, index, total)``; the pipeline marks each job it runs) is a line when it
  starts and a line when it ends, with its time.
- Spark's stages come from the SparkContext's status tracker, read by a thread (:class:`StageWatcher`)
  twice a second. On a terminal each running stage is a live bar (tasks done of all, rich), gone when the
  stage ends; elsewhere (a log, CI, Glue) each stage that took :data:`STAGE_LINE_SECONDS` or more is one
  line when it ends.

The library itself never prints: ``run_job`` gives the job's context a :data:`StepReporter` and runs the
watcher. Standard output carries the run summary alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

#: ``reporter(name, index, total)``: a context manager around one step (1-based ``index`` of ``total``).
StepReporter = Callable[[str, int, int], AbstractContextManager[None]]
#: Without a terminal, a stage that ended sooner is not worth a line.
STAGE_LINE_SECONDS = 1.0
POLL_SECONDS = 0.5


def no_progress(name: str, index: int, total: int) -> AbstractContextManager[None]:
    """The reporter of a context nobody watches (tests, library calls)."""
    return nullcontext()


@dataclass
class Stage:
    """A Spark stage as the tracker last showed it."""

    stage_id: int
    name: str
    done: int
    total: int
    started: float


def stage_label(stage_id: int, name: str) -> str:
    """``stage 12 (parquet)``: Spark's call-site name without its ``at File.java:0`` part."""
    return f"stage {stage_id} ({name.split(' at ', 1)[0]})"


class Display:
    """The lines and live bars of one run, on ``console`` (standard error)."""

    def __init__(self, console: Console, stage_line_seconds: float = STAGE_LINE_SECONDS) -> None:
        self.console = console
        self.stage_line_seconds = stage_line_seconds
        self._bars: Progress | None = None
        if console.is_terminal:
            self._bars = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)
        self._tasks: dict[object, TaskID] = {}

    def __enter__(self) -> Display:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.stop()

    def line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def _bar(self, key: object, description: str, done: int | None = None, total: int | None = None) -> None:
        if self._bars is None:
            return
        if key not in self._tasks:
            self._tasks[key] = self._bars.add_task(description, total=total)
        self._bars.update(self._tasks[key], completed=done or 0, total=total, description=description)

    def _drop(self, key: object) -> None:
        if self._bars is not None and key in self._tasks:
            self._bars.remove_task(self._tasks.pop(key))

    @contextmanager
    def step(self, name: str, index: int, total: int) -> Iterator[None]:
        """A step of the job: a line when it starts (a spinner on a terminal), a line when it ends."""
        label = f"[{index}/{total}] {name}"
        started = time.monotonic()
        outcome = "failed"
        if self._bars is None:
            self.line(f"{label} ...")
        self._bar(("step", label), f"{label} ...")
        try:
            yield
            outcome = "done"
        finally:
            self._drop(("step", label))
            self.line(f"{label} {outcome} in {time.monotonic() - started:.1f} s")

    def stage_running(self, stage: Stage) -> None:
        self._bar(("stage", stage.stage_id), stage_label(stage.stage_id, stage.name), stage.done, stage.total)

    def stage_ended(self, stage: Stage, seconds: float) -> None:
        self._drop(("stage", stage.stage_id))
        if self._bars is None and seconds >= self.stage_line_seconds:
            self.line(f"  {stage_label(stage.stage_id, stage.name)}: {stage.total} tasks in {seconds:.1f} s")


class StageWatcher:
    """Reads Spark's status tracker from a thread and shows each stage on a :class:`Display`."""

    def __init__(self, tracker: Any, display: Display, poll_seconds: float = POLL_SECONDS) -> None:
        self._tracker = tracker
        self._display = display
        self._poll = poll_seconds
        self._running: dict[int, Stage] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="dea-etl-stages", daemon=True)

    def __enter__(self) -> StageWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        try:  # the stages that ended since the last look
            self.poll()
        except Exception:
            return

    def _watch(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                self.poll()
            except Exception:  # the session stopping under us: nothing more to show
                return

    def poll(self) -> None:
        """One look at the tracker: update the running stages, end the ones that are gone."""
        now = time.monotonic()
        active = set(self._tracker.getActiveStageIds())
        for stage_id in sorted(active):
            info = self._tracker.getStageInfo(stage_id)
            if info is None:
                continue
            stage = self._running.setdefault(stage_id, Stage(stage_id, info.name, 0, info.numTasks, now))
            stage.done, stage.total = info.numCompletedTasks, info.numTasks
            self._display.stage_running(stage)
        for stage_id in sorted(set(self._running) - active):
            stage = self._running.pop(stage_id)
            info = self._tracker.getStageInfo(stage_id)
            stage.total = info.numTasks if info is not None else stage.total
            self._display.stage_ended(stage, now - stage.started)

