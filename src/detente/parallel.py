"""A small Monte Carlo executor: local processes by default, a Dask cluster on request.

Each sample is a pure function of ``(seed, index)``: :func:`sample_rng` builds its
generator from ``numpy.random.SeedSequence(seed, spawn_key=(index,))``, the same
stream that ``SeedSequence(seed).spawn(...)`` gives the ``index``-th child. So the
result never depends on how the samples are split into chunks, on the number of
workers, or on where they run: the same seed gives the same answer serially, on
local cores and on a Dask cluster.

Used by :mod:`detente.forecast` and usable by any engine that samples.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, cast

import numpy as np

__all__ = ["START_SECONDS", "map_samples", "normalize_seed", "sample_rng"]

START_SECONDS = 1.0
"""About what starting local worker processes costs, in seconds (fresh interpreters
that import numpy and the engine): :func:`map_samples` keeps work that would gain
less than this from the workers in the calling process."""


def normalize_seed(seed: int | np.random.Generator | None) -> int:
    """Turn ``seed`` (an int, a numpy Generator or None) into a non-negative int.

    ``None`` draws fresh entropy, so record the returned value to repeat a run.

    Examples
    --------
    >>> normalize_seed(7)
    7
    """
    if seed is None:
        # fresh entropy is always one int; numpy types it for every form it accepts
        return int(cast(int, np.random.SeedSequence().entropy) % (1 << 63))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 1 << 63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int or a numpy Generator, got {seed!r}")
    return int(seed)


def sample_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of sample ``index`` under ``seed`` (a pure function of both).

    Examples
    --------
    >>> float(sample_rng(1, 5).random()) == float(sample_rng(1, 5).random())
    True
    """
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(index),)))


def _concat(parts: Sequence[Any]) -> Any:
    if parts and all(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate(parts, axis=0)
    out: list[Any] = []
    for p in parts:
        out.extend(p)
    return out


def map_samples(
    fn: Callable[..., Any],
    n: int,
    *,
    seed: int,
    args: tuple = (),
    workers: int | None = None,
    dask_address: Any = None,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Evaluate ``n`` samples in chunks and return their results in sample order.

    Parameters
    ----------
    fn : callable
        ``fn(indices, seed, *args)`` gets an int array of sample indices and
        returns one result per index: an ndarray with a leading axis of that
        length, or a list. It must build each sample from
        ``sample_rng(seed, index)`` so that samples are independent of the
        chunking. For processes and Dask it must be picklable (a module-level
        function, perhaps wrapped in :func:`functools.partial`).
    n : int
        Number of samples.
    seed : int
        Seed shared by all samples.
    args : tuple
        Extra arguments passed to every call (pickled once per chunk).
    workers : int, optional
        Local worker processes; default ``os.cpu_count()``. ``1`` runs in this
        process. With more, the first chunk runs in this process and times the
        work: the rest goes to worker processes only when they would save more
        than starting them costs (:data:`START_SECONDS`), else it runs here too.
        Ignored when ``dask_address`` is given.
    dask_address : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or an existing client;
        the chunks then run on that cluster.
    chunk : int, optional
        Samples per call; default splits the work into about four chunks per
        worker.
    progress : callable, optional
        Called as ``progress(done, n)`` each time a chunk is finished (local runs).

    Returns
    -------
    ndarray or list
        The per-sample results, concatenated in sample order.

    Examples
    --------
    >>> import numpy as np
    >>> def draw(idx, seed):
    ...     return np.array([sample_rng(seed, i).random() for i in idx])
    >>> a = map_samples(draw, 5, seed=3, workers=1, chunk=2)
    >>> b = map_samples(draw, 5, seed=3, workers=1, chunk=5)
    >>> bool(np.array_equal(a, b))
    True
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    seed = normalize_seed(seed)
    if dask_address is None:
        workers = workers or os.cpu_count() or 1
        slots = workers
    else:
        slots = 8
    from detente.model.limits import limits, too_large

    if n > limits().samples:
        raise too_large("the number of samples", n, "samples", path=("samples",))
    chunk = chunk or max(1, math.ceil(n / (4 * slots)))
    blocks = [np.arange(a, min(n, a + chunk)) for a in range(0, n, chunk)]
    if not blocks:
        return _concat([fn(np.arange(0), seed, *args)])
    if dask_address is not None:
        return _concat(_run_dask(fn, blocks, seed, args, dask_address))
    assert workers is not None  # set above whenever dask_address is None
    parts: list[Any] = []

    def here(todo: list[np.ndarray]) -> Any:
        for b in todo:
            parts.append(fn(b, seed, *args))
            if progress is not None:
                progress(int(b[-1]) + 1, n)
        return _concat(parts)

    if workers == 1 or len(blocks) == 1:
        return here(blocks)
    # The first chunk runs here and times the work: when what is left would gain less
    # from the workers than starting them costs, it runs here too (same results).
    start = time.perf_counter()
    here(blocks[:1])
    left = (time.perf_counter() - start) * (n - len(blocks[0])) / len(blocks[0])
    pool_size = min(workers, len(blocks) - 1)
    if left * (1.0 - 1.0 / pool_size) <= START_SECONDS:
        return here(blocks[1:])
    method = "forkserver" if "forkserver" in _methods() else None
    pool = ProcessPoolExecutor(
        max_workers=pool_size, mp_context=get_context(method), initializer=_leave_ctrl_c
    )
    try:
        with _ctrl_c_held():  # a worker half started when Ctrl-C comes could not be ended
            futures = [pool.submit(fn, b, seed, *args) for b in blocks[1:]]
        if progress is not None:
            done = len(blocks[0])
            for f in as_completed(futures):
                done += len(blocks[1 + futures.index(f)])
                progress(done, n)
        result = _concat(parts + [f.result() for f in futures])
    except BaseException:  # Ctrl-C or an error: stop the workers now, not after their chunks
        _stop(pool)
        raise
    pool.shutdown()
    return result


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back while the workers start (a worker half started could not be
    ended), and raise it right after."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def _leave_ctrl_c() -> None:
    """In a worker: ignore Ctrl-C, which the parent handles by stopping the workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the worker processes at once (not after their chunks) and wait for them, so
    that none is left half started when this process exits."""
    # the executor has no public way to end running work before Python 3.14
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=True, cancel_futures=True)


def _methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _run_dask(fn, blocks, seed, args, address) -> list[Any]:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "running on a Dask cluster needs dask.distributed: pip install 'detente[dask]'"
        ) from exc
    own = not isinstance(address, Client)
    client = Client(address) if own else address
    try:
        futures = [client.submit(fn, b, seed, *args, pure=False) for b in blocks]
        return client.gather(futures)
    finally:
        if own:
            client.close()
