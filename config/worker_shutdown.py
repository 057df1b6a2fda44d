"""A worker's soft shutdown that ends as soon as its running tasks do.

Compose stops the worker with SIGQUIT: Celery's cold shutdown, which first
gives running tasks ``worker_soft_shutdown_timeout`` seconds
(``CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT``) to finish, then cancels what is left
and hands those messages back to the broker. Celery 5.7 skips that wait when
no task is running (``worker_enable_soft_shutdown_on_idle`` off, its default),
but as soon as one is, it sleeps the *whole* timeout: a report that needs two
more seconds holds every deploy for a minute. It cannot do better by itself —
the wait runs in a signal handler of the main process, whose event loop (the
only thing that learns when a pool process has finished a task) is blocked
meanwhile.

So each pool process notes in a page of memory shared with the main process
(made before the pool forks) that it is running a task and clears the note
when the task ends, however it ends; the wait polls those notes and stops as
soon as none is left, or when the timeout runs out (then Celery's cold
shutdown goes on as before: cancel, hand the messages back). A pool process
that died mid-task (killed, out of memory) counts as finished.
"""

from __future__ import annotations

import logging
import mmap
import os
import time
from typing import Any

from billiard.process import current_process
from celery.signals import task_postrun, task_prerun, worker_init
from celery.worker import state as worker_state

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
# Two idle looks in a row before the wait ends: a task handed to a pool
# process an instant before the signal has had time to say it started.
IDLE_POLLS_NEEDED = 2
_SLOTS = 1024  # pool process indices 0…1023; more than any concurrency we run


class RunningTasks:
    """One slot per pool process (by its pool index): the process's pid while
    it runs a task, 0 otherwise. Each process writes only its own slot, so no
    lock is needed (a lock held by a process killed mid-task would stall the
    shutdown)."""

    def __init__(self, slots: int = _SLOTS):
        # Anonymous shared memory: inherited by every process forked later.
        self._memory = mmap.mmap(-1, slots * 4)
        self._pids = memoryview(self._memory).cast("i")
        # A task ran somewhere without a pool index (solo or threads pool):
        # its end cannot be seen, so the wait keeps Celery's full timeout.
        self._untracked = memoryview(mmap.mmap(-1, 4)).cast("i")

    @staticmethod
    def _index() -> int | None:
        index = getattr(current_process(), "index", None)
        return index if isinstance(index, int) and 0 <= index < _SLOTS else None

    def started(self) -> None:
        index = self._index()
        if index is None:
            self._untracked[0] = 1
        else:
            self._pids[index] = os.getpid()

    def finished(self) -> None:
        index = self._index()
        if index is not None and self._pids[index] == os.getpid():
            self._pids[index] = 0

    def busy(self) -> int:
        """How many pool processes are running a task now."""
        if self._untracked[0]:
            return 1
        return sum(1 for pid in self._pids if pid and _alive(pid))


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie — dead, not yet reaped by the main
    process, whose loop is blocked during the wait — does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) S …": the state follows the last ")".
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


_running: RunningTasks | None = None


@task_prerun.connect
def _task_started(**kwargs: Any) -> None:
    if _running is not None:
        _running.started()


@task_postrun.connect
def _task_finished(**kwargs: Any) -> None:
    if _running is not None:
        _running.finished()


@worker_init.connect
def _install(sender: Any, **kwargs: Any) -> None:
    """In the worker's main process, before the pool forks: the shared notes,
    and the wait that reads them in place of Celery's sleep."""
    global _running
    _running = RunningTasks()
    worker = sender
    celery_wait = worker.wait_for_soft_shutdown

    def wait_for_soft_shutdown() -> None:
        conf = worker.app.conf
        timeout = float(conf.worker_soft_shutdown_timeout or 0)
        if conf.worker_enable_soft_shutdown_on_idle:
            # Asked to wait even when idle (for tasks with an ETA): Celery's way.
            celery_wait()
            return
        if timeout <= 0 or not worker_state.active_requests:
            return  # nothing running: stop at once, as Celery does
        wait_for_running_tasks(_running, timeout)

    worker.wait_for_soft_shutdown = wait_for_soft_shutdown


def wait_for_running_tasks(running: RunningTasks, timeout: float) -> float:
    """Wait until no pool process runs a task, at most ``timeout`` seconds;
    returns how long it waited."""
    started = time.monotonic()
    logger.warning(
        "Soft shutdown: waiting up to %g s for the running tasks to finish", timeout
    )
    idle_polls = 0
    while True:
        waited = time.monotonic() - started
        if running.busy():
            idle_polls = 0
        else:
            idle_polls += 1
            if idle_polls >= IDLE_POLLS_NEEDED:
                logger.warning(
                    "Soft shutdown: running tasks finished after %.1f s", waited
                )
                return waited
        if waited >= timeout:
            logger.warning(
                "Soft shutdown: tasks still running after %g s; they are cancelled "
                "and their messages go back to the broker",
                timeout,
            )
            return waited
        time.sleep(POLL_SECONDS)
