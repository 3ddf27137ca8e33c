"""Worker processes for the web app's analyses and uploads.

The server's own process only serves pages: every analysis, and every upload's
parsing, runs in one of a few long-lived worker processes, so that a heavy run
neither holds the server's interpreter (page loads stay fast) nor takes it down
(a crash, a ``RecursionError`` or the memory killer ends one worker, which is
replaced). Each worker takes one job at a time over a pipe.

The workers are started with ``forkserver`` where the platform has it (a clean
server process that has imported detente forks them, so a new worker is ready in
milliseconds and inherits none of the server's threads or sockets) and with
``spawn`` elsewhere; never with a plain ``fork`` of the threaded server.

A job may be cancelled (its worker is killed and replaced) or cut off when it
takes longer than ``max_seconds``. At most ``size`` jobs run at once and at most
``size + queue`` are accepted; beyond that :class:`Busy` is raised, which the app
answers with 503 and ``Retry-After``. A job may report its progress while it runs:
the worker sends each report over the job's pipe ahead of the result, and the
waiting thread keeps the latest as the job's ``progress`` (the run page polls it).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["Busy", "Cancelled", "Job", "Overtime", "RemoteError", "WorkerCrash", "Workers"]

T = TypeVar("T")

PRELOAD = [
    "detente.web._runs",
    "detente.model.io",
    "detente.analysis",
    "detente.gmcr.case",
    "detente.forecast.case",
    "detente.bargain.case",
]
"""Imported by the forkserver once, so that each worker starts with detente loaded."""


class Busy(Exception):
    """Too many jobs are waiting already."""


class Cancelled(Exception):
    """The job was cancelled before it finished."""


class Overtime(Exception):
    """The job took longer than the time it was allowed; its worker was stopped."""

    def __init__(self, seconds: float):
        super().__init__(f"took longer than {seconds:g} s")
        self.seconds = seconds


class WorkerCrash(Exception):
    """The worker died during the job (killed for memory, or a crash of the interpreter)."""


class RemoteError(Exception):
    """An exception from a worker that could not be sent back as itself; its message
    starts with the original exception's type."""


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _serve(conn: Connection) -> None:
    """A worker's loop: take ``(fn, args)``, send back ``("ok", result)`` or ``("error", exc)``."""
    import pickle
    import signal
    import warnings

    # Ctrl-C in the terminal reaches the whole process group: the server stops its
    # workers itself, so a worker ignores the interrupt instead of printing a traceback.
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")  # numeric warnings go nowhere useful from a worker
    _cap_memory()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        fn, args, wants_progress = job
        try:
            if wants_progress:
                reply: tuple[str, Any] = ("ok", fn(*args, progress=_reporter(conn)))
            else:
                reply = ("ok", fn(*args))
        except BaseException as exc:
            error: BaseException = exc
            try:
                pickle.dumps(exc)
            except Exception:
                error = RemoteError(f"{type(exc).__name__}: {exc}")
            if not isinstance(error, Exception):  # SystemExit and the like
                error = RemoteError(f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                # the worker's record of where it happened, for the server's log
                error.add_note(traceback.format_exc())
            reply = ("error", error)
        try:
            conn.send(reply)
        except Exception as exc:  # a result that cannot be pickled
            conn.send(("error", RemoteError(f"{type(exc).__name__}: {exc}")))


WORKER_MEMORY = 4 * 2**30
"""The address space a worker may use (``DETENTE_WEB_WORKER_MEMORY``, bytes): past it an
analysis fails with MemoryError, which the run reports, instead of drawing the machine's
memory killer onto the server."""


def _cap_memory() -> None:
    """Bound this worker's address space (where the platform allows it)."""
    import os

    try:
        import resource
    except ImportError:  # not on this platform
        return
    text = os.environ.get("DETENTE_WEB_WORKER_MEMORY", "")
    limit = int(text) if text.isdigit() and int(text) > 0 else WORKER_MEMORY
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _reporter(conn: Connection) -> Callable[[Any], None]:
    """What a job that reports its progress calls: sends ``("progress", value)`` to the
    server, ahead of its result (the value must pickle)."""

    def report(value: Any) -> None:
        with contextlib.suppress(Exception):
            conn.send(("progress", value))

    return report


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True, name="detente-worker")  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class Job:
    """A job admitted to the workers (:meth:`Workers.admit`); a context manager that
    gives its place back on leaving."""

    def __init__(self, workers: Workers):
        self.cancelled = threading.Event()
        self.progress: Any = None
        """What the job last reported of its progress (``None`` until it reports)."""
        self._workers = workers
        self._key: Any = None
        self._open = True

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc: object) -> None:
        self._workers._leave(self)


class Workers:
    """Run jobs in worker processes, at most ``size`` at once and ``size + queue`` accepted.

    Parameters
    ----------
    size : int
        Worker processes (and so jobs running at once).
    queue : int
        Jobs that may wait for a worker; more get :class:`Busy`.
    max_seconds : float, optional
        A job still running after this long is stopped (:class:`Overtime`).
    """

    POLL = 0.25
    """Seconds between looks at a waiting job's cancellation and time."""

    def __init__(self, size: int, queue: int, *, max_seconds: float | None = None):
        self.size = size
        self.max_seconds = max_seconds
        self._max_pending = size + queue
        self._lock = threading.Lock()
        self._pending = 0
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._jobs: dict[Any, Job] = {}
        self._closed = False
        self._ctx: multiprocessing.context.BaseContext | None = None
        self._finalizer = weakref.finalize(self, _stop_all, self._idle, self._busy)

    @property
    def pending(self) -> int:
        """Jobs admitted and not yet finished (running or waiting)."""
        return self._pending

    def admit(self) -> Job:
        """A place for one job, or :class:`Busy` when ``size + queue`` are taken.

        Use it as a context manager around :meth:`run` (``with workers.admit() as
        job:``) to know, before the job starts, that it will be accepted.
        """
        with self._lock:
            if self._closed or self._pending >= self._max_pending:
                raise Busy
            self._pending += 1
        return Job(self)

    def name(self, job: Job, key: Any) -> None:
        """Name ``job`` ``key``, for :meth:`cancel`."""
        with self._lock:
            job._key = key
            self._jobs[key] = job

    def _leave(self, job: Job) -> None:
        with self._lock:
            if not job._open:
                return
            job._open = False
            self._pending -= 1
            if job._key is not None and self._jobs.get(job._key) is job:
                del self._jobs[job._key]

    async def run(
        self, fn: Callable[..., T], *args: Any, job: Job | None = None, progress: bool = False
    ) -> T:
        """Run ``fn(*args)`` in a worker and return its result (or raise its exception).

        ``fn``, its arguments and its result travel by pickle: ``fn`` must be a
        module-level function. Without ``job``, one is admitted (:class:`Busy` at
        once when too many wait). With ``progress``, ``fn`` is called with a keyword
        argument ``progress``, a function it calls with what it has done so far (a
        value that pickles); the latest value is the job's :attr:`Job.progress`.
        """
        if job is None:
            with self.admit() as own:
                return await self.run(fn, *args, job=own, progress=progress)
        # A thread of its own waits on each job: the event loop stays free, and the
        # default thread pool (which serves pages) is not taken by waiting jobs.
        return await anyio.to_thread.run_sync(
            self._call, fn, args, job, progress, limiter=anyio.CapacityLimiter(1)
        )

    def start(self) -> None:
        """Start the worker processes now, in the background, so that the first jobs
        do not wait for them (a new worker imports detente's engines)."""

        def spawn() -> None:
            for _ in range(self.size):
                with self._lock:
                    if self._closed or len(self._idle) + len(self._busy) >= self.size:
                        return
                worker = self._take()
                self._give_back(worker)

        threading.Thread(target=spawn, name="detente-workers-start", daemon=True).start()

    def progress(self, key: Any) -> Any:
        """What the job named ``key`` last reported of its progress (``None`` when it has
        reported nothing, or there is no such job in this server)."""
        with self._lock:
            job = self._jobs.get(key)
        return job.progress if job is not None else None

    def running(self, key: Any) -> bool:
        """Whether a job named ``key`` is admitted in this server (waiting or running)."""
        with self._lock:
            return key in self._jobs

    def cancel(self, key: Any) -> bool:
        """Cancel the job named ``key`` (waiting or running); whether there was one."""
        with self._lock:
            job = self._jobs.get(key)
        if job is None:
            return False
        job.cancelled.set()
        return True

    def close(self) -> None:
        """Stop every worker; jobs still running end with :class:`Cancelled`."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancelled.set()
        self._finalizer()

    # -- in the waiting thread ------------------------------------------------------

    def _call(
        self, fn: Callable[..., T], args: tuple[Any, ...], job: Job, progress: bool = False
    ) -> T:
        # The waiting threads wake only a few times a second (to see a cancellation):
        # a thread that wakes often takes the interpreter from the threads serving pages.
        while not self._slots.acquire(timeout=self.POLL):
            if job.cancelled.is_set():
                raise Cancelled
        try:
            if job.cancelled.is_set():
                raise Cancelled
            worker = self._take()
            try:
                worker.conn.send((fn, args, progress))
            except Exception:
                self._drop(worker, kill=True)
                raise
            start = time.monotonic()
            while True:
                if not wait([worker.conn, worker.process.sentinel], timeout=self.POLL):
                    stop: Exception | None = None
                    if job.cancelled.is_set():
                        stop = Cancelled()
                    elif (
                        self.max_seconds is not None and time.monotonic() - start > self.max_seconds
                    ):
                        stop = Overtime(self.max_seconds)
                    elif not worker.process.is_alive():
                        stop = WorkerCrash(
                            f"the worker process ended with code {worker.process.exitcode} "
                            "during the analysis (out of memory?)"
                        )
                    if stop is not None:
                        self._drop(worker, kill=True)
                        raise stop
                    continue
                try:
                    status, value = worker.conn.recv()
                except (EOFError, OSError):
                    self._drop(worker, kill=True)
                    raise WorkerCrash(
                        f"the worker process ended with code {worker.process.exitcode} "
                        "during the analysis (out of memory?)"
                    ) from None
                if status != "progress":
                    break
                job.progress = value
                # a job that reports often is still stopped on time or when cancelled
                if job.cancelled.is_set() or (
                    self.max_seconds is not None and time.monotonic() - start > self.max_seconds
                ):
                    self._drop(worker, kill=True)
                    if job.cancelled.is_set():
                        raise Cancelled
                    assert self.max_seconds is not None
                    raise Overtime(self.max_seconds)
            self._give_back(worker)
            if status == "error":
                raise value
            return value
        finally:
            self._slots.release()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
                worker.stop(kill=True)
            if self._ctx is None:
                self._ctx = _context()
            ctx = self._ctx
        worker = _Worker(ctx)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if self._closed:
                worker.stop()
            else:
                self._idle.append(worker)

    def _drop(self, worker: _Worker, *, kill: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.stop(kill=kill)


def _stop_all(idle: list[_Worker], busy: set[_Worker]) -> None:
    for worker in [*idle, *busy]:
        with contextlib.suppress(Exception):
            worker.stop(kill=worker in busy)
    idle.clear()
    busy.clear()
