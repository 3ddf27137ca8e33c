"""Baseline forecasts: the compromise model (weighted mean) and the weighted median.

Both come from Thomson et al. (2006), *The European Union Decides*, where the
compromise model (mean of positions weighted by capability × salience) is a
strong simple predictor of EU legislative outcomes, and the weighted
median is the position of the median voter when votes are weighted.

The array functions work along the last axis, so a batch ``(B, n)`` of cases is
handled in one call (the Monte Carlo module uses this).
"""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_mean", "weighted_median"]


def weighted_mean(position, weight) -> np.ndarray | float:
    r"""Compromise model: :math:`\sum_i w_i x_i / \sum_i w_i` along the last axis.

    Parameters
    ----------
    position : array_like, shape (..., n)
        Positions on the issue scale.
    weight : array_like, shape (..., n)
        Non-negative weights, normally capability × salience. Where every
        weight is zero, the plain mean is returned.

    Returns
    -------
    float or ndarray
        The weighted mean (a float for 1-D input).

    References
    ----------
    Thomson, R., Stokman, F. N., Achen, C. H. and König, T. (eds.) (2006).
    *The European Union Decides*. Cambridge University Press (the compromise model).

    Examples
    --------
    >>> weighted_mean([0, 100], [1, 3])
    75.0
    """
    x = np.asarray(position, dtype=float)
    w = np.broadcast_to(np.asarray(weight, dtype=float), x.shape)
    tot = w.sum(axis=-1)
    safe = np.where(tot > 0, tot, 1.0)
    out = np.where(tot > 0, (w * x).sum(axis=-1) / safe, x.mean(axis=-1))
    return float(out) if out.ndim == 0 else out


def weighted_median(position, weight) -> np.ndarray | float:
    """Weighted median: the smallest position whose cumulative weight reaches half.

    Parameters
    ----------
    position : array_like, shape (..., n)
    weight : array_like, shape (..., n)
        Non-negative weights (capability × salience); all-zero weights count
        every actor equally.

    Returns
    -------
    float or ndarray

    References
    ----------
    Thomson et al. (2006), *The European Union Decides* (the median voter
    model with weighted votes).

    Examples
    --------
    >>> weighted_median([0, 40, 100], [1, 1, 1])
    40.0
    >>> weighted_median([0, 40, 100], [1, 0.5, 0.5])
    0.0
    """
    x = np.asarray(position, dtype=float)
    w = np.broadcast_to(np.asarray(weight, dtype=float), x.shape)
    tot = w.sum(axis=-1, keepdims=True)
    w = np.where(tot > 0, w, 1.0)
    tot = w.sum(axis=-1, keepdims=True)
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    # relative slack so that exactly half (in exact arithmetic) counts as reached
    reached = cum >= 0.5 * tot * (1.0 - 1e-12)
    idx = np.argmax(reached, axis=-1)
    out = np.take_along_axis(xs, idx[..., None], axis=-1)[..., 0]
    return float(out) if out.ndim == 0 else out
