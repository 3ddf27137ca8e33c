"""Up-front estimates of the forecasting models' time and memory, from the input's size.

Each model's work is a sum of a few terms in the number of actors ``n``, issues ``D``,
rounds and batch rows (Monte Carlo samples times issues), with constants measured on a
two-core machine (``benchmarks/forecast_scale.py``). A single run counts the most
rounds it may play (``rounds`` when given, else ``max_rounds``); one of many runs
(Monte Carlo samples, which a batch drops one by one as they stop, or a backtest's
issues) counts the average: 30 rounds of the EUM and 20 turns of the spatial model
(at most ``max_rounds``). A run is refused
before it starts when its estimate exceeds ``DETENTE_MAX_SECONDS`` or
``DETENTE_MAX_MEMORY`` (:mod:`detente.model.limits`), with the number of actors that
would fit.

- The expected utility model's ``"paper"`` variant plays one large case in about
  ``8e-8 n^2`` seconds a round (sorted prefix sums and tiles of the pair matrix), and
  small cases in batches in about ``1e-8 n^3`` a round per row; ``"scholz-code"``
  sums votes over all pairs, ``n^3``, with ``(n, n)`` arrays.
- The spatial model's turn is ``n^3`` (every actor weighs challenging every other,
  with every third party): about ``1.2e-7 n^3`` seconds per turn and row, more with
  the Markov elections. Its temporaries are bounded by its ``chunk`` (about 2 million
  floats each) and ``(n, 2n)`` arrays.
- Results keep every round's positions (about 150 bytes per actor, issue and round).
"""

from __future__ import annotations

from collections.abc import Callable

from detente.model.limits import Estimate, check_estimate, largest_fitting, limits

__all__ = ["check_forecast_cost", "eum_estimate", "smp_estimate"]

#: seconds per actor pair and round, one large case (the sorted path of the EUM)
_EUM_PAIR = 8e-8
#: seconds per actor cubed and round, per batch row (the direct EUM, scholz-code)
_EUM_CUBE = 1.2e-8
#: seconds per round of a call (numpy's overhead on a round's operations)
_CALL = 4e-4
#: seconds per batch row and round (overheads of small arrays)
_ROW = 1e-5
#: seconds per actor cubed and turn of the spatial model, per batch row
_SMP_CUBE = 1.2e-7
#: seconds per actor squared, issue and turn of the spatial model (distances)
_SMP_PLANE = 5e-8
#: the spatial model's elections: time relative to the conditional PCE
_SMP_PCE = {"conditional": 1.0, "markov-uniform": 2.5, "markov-incentive": 4.0}
#: bytes a result keeps per actor, issue and round (a dict entry and a float)
_RESULT = 150
#: bytes of the process before the work (Python, numpy, detente)
_BASE = 150 * 2**20
#: floats per temporary of the chunked loops (the engines' default ``chunk``)
_CHUNK = 1 << 21
#: the EUM's largest batch of direct cases (``_DIRECT_MAX_N`` in :mod:`eum`)
_DIRECT_MAX_N = 48


#: rounds a Monte Carlo sample plays on average under the stopping rule, per model (the
#: built-in case's issues stop after 4 to 58 rounds of the EUM, 5 to 34 turns of the
#: spatial model); a batch drops each sample as it stops
_MC_ROUNDS = {"eum": 30, "smp": 20}


def _rounds(rounds: int | None, max_rounds: int, many: bool, model: str = "eum") -> int:
    """Rounds to count: exactly ``rounds``; else, for one run, the most it may play, and
    for one of many runs (Monte Carlo samples, the issues of a backtest) the average a
    run plays (at most ``max_rounds``)."""
    if rounds is not None:
        return max(1, rounds)
    return max(1, min(max_rounds, _MC_ROUNDS[model]) if many else max_rounds)


def eum_estimate(
    n: int,
    issues: int = 1,
    *,
    variant: str = "paper",
    rounds: int | None = None,
    max_rounds: int = 100,
    samples: int = 0,
    chunk: int | None = None,
    many: bool = False,
) -> Estimate:
    """Time and peak memory of the expected utility model on ``issues`` issues of ``n``
    actors (``samples`` Monte Carlo samples of each, or a single run when 0); ``many``:
    the run is one of many (a backtest's issues), which count their average rounds."""
    r = _rounds(rounds, max_rounds, many or samples > 0)
    chunk = chunk or _CHUNK
    rows = max(1, samples) * issues
    keep = 0 if samples else (r + 1) * n * issues * _RESULT
    if variant == "scholz-code":
        seconds = r * (rows * (_EUM_CUBE * n**3 + _ROW) + _CALL)
        work = 20 * 8 * min(rows, max(1, chunk // max(1, n * n))) * n * n
    elif samples == 0 and n > _DIRECT_MAX_N:
        # the sorted path, issue by issue
        seconds = issues * r * (_EUM_PAIR * n * n + _CALL)
        probs = 8 * n * n if n * n <= 4 * chunk else 0
        work = probs + 40 * 8 * (1 << 15)
    else:
        seconds = r * (rows * (_EUM_CUBE * n**3 + _ROW) + _CALL)
        work = 10 * 8 * min(chunk, rows * n**3) + 8 * 8 * min(rows * n * n, 4 * chunk)
    history = 8 * rows * n * min(r + 1, 2 * r)
    return Estimate(seconds, _BASE + work + history + keep)


def smp_estimate(
    n: int,
    dims: int = 1,
    *,
    rounds: int | None = None,
    max_rounds: int = 100,
    pce: str = "conditional",
    bargain_model: str = "init-only-interp",
    samples: int = 0,
    runs: int = 1,
    chunk: int | None = None,
    many: bool = False,
) -> Estimate:
    """Time and peak memory of the spatial model: ``runs`` runs (issues forecast one
    by one) of ``n`` actors bargaining over ``dims`` issues jointly, each over
    ``samples`` Monte Carlo samples (a single run when 0); ``many`` as for
    :func:`eum_estimate`."""
    r = _rounds(rounds, max_rounds, many or samples > 0, "smp")
    chunk = chunk or _CHUNK
    batch = max(1, samples)
    # the bargains' queues: n options, or 2n when both sides' bargains enter them
    options = (2 if bargain_model == "init-rcvr-interp" else 1) * n + 1
    per_row = _SMP_CUBE * _SMP_PCE.get(pce, 4.0) * n**3 + _SMP_PLANE * n * n * dims
    seconds = runs * r * (batch * (per_row + _ROW) + _CALL)
    temporaries = 12 * 8 * min(chunk, batch * n * n * options)
    arrays = 24 * 8 * batch * n * options
    history = 8 * batch * n * dims * (r + 1)
    keep = 0 if samples else runs * (r + 1) * n * dims * _RESULT
    return Estimate(seconds, _BASE + temporaries + arrays + history + keep)


def check_forecast_cost(
    what: str,
    estimate_of: Callable[[int], Estimate],
    n: int,
    *,
    hint: str = "",
) -> None:
    """Refuse ``what`` (on ``n`` actors) when ``estimate_of(n)`` exceeds the limits,
    naming the number of actors that would fit (or saying that none would)."""
    estimate = estimate_of(n)
    if estimate.within(limits()):
        return
    fit = largest_fitting(estimate_of, n, least=2)
    if fit is None:
        fits = "not even 2 actors would fit"
    else:
        fits = f"at most {fit:,} actors would fit (merge the smaller ones into blocs)"
    check_estimate(what, estimate, fits=fits + (f", {hint}" if hint else ""), path=("actors",))
