"""KTAB's spatial model of politics: one turn against a loop-by-loop reference.

The vectorised turn is checked against :func:`reference_turn`, a deliberately
naive transcription of the algorithm in ``research/forecast/models.md`` §3.3 (with
the corrections found by running KTAB: the risk election runs over every
actor's position) using plain Python loops over actors; small cases are checked
by hand. Whole runs are compared with KTAB's ``smpc`` in test_reference_ktab.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from detente.errors import CaseError
from detente.forecast import spatial_model
from detente.forecast.spatial import _turn, smp_options

pytestmark = pytest.mark.forecast


def reference_turn(X, sig, c, *, alpha=1 / 3):
    """One SMP turn with loops (positions in [0, 1], default KTAB settings)."""
    n, D = len(X), len(X[0])

    def dist(a, y):
        num = sum((sig[a][d] * (X[a][d] - y[d])) ** 2 for d in range(D))
        den = sum(sig[a][d] ** 2 for d in range(D))
        return math.sqrt(num / den) if den > 0 else 0.0

    def util(d, r):
        return (1 - d) * (1 + d * r)

    # step 3: risk attitudes from a risk-neutral PCE over every actor's position
    # (repeated positions included, as KTAB's SMPState::setAllAUtil does)
    def pv(i, j, U, w):
        cij = 1e-8 + sum(max(0.0, w[k] * (U[k][i] - U[k][j])) for k in range(n))
        cji = 1e-8 + sum(max(0.0, w[k] * (U[k][j] - U[k][i])) for k in range(n))
        return cij / (cij + cji)

    U0 = [[1 - dist(a, X[p]) for p in range(n)] for a in range(n)]
    raw = [math.prod(pv(i, j, U0, c) for j in range(n) if j != i) for i in range(n)]
    pa = [r / sum(raw) for r in raw]
    pmax, pmin = max(pa), min(pa)
    R = [
        (3 * p - pmax - 2 * pmin) / (2 * (pmax - pmin)) if pmax - pmin > 1e-12 else 0.0 for p in pa
    ]
    s = [sum(sig[a]) for a in range(n)]
    w = [s[a] * c[a] for a in range(n)]
    # steps 4-5: every i evaluates every j from its own perspective
    targets = {}
    for i in range(n):
        U = [
            [util(dist(a, X[p]), (1 - alpha) * R[i] + alpha * R[a]) for p in range(n)]
            for a in range(n)
        ]
        best, best_j, best_p = -1.0, None, None
        for j in range(n):
            if j == i:
                continue
            cij = 1e-10 + max(0.0, w[i] * (U[i][i] - U[i][j]))
            cji = 1e-10 + max(0.0, -w[j] * (U[j][i] - U[j][j]))
            add_ij = add_ji = 0.0
            for m in range(n):
                if m in (i, j):
                    continue
                v = w[m] * (U[m][i] - U[m][j])
                pin = (cij + max(v, 0)) / (cij + max(v, 0) + cji + max(-v, 0))
                ev1 = pin * (2 * U[m][i] + U[m][m]) + (1 - pin) * 3 * U[m][j]
                ev2 = pin * 3 * U[m][i] + (1 - pin) * (2 * U[m][j] + U[m][m])
                tv = w[m] * (ev1 - ev2)
                add_ij += max(tv, 0.0)
                add_ji += max(-tv, 0.0)
            P = (cij + add_ij) / (cij + add_ij + cji + add_ji)
            gain = (1 - s[j]) * 2 * U[i][i] + s[j] * (P * 2 * U[i][i] + (1 - P) * 2 * U[i][j])
            gain -= U[i][i] + U[i][j]
            if gain > 1e-5 and gain > best:
                best, best_j, best_p = gain, j, P
        if best_j is not None:
            j, P = best_j, best_p
            bi, bj = [], []
            for d in range(D):
                wi = sig[i][d] ** 2 * P**2
                wj = sig[j][d] ** 2 * (1 - P) ** 2
                t = wi + wj + 1e-6
                bi.append(math.floor(0.5 + 1e4 * ((wi + 1e-6) * X[i][d] + wj * X[j][d]) / t) / 1e4)
                bj.append(math.floor(0.5 + 1e4 * (wi * X[i][d] + (wj + 1e-6) * X[j][d]) / t) / 1e4)
            targets[i] = (j, bi, bj)
    # step 7: each k picks from its queue by a capability-weighted PCE

    def value(a, changes):
        pos = [list(X[p]) for p in range(n)]
        for p, y in changes.items():
            pos[p] = y
        return sum(util(dist(a, pos[p]), R[a]) for p in range(n)) / n

    new = []
    for k in range(n):
        queue = [({}, list(X[k]))]
        for i, (j, bi, bj) in targets.items():
            if i == k:
                queue.append(({i: bi, j: bj}, bi))
            elif j == k:
                queue.append(({i: bi, j: bj}, bj))
        V = [[value(a, ch) for ch, _ in queue] for a in range(n)]
        q = len(queue)
        scores = []
        for o in range(q):
            prod = 1.0
            for o2 in range(q):
                if o2 != o:
                    prod *= pv(o, o2, V, c)
            scores.append(prod)
        new.append(queue[int(np.argmax(scores))][1])
    return np.array(new)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dims", [1, 2])
def test_turn_matches_loop_reference(seed, dims):
    rng = np.random.default_rng(100 + seed)
    n = 4 + seed % 3
    X = np.round(rng.uniform(0, 1, (n, dims)), 2)
    if seed % 2:
        X[1] = X[0]  # a shared position
    sig = rng.uniform(0.1, 1.0 / dims, (n, dims))
    c = rng.uniform(0.1, 1.0, n)
    got = _turn(X[None], sig[None], c[None], smp_options())[0]
    want = reference_turn(X.tolist(), sig.tolist(), c.tolist())
    assert np.allclose(got, want, atol=1e-12)


def test_dominant_actor_by_hand():
    """Two actors at 0 and 100, A with almost all capability: B's best move is
    to take A's position (A wins every contest), so the forecast is A's 0."""
    res = spatial_model(["A", "B"], [1000, 1], [0, 100], [1, 1])
    it = res.issues[0]
    assert it.forecast == pytest.approx(0.0, abs=0.01)
    assert it.final["B"] == pytest.approx(0.0, abs=0.01)
    assert it.closest[0] == "A"


def test_symmetric_pair_meets_in_the_middle_or_stays_symmetric():
    res = spatial_model(["A", "B"], [1, 1], [20, 80], [0.5, 0.5])
    it = res.issues[0]
    assert it.forecast == pytest.approx(50.0, abs=0.01)


def test_stopping_rule_and_fixed_rounds():
    rng = np.random.default_rng(4)
    n = 8
    args = (
        [f"a{i}" for i in range(n)],
        rng.uniform(0.1, 1, n),
        rng.uniform(0, 100, n),
        rng.uniform(0.1, 1, n),
    )
    it = spatial_model(*args).issues[0]
    assert it.stopped in {"converged", "cycle"}
    assert it.n_rounds >= 2
    fixed = spatial_model(*args, rounds=3).issues[0]
    assert fixed.stopped == "fixed_rounds"
    assert fixed.n_rounds == 3
    assert fixed.rounds == it.rounds[:4]


def test_multi_issue_and_options():
    rng = np.random.default_rng(5)
    n, D = 6, 3
    args = (
        [f"a{i}" for i in range(n)],
        rng.uniform(0.1, 1, n),
        rng.uniform(0, 100, (n, D)),
        rng.uniform(0.02, 1 / D, (n, D)),
    )
    res = spatial_model(*args, issues=["x", "y", "z"])
    assert [i.issue for i in res.issues] == ["x", "y", "z"]
    for k, it in enumerate(res.issues):
        lo, hi = args[2][:, k].min(), args[2][:, k].max()
        assert lo - 1e-6 <= it.forecast <= hi + 1e-6
        assert len(it.rounds) == len(res.issues[0].rounds)
    json.dumps(res.to_dict())
    for kw in (
        {"victory": "square"},
        {"voting": "binary"},
        {"big_r_range": "max"},
        {"big_r_adjust": "full"},
        {"bargain": "s1p1"},
        {"third_party": "none"},
        {"round_to": None},
        {"voting": "cubic"},
        {"voting": "prop-bin"},
    ):
        out = spatial_model(*args, **kw)
        assert out.parameters[next(iter(kw))] == next(iter(kw.values()))


def test_salience_sums_over_one_are_refused():
    with pytest.raises(CaseError) as err:
        spatial_model(["a", "b"], [1, 1], [[0, 0], [100, 100]], [[0.8, 0.8], [0.2, 0.2]])
    assert err.value.problems[0].path == ("salience", 0)
    with pytest.raises(ValueError, match="victory"):
        spatial_model(["a", "b"], [1, 1], [0, 100], [1, 1], victory="sextic")
