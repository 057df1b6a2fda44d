"""Running a parser of uploaded bytes in a child process with hard limits.

pypdf is pure Python: on hostile input one call can take seconds and hundreds
of megabytes (a 0.5 MB PDF whose object stream holds 100,000 tiny objects:
4.5 s and +225 MB in one ``get_object``), and no check between calls can stop
it. So the checks of ``campaign.upload_formats`` run in a child forked from
the web worker, which

* may use ``seconds`` of wall-clock time (then it is killed) and as much CPU
  time (``RLIMIT_CPU``, in case the parent is gone);
* may grow its address space by ``memory_bytes`` over what it inherited
  (``RLIMIT_AS``: an allocation beyond it fails with ``MemoryError``);
* may write at most ``output_bytes`` to files (``RLIMIT_FSIZE``: the
  re-encoded image).

The worker's own memory does not move however hostile the file; what the child
used is logged. The child shares the parent's memory copy-on-write, so a fork
costs a few milliseconds and nothing is imported again. It leaves with
``os._exit``: nothing of the parent (database connections, atexit handlers,
buffered output) is touched on the way out.

Where ``os.fork`` does not exist (Windows) the check runs in the process
itself, bounded only by the parsers' own limits and deadline.
"""

from __future__ import annotations

import faulthandler
import io
import json
import logging
import os
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from campaign.upload_formats import TOO_COMPLEX, Refusal

logger = logging.getLogger("campaign.uploads")

# The child's answer is a small JSON document; anything longer is not ours.
_MAX_ANSWER = 64 * 1024
# Signals the web server may have given handlers to: the child takes the default.
_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2")


@dataclass(frozen=True)
class ChildReport:
    """What one isolated check cost (for the log and the benchmark)."""

    seconds: float
    peak_kib: int
    parent_kib: int
    isolated: bool


def run_isolated(
    check: Callable[[], dict],
    *,
    seconds: float,
    memory_bytes: int,
    output_bytes: int,
) -> tuple[dict, ChildReport]:
    """``check()``'s answer, computed in a child process within the limits.

    ``Refusal`` raised in the child is raised again here; a child that runs out
    of time or memory, or dies (a crash in a C library), is a
    ``Refusal(TOO_COMPLEX)`` — never an error page, never a worker lost.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - not a POSIX system
        started = time.monotonic()
        return check(), ChildReport(time.monotonic() - started, 0, 0, False)
    parent_kib = _own_rss_kib()
    started = time.monotonic()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is what the tests see
        _child(check, write_end, read_end, seconds, memory_bytes, output_bytes)
    os.close(write_end)
    answer, finished = None, False
    try:
        answer, finished = _read_answer(read_end, started + seconds)
    finally:
        os.close(read_end)
        if not finished:
            # Not reaped yet, so the pid is still this child's (alive or not).
            os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    report = ChildReport(
        seconds=time.monotonic() - started,
        peak_kib=usage.ru_maxrss,
        parent_kib=parent_kib,
        isolated=True,
    )
    if not finished or answer is None:
        # Killed at the deadline, by RLIMIT_CPU, or by a crash.
        logger.warning(
            "Upload check stopped: %s after %.2f s (child status %s, peak %s KiB)",
            "out of time" if not finished else "no answer",
            report.seconds,
            status,
            report.peak_kib,
        )
        raise _with_report(Refusal(TOO_COMPLEX), report)
    if "refused" in answer:
        code, params = answer["refused"]
        raise _with_report(Refusal(code, **params), report)
    return answer["result"], report


def _with_report(refusal: Refusal, report: ChildReport) -> Refusal:
    """The refusal, carrying what the check cost (for the log)."""
    refusal.report = report
    return refusal


def _read_answer(fd: int, deadline: float) -> tuple[dict | None, bool]:
    """The child's answer, and whether it ended in time (an answer too long
    to be one counts as not ended: the child is killed)."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None, False
        chunk = os.read(fd, 8192)
        if not chunk:
            break
        data += chunk
        if len(data) > _MAX_ANSWER:
            return None, False
    try:
        return json.loads(data), True
    except ValueError:
        return None, True


def _child(
    check: Callable[[], dict],
    write_end: int,
    read_end: int,
    seconds: float,
    memory_bytes: int,
    output_bytes: int,
) -> None:  # pragma: no cover - runs in the child
    status = 0
    try:
        os.close(read_end)
        for name in _RESET_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        # Parsers' warnings (pypdf logs every repair) would go to the worker's
        # log, and so would a crash dump: the parent logs what went wrong.
        logging.disable(logging.CRITICAL)
        faulthandler.disable()
        _limit(seconds, memory_bytes, output_bytes)
        try:
            answer: dict[str, Any] = {"result": check()}
        except Refusal as refusal:
            answer = {"refused": [refusal.code, refusal.params]}
        except MemoryError:
            answer = {"refused": [TOO_COMPLEX, {}]}
        data = json.dumps(answer).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _limit(
    seconds: float, memory_bytes: int, output_bytes: int
) -> None:  # pragma: no cover
    import resource

    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # Writing past the cap fails with EFBIG instead of killing the child.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    inherited = _own_vm_bytes()
    if inherited:
        limit = inherited + memory_bytes
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            # Some systems (macOS) do not enforce an address-space limit.
            pass


class _PositionalReader(io.RawIOBase):
    """Reads a file descriptor with ``os.pread`` at a position of its own.

    A forked child shares its parent's open files *and their offsets*: a parser
    seeking and reading the upload in the child would move the offset under the
    parent's buffered file object, whose next read would then take bytes from
    the wrong place. ``pread`` never moves the shared offset."""

    def __init__(self, fd: int):
        super().__init__()
        self._fd = fd
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += os.fstat(self._fd).st_size
        if offset < 0:
            raise OSError("negative seek position")
        self._position = offset
        return offset

    def tell(self) -> int:
        return self._position


def private_reader(file: IO[bytes]) -> IO[bytes]:
    """``file`` to be read in the child without disturbing the parent: a
    reader of its own over the same file descriptor, or the object itself for
    a file in memory (the child reads its own copy of that)."""
    try:
        fd = file.fileno()
    except (AttributeError, OSError, ValueError):
        return file
    return io.BufferedReader(_PositionalReader(fd))


def _proc_status(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (0 where there is none)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(field.encode() + b":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _own_rss_kib() -> int:
    return _proc_status("VmRSS")


def _own_vm_bytes() -> int:  # pragma: no cover - runs in the child
    return _proc_status("VmSize") * 1024
