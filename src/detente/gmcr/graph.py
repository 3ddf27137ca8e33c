"""The graph model in array form: the input every engine function takes.

:class:`GraphModel` is the frozen, array-level view of a conflict in option form
(Fang, Hipel & Kilgour 1993, ch. 2-3): actors (decision makers), binary options
each controlled by one actor, the sorted codes of the feasible states, one payoff
row per actor, the direction in which each option may be changed, and optional
misperceptions. The case-to-graph adapter builds it; tests build it with
:meth:`GraphModel.from_options`.

State numbers printed by this engine are 1-based positions in ``states`` (the
feasible states in increasing code order), as graph-model papers number them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detente.errors import CaseError, CaseTooLargeError, InfeasibleError, Problem
from detente.gmcr.preferences import payoff_from_ranking, payoff_from_statements
from detente.gmcr.states import (
    DEFAULT_MAX_BYTES,
    _format_bytes,
    codes_to_bits,
    feasible_states,
    pattern,
)
from detente.model.expressions import Expr, evaluate, parse

__all__ = ["GraphModel", "check_size", "estimate_bytes"]


@dataclass(frozen=True, eq=False)
class GraphModel:
    """A conflict as arrays.

    Attributes
    ----------
    actors : tuple of str
        Actor ids, in case order.
    options : tuple of str
        Option ids, in case order; bit ``k`` of a state code is option ``k`` taken.
    controller : numpy.ndarray
        ``int``, shape ``(n_options,)``: index of the actor controlling each option.
    states : numpy.ndarray
        ``int64``, sorted codes of the feasible states.
    payoff : numpy.ndarray
        ``int64``, shape ``(n_actors, n_states)``: higher is more preferred.
    direction : numpy.ndarray
        ``int8`` per option: 0 both ways, 1 only N->Y (irreversible once taken),
        -1 only Y->N.
    perceived : numpy.ndarray or None
        ``bool``, shape ``(n_actors, n_states)``: the states each actor perceives;
        None means every actor perceives every state.
    status_quo : int or None
        Index (0-based) into ``states``.
    """

    actors: tuple[str, ...]
    options: tuple[str, ...]
    controller: np.ndarray
    states: np.ndarray
    payoff: np.ndarray
    direction: np.ndarray
    perceived: np.ndarray | None = None
    status_quo: int | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "actors", tuple(self.actors))
        set_(self, "options", tuple(self.options))
        controller = np.asarray(self.controller, dtype=np.int64)
        states = np.asarray(self.states, dtype=np.int64)
        payoff = np.asarray(self.payoff, dtype=np.int64)
        direction = np.asarray(self.direction, dtype=np.int8)
        n_actors, n_options, n_states = len(self.actors), len(self.options), states.shape[0]
        problems = []
        if len(set(self.actors)) != n_actors:
            problems.append(Problem("actor ids must be unique", path=("actors",)))
        if len(set(self.options)) != n_options:
            problems.append(Problem("option ids must be unique", path=("options",)))
        if controller.shape != (n_options,) or (
            n_options and (controller.min() < 0 or controller.max() >= n_actors)
        ):
            problems.append(Problem("each option needs the index of an actor", path=("options",)))
        if direction.shape != (n_options,) or not np.isin(direction, (-1, 0, 1)).all():
            problems.append(Problem("direction must be -1, 0 or 1 per option", path=("options",)))
        if states.ndim != 1 or (n_states > 1 and not (np.diff(states) > 0).all()):
            problems.append(Problem("states must be sorted, distinct codes", path=("states",)))
        elif n_states and (states[0] < 0 or int(states[-1]) >= 2**n_options):
            problems.append(Problem("a state code is out of range", path=("states",)))
        if n_states == 0:
            raise InfeasibleError(Problem("no feasible state", path=("constraints",)))
        if payoff.shape != (n_actors, n_states):
            problems.append(
                Problem(
                    "payoff needs one row per actor and one column per state",
                    path=("preferences",),
                    expected=str((n_actors, n_states)),
                    got=str(payoff.shape),
                )
            )
        perceived = self.perceived
        if perceived is not None:
            perceived = np.asarray(perceived, dtype=bool)
            if perceived.shape != (n_actors, n_states):
                problems.append(
                    Problem("perceived must be (n_actors, n_states)", path=("misperceptions",))
                )
            elif perceived.all():
                perceived = None
        if self.status_quo is not None and not 0 <= int(self.status_quo) < n_states:
            problems.append(
                Problem("status quo is not a feasible state index", path=("status_quo",))
            )
        if problems:
            raise CaseError(problems)
        for name, arr in (
            ("controller", controller),
            ("states", states),
            ("payoff", payoff),
            ("direction", direction),
            ("perceived", perceived),
        ):
            if arr is not None:
                arr.setflags(write=False)
            set_(self, name, arr)
        if self.status_quo is not None:
            set_(self, "status_quo", int(self.status_quo))

    # -- sizes and helpers -------------------------------------------------------
    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_options(self) -> int:
        return len(self.options)

    @property
    def n_states(self) -> int:
        return int(self.states.shape[0])

    def actor_mask(self, actor: int) -> int:
        """Bit mask of the options ``actor`` controls."""
        mask = 0
        for k in np.flatnonzero(self.controller == actor):
            mask |= 1 << int(k)
        return mask

    def actor_index(self, actor: int | str) -> int:
        """Index of an actor given by index or id."""
        if isinstance(actor, str):
            try:
                return self.actors.index(actor)
            except ValueError:
                raise KeyError(f"unknown actor {actor!r}; actors are {list(self.actors)}") from None
        actor = int(actor)
        if not 0 <= actor < self.n_actors:
            raise KeyError(f"actor index {actor} out of range")
        return actor

    def index_of(self, code: int) -> int:
        """0-based index of the state with this code (KeyError if infeasible)."""
        i = int(np.searchsorted(self.states, code))
        if i >= self.n_states or self.states[i] != code:
            raise KeyError(f"state code {code} is not feasible")
        return i

    def pattern(self, index: int) -> str:
        """Y/N per option of the state at ``index``."""
        return pattern(int(self.states[index]), self.n_options)

    def option_values(self, index: int) -> dict[str, bool]:
        code = int(self.states[index])
        return {opt: bool((code >> k) & 1) for k, opt in enumerate(self.options)}

    # -- constructor -------------------------------------------------------------
    @classmethod
    def from_options(
        cls,
        *,
        actors: Sequence[str],
        options: Mapping[str, str] | Sequence[tuple[str, str]],
        preferences: Mapping[str, Sequence[Expr | str]] | None = None,
        rankings: Mapping[str, Sequence[int | Sequence[int]]] | None = None,
        infeasible: Sequence[Expr | str] = (),
        direction: Mapping[str, int] | None = None,
        misperceived: Mapping[str, Sequence[Expr | str]] | None = None,
        status_quo: Mapping[str, bool] | int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        both_moves: bool = False,
    ) -> GraphModel:
        """Build a model from option form.

        Parameters
        ----------
        actors : sequence of str
            Actor ids.
        options : mapping or sequence of pairs
            ``option id -> controlling actor id``, in option (bit) order.
        preferences : mapping, optional
            ``actor id -> statements`` (most important first), see
            :func:`~detente.gmcr.preferences.payoff_from_statements`.
        rankings : mapping, optional
            ``actor id -> ranking`` of state codes, see
            :func:`~detente.gmcr.preferences.payoff_from_ranking`. Overrides
            ``preferences`` for that actor.
        infeasible : sequence
            Expressions that make a state infeasible.
        direction : mapping, optional
            ``option id -> 1`` (only N->Y) or ``-1`` (only Y->N); default 0.
        misperceived : mapping, optional
            ``actor id -> expressions``: states where any holds are not perceived.
        status_quo : mapping or int, optional
            Option values (``id -> bool``, missing = N) or a state code.
        max_bytes : int
            Memory limit for enumerating states.
        both_moves : bool
            The analysis will list both actors' moves (SIM, SEQ+SIM, Lh, NM; two actors
            only): refuse, as soon as the states are known, a model whose moves could
            not fit in ``max_bytes`` (before the payoffs are computed).
        """
        pairs = list(options.items()) if isinstance(options, Mapping) else list(options)
        option_ids = tuple(o for o, _ in pairs)
        actor_ids = tuple(actors)
        unknown = [a for _, a in pairs if a not in actor_ids]
        if unknown:
            raise CaseError(
                Problem(f"options controlled by unknown actors {unknown}", path=("options",))
            )
        controller = np.array([actor_ids.index(a) for _, a in pairs], dtype=np.int64)
        states = feasible_states(
            len(option_ids), infeasible, options=option_ids, max_bytes=max_bytes
        )
        if states.size == 0:
            raise InfeasibleError(
                Problem("the constraints leave no feasible state", path=("constraints",))
            )
        _refuse_early(
            states, controller, len(actor_ids), both_moves=both_moves, max_bytes=max_bytes
        )
        preferences = dict(preferences or {})
        rankings = dict(rankings or {})
        payoff = np.empty((len(actor_ids), states.size), dtype=np.int64)
        for a, actor in enumerate(actor_ids):
            if actor in rankings:
                payoff[a] = payoff_from_ranking(rankings[actor], states=states)
            else:
                payoff[a] = payoff_from_statements(
                    preferences.get(actor, ()), states=states, options=option_ids
                )
        dirs = np.zeros(len(option_ids), dtype=np.int8)
        for opt, d in (direction or {}).items():
            dirs[option_ids.index(opt)] = d
        perceived = None
        if misperceived:
            bits = codes_to_bits(states, option_ids)
            perceived = np.ones((len(actor_ids), states.size), dtype=bool)
            for actor, exprs in misperceived.items():
                a = actor_ids.index(actor)
                for e in exprs:
                    expr = parse(e) if isinstance(e, str) else e
                    perceived[a] &= ~np.broadcast_to(
                        np.asarray(evaluate(expr, bits), dtype=bool), states.shape
                    )
        sq = None
        if status_quo is not None:
            if isinstance(status_quo, Mapping):
                code = sum(1 << option_ids.index(o) for o, v in status_quo.items() if v)
            else:
                code = int(status_quo)
            i = int(np.searchsorted(states, code))
            if i >= states.size or states[i] != code:
                raise InfeasibleError(Problem("the status quo is infeasible", path=("status_quo",)))
            sq = i
        return cls(
            actors=actor_ids,
            options=option_ids,
            controller=controller,
            states=states,
            payoff=payoff,
            direction=dirs,
            perceived=perceived,
            status_quo=sq,
        )


def _refuse_early(
    states: np.ndarray, controller: np.ndarray, n_actors: int, *, both_moves: bool, max_bytes: int
) -> None:
    """Refuse, before payoffs and move graphs are built, what :func:`check_size` would
    refuse later: the per-state arrays alone, and with ``both_moves`` (two actors) a lower
    bound of the move edges. An actor's moves join states that agree on the other
    actors' options: with ``G`` such groups (at most ``2^k``, ``k`` the options others
    control) of ``n`` states, the groups' ``sum s (s - 1)`` edges are at least
    ``n^2 / G - n``."""
    n = int(states.size)
    per_state = 8 * (n_actors + 6 * n_actors + 4 * max(n_actors - 1, 1) + 12)
    need = n * per_state
    if both_moves and n_actors == 2:
        edges = 0
        for a in range(2):
            others = int((controller != a).sum())
            groups = min(n, 2**others)
            edges += max(0, n * n // groups - n)
        need += 12 * 2 * edges
    if need > max_bytes:
        raise CaseTooLargeError(
            Problem(
                f"the analysis of {n:,} states and {n_actors} actors needs about "
                f"{_format_bytes(need)} or more, more than the limit of {_format_bytes(max_bytes)} "
                "(DETENTE_MAX_MEMORY sets it)",
                path=("options",),
                expected=f"at most {_format_bytes(max_bytes)}",
                got=_format_bytes(need),
            )
        )


def estimate_bytes(model: GraphModel, *, n_edges: int | None = None) -> int:
    """Rough peak memory of a stability analysis of ``model``, in bytes.

    Counts the per-state working arrays (payoffs, move-graph indices, the
    fixed-point values for each opponent) and, when known, the explicit move
    edges (about 12 bytes each: int32 targets of moves and of improvements, plus slack).
    """
    n, a = model.n_states, model.n_actors
    per_state = 8 * (a + 6 * a + 4 * max(a - 1, 1) + 12)
    total = n * per_state
    if n_edges:
        total += 12 * n_edges
    return int(total)


def check_size(
    model: GraphModel, *, max_bytes: int = DEFAULT_MAX_BYTES, n_edges: int | None = None
) -> None:
    """Raise :class:`~detente.errors.CaseTooLargeError` if the analysis would not fit.

    Called before any large allocation.
    """
    need = estimate_bytes(model, n_edges=n_edges)
    if need > max_bytes:
        raise CaseTooLargeError(
            Problem(
                f"the analysis of {model.n_states:,} states and {model.n_actors} actors needs "
                f"about {_format_bytes(need)}, more than the limit of {_format_bytes(max_bytes)} "
                "(DETENTE_MAX_MEMORY sets it)",
                path=("options",),
                expected=f"at most {_format_bytes(max_bytes)}",
                got=_format_bytes(need),
            )
        )
