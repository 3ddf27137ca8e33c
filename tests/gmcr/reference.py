"""A slow implementation of the graph-model definitions, straight from the papers.

Everything here works state by state with Python sets and an explicit
breadth-first search over legal sequences (Fang, Hipel & Kilgour 1993, ch. 3), so
that the vectorised engine can be checked against it on small random conflicts.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from detente.gmcr.graph import GraphModel


class Slow:
    def __init__(self, model: GraphModel):
        self.m = model
        self.n = model.n_states
        self.codes = [int(c) for c in model.states]
        self.index = {c: i for i, c in enumerate(self.codes)}
        self.P = model.payoff.tolist()
        self.perc = (
            [[True] * self.n for _ in model.actors]
            if model.perceived is None
            else model.perceived.tolist()
        )
        self.masks = [model.actor_mask(a) for a in range(model.n_actors)]
        self.R = [[self._moves(a, s) for s in range(self.n)] for a in range(model.n_actors)]

    def _moves(self, a: int, s: int) -> set[int]:
        out = set()
        if not self.perc[a][s]:
            return out
        cs = self.codes[s]
        for t, ct in enumerate(self.codes):
            if t == s or not self.perc[a][t]:
                continue
            changed = cs ^ ct
            if changed & ~self.masks[a]:
                continue
            ok = True
            for k in range(self.m.n_options):
                if changed >> k & 1:
                    d = int(self.m.direction[k])
                    if (d == 1 and cs >> k & 1) or (d == -1 and not cs >> k & 1):
                        ok = False
            if ok:
                out.add(t)
        return out

    def Rp(self, a: int, s: int) -> set[int]:
        return {t for t in self.R[a][s] if self.P[a][t] > self.P[a][s]}

    def reach(self, group: list[int], s: int, improving: bool) -> set[int]:
        """R_H(s) / R_H^+(s): states reached by non-empty legal sequences."""
        seen: set[tuple[int, int]] = set()
        queue = deque([(s, -1)])
        while queue:
            x, last = queue.popleft()
            for k in group:
                if k == last:
                    continue
                targets = self.Rp(k, x) if improving else self.R[k][x]
                for y in targets:
                    if (y, k) not in seen:
                        seen.add((y, k))
                        queue.append((y, k))
        return {y for y, _ in seen}

    def stable(self, concept: str, i: int, s: int) -> bool:
        P = self.P[i]
        H = [k for k in range(self.m.n_actors) if k != i]
        ui = self.Rp(i, s)
        if concept == "nash":
            return not ui
        for s1 in ui:
            if concept == "gmr":
                ok = any(P[s2] <= P[s] for s2 in self.reach(H, s1, False))
            elif concept == "smr":
                ok = any(
                    P[s2] <= P[s] and all(P[s3] <= P[s] for s3 in self.R[i][s2])
                    for s2 in self.reach(H, s1, False)
                )
            elif concept == "seq":
                ok = any(P[s2] <= P[s] for s2 in self.reach(H, s1, True))
            elif concept == "sim":
                (j,) = H
                ok = False
                for s2 in self.Rp(j, s):
                    joint = self.codes[s1] ^ self.codes[s2] ^ self.codes[s]
                    if joint in self.index and P[self.index[joint]] <= P[s]:
                        ok = True
            else:
                raise ValueError(concept)
            if not ok:
                return False
        return True

    def table(self, concept: str) -> np.ndarray:
        if concept == "seq_sim":
            return self.table("seq") | self.table("sim")
        return np.array(
            [[self.stable(concept, i, s) for s in range(self.n)] for i in range(self.m.n_actors)]
        )

    # -- limited move, two actors -------------------------------------------------
    def G(self, a: int, s: int, h: int, memo: dict) -> int:
        if h == 0:
            return s
        key = (a, s, h)
        if key in memo:
            return memo[key]
        b = 1 - a
        best = None
        for s1 in sorted(self.R[a][s]):
            g = self.G(b, s1, h - 1, memo)
            if self.P[a][g] > self.P[a][s] and (
                best is None
                or self.P[a][g] > self.P[a][best]
                or (self.P[a][g] == self.P[a][best] and g < best)
            ):
                best = g
        memo[key] = s if best is None else best
        return memo[key]

    def lh_table(self, h: int) -> np.ndarray:
        memo: dict = {}
        return np.array([[self.G(a, s, h, memo) == s for s in range(self.n)] for a in range(2)])

    def coalition_improvements(self, group: list[int], s: int) -> set[int]:
        """R_H^{++}(s): states of R_H(s) every member strictly prefers to s."""
        return {
            t
            for t in self.reach(group, s, False)
            if all(self.P[k][t] > self.P[k][s] for k in group)
        }

    def closure(self, s: int, groups: list[list[int]]) -> set[int]:
        """States reached from s by any steps, each one party's unilateral improvement
        or one group's coalition improvement (s itself only if a cycle returns)."""
        seen: set[int] = set()
        queue = deque([s])
        while queue:
            x = queue.popleft()
            nxt = set().union(*(self.Rp(a, x) for a in range(self.m.n_actors)))
            for g in groups:
                nxt |= self.coalition_improvements(g, x)
            for y in nxt - seen:
                seen.add(y)
                queue.append(y)
        return seen

    def joint_improvement_reach(self, outsiders: list[int], t: int) -> set[int]:
        """States reached from t by non-empty sequences of coalition improvements, each
        by some non-empty group of ``outsiders`` (a group of one: a unilateral
        improvement)."""
        from itertools import combinations

        groups = [list(g) for k in range(1, len(outsiders) + 1) for g in combinations(outsiders, k)]
        seen: set[int] = set()
        queue = deque([t])
        while queue:
            x = queue.popleft()
            for g in groups:
                for y in self.coalition_improvements(g, x) - seen:
                    seen.add(y)
                    queue.append(y)
        return seen

    def coalition_improvable(self, group: list[int], s: int) -> bool:
        return any(
            all(self.P[k][t] > self.P[k][s] for k in group) for t in self.reach(group, s, False)
        )
