"""Parsers for forecasting inputs given as text: plain actor tables and KTAB scenarios.

The parsers take the file's *text* (never a path) and return a
:class:`ForecastInput`. A bad value raises :class:`~detente.errors.CaseError`
with one :class:`~detente.errors.Problem` per bad cell, naming the row (0-based
data row, or actor index in XML), the column and the line of the text.

Formats
-------
Plain CSV (as in the Python EUM replications)::

    actor,capability,position,salience
    Netherlands,0.08,4,0.8

Header names are case-insensitive. Several issues use ``position:<issue>`` and
``salience:<issue>`` column pairs. Saliences are in [0, 1].

KTAB CSV (``SMPModel::csvRead``)::

    <scenario>,<description>,<numActors>,<numDims>,
    Actor,Description,Power,<dim 1>,<dim 1 salience>,...,
    <name>,<description>,<power>,<pos 1>,<sal 1>,...,

positions and saliences on 0-100, each actor's saliences summing to at most 100;
they are divided by 100 on reading. KTAB XML (``smpSchema.xsd``): ``Scenario``
with ``name``, ``desc``, ``prngSeed``, ``ModelParameters``, ``Dimensions/dName``
and ``Actors/Actor/{name, description, capability, Position/dCoord,
Salience/dSal}``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from detente.errors import CaseError, Problem

if TYPE_CHECKING:
    from detente.model.io.xml import XmlElement

__all__ = ["ForecastInput", "parse_actor_csv", "parse_ktab_csv", "parse_ktab_xml"]


@dataclass(frozen=True)
class ForecastInput:
    """Actors, capabilities, positions and saliences read from a file.

    Attributes
    ----------
    actors : tuple of str
    capability : tuple of float
    position : tuple of tuple of float
        One row per actor, one column per issue, on ``scale``.
    salience : tuple of tuple of float
        Same shape, in [0, 1].
    issues : tuple of str
    scale : (float, float)
    name, description : str
    descriptions : tuple of str
        Per-actor descriptions (KTAB formats).
    parameters : dict
        KTAB model parameters as written in the file (XML only).
    seed : int or None
        KTAB's ``prngSeed`` (XML only).
    ideal_adjustment : tuple of (str, str, float)
        KTAB's ``IdealAdjustment`` pairs (XML only): how far the first actor's
        ideal moves toward the second's position each turn.
    """

    actors: tuple[str, ...]
    capability: tuple[float, ...]
    position: tuple[tuple[float, ...], ...]
    salience: tuple[tuple[float, ...], ...]
    issues: tuple[str, ...]
    scale: tuple[float, float] = (0.0, 100.0)
    name: str = ""
    description: str = ""
    descriptions: tuple[str, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    ideal_adjustment: tuple[tuple[str, str, float], ...] = ()

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(capability (n,), position (n, D), salience (n, D))`` as float arrays."""
        return (
            np.array(self.capability, dtype=float),
            np.array(self.position, dtype=float).reshape(len(self.actors), -1),
            np.array(self.salience, dtype=float).reshape(len(self.actors), -1),
        )

    def smp_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`~detente.forecast.spatial_model` from the
        KTAB model parameters (every value of KTAB's VictoryProbModel,
        VotingRule, PCEModel, StateTransitions, BigRRange, BigRAdjust,
        ThirdPartyCommit, InterVecBrgn and BargnModel) and, when it is not the
        identity, the accommodation matrix from the ``IdealAdjustment`` pairs.
        With stochastic transitions, ``prngSeed`` becomes ``seed`` (for our
        generator, so the run is reproducible but not KTAB's). Raises
        :class:`CaseError` for an unknown setting."""
        maps = {
            "VictoryProbModel": (
                "victory",
                {
                    "Linear": "linear",
                    "Square": "square",
                    "Quartic": "quartic",
                    "Octic": "octic",
                    "Binary": "binary",
                },
            ),
            "VotingRule": (
                "voting",
                {
                    "Prop": "proportional",
                    "Binary": "binary",
                    "PropBin": "prop-bin",
                    "PropCbc": "prop-cubic",
                    "Cubic": "cubic",
                    "ASymProsp": "asym-prospect",
                },
            ),
            "BigRRange": ("big_r_range", {"Min": "min", "Mid": "mid", "Max": "max"}),
            "BigRAdjust": (
                "big_r_adjust",
                {
                    "None": "none",
                    "OneThird": "one_third",
                    "Half": "half",
                    "TwoThirds": "two_thirds",
                    "Full": "full",
                },
            ),
            "ThirdPartyCommit": (
                "third_party",
                {"SemiCommit": "semi", "FullCommit": "full", "NoCommit": "none"},
            ),
            "InterVecBrgn": ("bargain", {"S2P2": "s2p2", "S1P1": "s1p1", "S2PMax": "s2pmax"}),
            "PCEModel": (
                "pce",
                {
                    "Conditional": "conditional",
                    "MarkovIncentive": "markov-incentive",
                    "MarkovUniform": "markov-uniform",
                },
            ),
            "StateTransitions": (
                "transitions",
                {"Deterministic": "deterministic", "Stochastic": "stochastic"},
            ),
            "BargnModel": (
                "bargain_model",
                {
                    "InitOnlyInterp": "init-only-interp",
                    "InitRcvrInterp": "init-rcvr-interp",
                    "PWCompInterp": "pw-comp-interp",
                },
            ),
        }
        out: dict[str, Any] = {}
        problems = []
        for key, value in self.parameters.items():
            if key not in maps:
                continue
            arg, table = maps[key]
            if value not in table:
                problems.append(
                    Problem(
                        f"KTAB setting {key}={value} is not implemented",
                        path=("ModelParameters", key),
                        expected=" or ".join(table),
                        got=value,
                    )
                )
            elif arg is not None:
                out[arg] = table[value]
        if out.get("transitions") == "stochastic" and self.seed is not None:
            out["seed"] = self.seed
        if self.ideal_adjustment:
            # KTAB's SMPModel::xmlRead: the identity, then each pair's entry
            n = len(self.actors)
            A = np.eye(n)
            idx = {a: i for i, a in enumerate(self.actors)}
            for a, b, v in self.ideal_adjustment:
                A[idx[a], idx[b]] = v
            if not np.allclose(A, np.eye(n), rtol=0, atol=1e-10):
                out["accommodation"] = A
        if problems:
            raise CaseError(problems)
        return out


def _cell(root: str, row: int, column: str) -> tuple[str | int, ...]:
    """Where a cell's problem is: a table's column (the problem names the file's line), or
    an XML actor's element."""
    return (column,) if root == "row" else (root, row, column)


def _number(
    text: str, *, row: int, column: str, line: int | None, path_root: str = "row"
) -> tuple[float | None, Problem | None]:
    try:
        v = float(text.strip())
    except (ValueError, AttributeError):
        return None, Problem(
            f"{column} must be a number, not {str(text).strip()!r}",
            path=_cell(path_root, row, column),
            line=line,
            expected="a number",
            got=repr(text),
        )
    if not math.isfinite(v):
        return None, Problem(
            f"{column} must be finite",
            path=_cell(path_root, row, column),
            line=line,
            got=repr(text),
        )
    from detente.model.limits import limits

    bound = limits().magnitude
    if abs(v) > bound:
        return None, Problem(
            f"{column} is {v:g}, beyond ±{bound:g}, the largest number a case may hold "
            "(set DETENTE_MAX_MAGNITUDE to change the limit)",
            path=_cell(path_root, row, column),
            line=line,
            got=repr(text)[:40],
        )
    return v, None


def _check_value(v, *, column, row, line, lo, hi, lo_open=False, path_root="row"):
    bad = (v <= lo) if lo_open else (v < lo)
    if bad or v > hi:
        want = (
            f"> {lo:g}"
            if lo_open and hi == math.inf
            else (
                f"a number in [{lo:g}, {hi:g}]" if not lo_open else f"a number in ({lo:g}, {hi:g}]"
            )
        )
        return Problem(
            f"{column} must be {want}",
            path=_cell(path_root, row, column),
            line=line,
            expected=want,
            got=f"{v:g}",
        )
    return None


def _known(values: Sequence[float | None]) -> tuple[float, ...]:
    """Numbers read once every problem was raised: a missing one was a problem."""
    return cast(tuple[float, ...], tuple(values))


def _too_few(n: int, line: int | None) -> Problem:
    return Problem(
        "a forecast needs at least two actors",
        path=("row",),
        line=line,
        expected="at least 2 actor rows",
        got=str(n),
    )


def _rows(text: str, *, header_rows: int = 1) -> list[tuple[int, list[str]]]:
    """CSV records with the line each starts on, skipping blank lines.

    Refuses, as soon as it meets them, more rows than ``header_rows`` plus the actor
    limit (``DETENTE_MAX_ACTORS``), a cell beyond the csv module's field limit and a NUL
    byte, each with its line.
    """
    from detente.model.limits import limits, too_large

    most = limits().actors
    if "\x00" in text:
        at = text.index("\x00")
        raise CaseError(
            Problem("the table holds a NUL byte", path=("row",), line=text.count("\n", 0, at) + 1)
        )
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    out = []
    line = 1
    try:
        for rec in reader:
            if any(cell.strip() for cell in rec):
                out.append((line, rec))
                if len(out) > most + header_rows:
                    # Every row of the file that holds something, less the header
                    # (a final line break ends the last row; it starts none).
                    filled = sum(1 for row in text.splitlines() if row.strip())
                    raise too_large(
                        "the number of actor rows",
                        filled - header_rows,
                        "actors",
                        line=line,
                        path=("row",),
                    )
            line = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = (
                f"a cell is larger than {csv.field_size_limit():,} characters, the most a "
                "table cell may hold"
            )
        raise CaseError(
            Problem(f"not a valid CSV table: {message}", path=("row",), line=line)
        ) from None
    return out


def _name_problem(name: str, *, path: tuple, line: int | None) -> Problem | None:
    """An actor's name that cannot be a name in a case: too long, or with control characters."""
    from detente.model.base import check_control_characters
    from detente.model.limits import limits

    limit = limits().text
    if len(name) > limit:
        return Problem(
            f"the name has {len(name):,} characters, above the limit of {limit:,} "
            "(set DETENTE_MAX_TEXT to change it)",
            path=path,
            line=line,
        )
    try:
        check_control_characters(name)
    except ValueError as exc:
        return Problem(f"the name {exc}", path=path, line=line)
    return None


def parse_actor_csv(text: str, *, scale: tuple[float, float] = (0.0, 100.0)) -> ForecastInput:
    """Read a plain ``actor,capability,position,salience`` table.

    Parameters
    ----------
    text : str
        The CSV text.
    scale : (float, float)
        The issue scale positions must lie on.

    Returns
    -------
    ForecastInput

    Raises
    ------
    CaseError
        Missing columns, non-numeric cells, capability not > 0, salience outside
        [0, 1], positions off the scale, repeated actors, fewer than two actors;
        each problem names the row, the column and the line.

    Examples
    --------
    >>> inp = parse_actor_csv("actor,capability,position,salience\\na,1,0,0.5\\nb,2,100,1\\n")
    >>> inp.actors, inp.position
    (('a', 'b'), ((0.0,), (100.0,)))
    """
    from detente.model.limits import refresh_limits

    refresh_limits()
    rows = _rows(text)
    if not rows:
        raise CaseError(Problem("the table is empty", path=("row",), line=1))
    head_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    problems: list[Problem] = []
    for need in ("actor", "capability"):
        if need not in names:
            problems.append(
                Problem(f"missing column {need!r}", path=("column", need), line=head_line)
            )
    pos_cols = [
        (i, h.split(":", 1)[1].strip() if ":" in h else "issue")
        for i, h in enumerate(names)
        if h == "position" or h.startswith("position:")
    ]
    sal_cols = {
        h.split(":", 1)[1].strip() if ":" in h else "issue": i
        for i, h in enumerate(names)
        if h == "salience" or h.startswith("salience:")
    }
    if not pos_cols:
        problems.append(
            Problem("missing column 'position'", path=("column", "position"), line=head_line)
        )
    from detente.model.limits import limits, too_large

    if len(pos_cols) > limits().issues:
        raise too_large(
            "the number of issues (position columns)",
            len(pos_cols),
            "issues",
            line=head_line,
            path=("column",),
        )
    for _i, issue in pos_cols:
        if issue not in sal_cols:
            col = "salience" if issue == "issue" else f"salience:{issue}"
            problems.append(
                Problem(f"missing column {col!r}", path=("column", col), line=head_line)
            )
    if problems:
        raise CaseError(problems)
    lo, hi = float(scale[0]), float(scale[1])
    i_actor, i_cap = names.index("actor"), names.index("capability")
    actors, caps, P, S = [], [], [], []
    seen: dict[str, int] = {}
    for r, (line, rec) in enumerate(rows[1:]):
        rec = rec + [""] * (len(names) - len(rec))
        name = rec[i_actor].strip()
        bad_name = _name_problem(name, path=("actor",), line=line)
        if not name:
            problems.append(Problem("actor name is empty", path=("actor",), line=line))
        elif bad_name is not None:
            problems.append(bad_name)
        elif name in seen:
            problems.append(
                Problem(
                    f"actor {name!r} is repeated (first on row {seen[name]})",
                    path=("actor",),
                    line=line,
                )
            )
        seen.setdefault(name, r)
        c, p = _number(rec[i_cap], row=r, column="capability", line=line)
        if p is None:
            p = _check_value(
                c, column="capability", row=r, line=line, lo=0.0, hi=math.inf, lo_open=True
            )
        if p:
            problems.append(p)
        prow, srow = [], []
        for i_pos, issue in pos_cols:
            pc = names[i_pos]
            sc = names[sal_cols[issue]]
            x, p = _number(rec[i_pos], row=r, column=pc, line=line)
            p = p or _check_value(x, column=pc, row=r, line=line, lo=lo, hi=hi)
            if p:
                problems.append(p)
            s, p = _number(rec[sal_cols[issue]], row=r, column=sc, line=line)
            p = p or _check_value(s, column=sc, row=r, line=line, lo=0.0, hi=1.0)
            if p:
                problems.append(p)
            prow.append(x)
            srow.append(s)
        actors.append(name)
        caps.append(c)
        P.append(tuple(prow))
        S.append(tuple(srow))
    if len(actors) < 2:
        problems.append(_too_few(len(actors), rows[-1][0]))
    if problems:
        raise CaseError(problems)
    return ForecastInput(
        actors=tuple(actors),
        capability=_known(caps),
        position=tuple(_known(row) for row in P),
        salience=tuple(_known(row) for row in S),
        issues=tuple(issue for _i, issue in pos_cols),
        scale=(lo, hi),
    )


def parse_ktab_csv(text: str) -> ForecastInput:
    """Read a KTAB SMP scenario in CSV form (``SMPModel::csvRead``).

    Positions stay on KTAB's 0-100 scale; saliences are divided by 100.

    Raises
    ------
    CaseError
        A malformed header, a count that disagrees with the rows, non-numeric
        cells, power not > 0, positions or saliences outside 0-100, an actor's
        saliences summing to more than 100, fewer than two actors.

    Examples
    --------
    >>> inp = parse_ktab_csv("s,d,2,1,\\nActor,Description,Power,Tax,Tax sal,\\n"
    ...                      "A,x,10,20,50,\\nB,y,20,80,40,\\n")
    >>> inp.issues, inp.salience
    (('Tax',), ((0.5,), (0.4,)))
    """
    from detente.model.limits import refresh_limits

    refresh_limits()
    rows = [(ln, [c.strip() for c in rec]) for ln, rec in _rows(text, header_rows=2)]
    # KTAB tolerates trailing commas
    rows = [(ln, rec[:-1] if rec and rec[-1] == "" else rec) for ln, rec in rows]
    if len(rows) < 2:
        raise CaseError(
            Problem("a KTAB CSV needs a scenario line and a header line", path=("row",), line=1)
        )
    (l0, first), (l1, header) = rows[0], rows[1]
    problems: list[Problem] = []
    if len(first) < 4:
        raise CaseError(
            Problem(
                "the first line must be name,description,numActors,numDims",
                path=("header",),
                line=l0,
                got=",".join(first),
            )
        )
    try:
        n_act, n_dim = int(first[2]), int(first[3])
    except ValueError:
        raise CaseError(
            Problem(
                "numActors and numDims must be integers",
                path=("header",),
                line=l0,
                got=f"{first[2]!r}, {first[3]!r}",
            )
        ) from None
    if n_dim < 1:
        raise CaseError(
            Problem("numDims must be at least 1", path=("header",), line=l0, got=str(n_dim))
        )
    from detente.model.limits import limits, too_large

    if n_dim > limits().issues:
        raise too_large("numDims", n_dim, "issues", line=l0, path=("header", "numDims"))
    if n_act > limits().actors:
        raise too_large("numActors", n_act, "actors", line=l0, path=("header", "numActors"))
    if len(header) < 3 + 2 * n_dim:
        raise CaseError(
            Problem(
                f"the header needs {3 + 2 * n_dim} columns for {n_dim} dimensions",
                path=("header",),
                line=l1,
                got=str(len(header)),
            )
        )
    dims = tuple(header[3 + 2 * d] for d in range(n_dim))
    data = rows[2:]
    if len(data) != n_act:
        problems.append(
            Problem(
                f"numActors says {n_act} but {len(data)} actor rows follow",
                path=("header", "numActors"),
                line=l0,
                expected=str(n_act),
                got=str(len(data)),
            )
        )
    actors, descs, caps, P, S = [], [], [], [], []
    seen: set[str] = set()
    for r, (line, rec) in enumerate(data):
        rec = rec + [""] * (3 + 2 * n_dim - len(rec))
        name = rec[0]
        bad_name = _name_problem(name, path=("Actor",), line=line)
        if not name:
            problems.append(Problem("actor name is empty", path=("Actor",), line=line))
        elif bad_name is not None:
            problems.append(bad_name)
        elif name in seen:
            problems.append(Problem(f"actor {name!r} is repeated", path=("Actor",), line=line))
        seen.add(name)
        c, p = _number(rec[2], row=r, column=header[2], line=line)
        p = p or _check_value(c, column=header[2], row=r, line=line, lo=0.0, hi=1e8, lo_open=True)
        if p:
            problems.append(p)
        prow: list[float | None] = []
        srow: list[float | None] = []
        for d in range(n_dim):
            pc, sc = header[3 + 2 * d], header[4 + 2 * d]
            x, p = _number(rec[3 + 2 * d], row=r, column=pc, line=line)
            p = p or _check_value(x, column=pc, row=r, line=line, lo=0.0, hi=100.0)
            if p:
                problems.append(p)
            s, p = _number(rec[4 + 2 * d], row=r, column=sc, line=line)
            p = p or _check_value(s, column=sc, row=r, line=line, lo=0.0, hi=100.0)
            if p:
                problems.append(p)
            prow.append(x)
            srow.append(None if s is None else s / 100.0)
        known = [v for v in srow if v is not None]
        if len(known) == len(srow) and sum(known) > 1.0 + 1e-9:
            problems.append(
                Problem(
                    "saliences must sum to at most 100 per actor",
                    path=("salience",),
                    line=line,
                    got=f"{100 * sum(known):g}",
                )
            )
        actors.append(name)
        descs.append(rec[1])
        caps.append(c)
        P.append(tuple(prow))
        S.append(tuple(srow))
    if len(data) < 2:
        problems.append(_too_few(len(data), l1))
    if problems:
        raise CaseError(problems)
    return ForecastInput(
        actors=tuple(actors),
        capability=_known(caps),
        position=tuple(_known(row) for row in P),
        salience=tuple(_known(row) for row in S),
        issues=dims,
        scale=(0.0, 100.0),
        name=first[0],
        description=first[1],
        descriptions=tuple(descs),
    )


def _xml_tree(text: str) -> XmlElement:
    """The document (detente's one XML reader, :mod:`detente.model.io.xml`) under a
    holder element, so that the reader can ask for its ``Scenario``."""
    from detente.model.io.xml import XmlElement, parse_xml

    root = parse_xml(text, path_root=("xml",))
    holder = XmlElement("#root", {}, 1, ())
    holder.children.append(root)
    return holder


def parse_ktab_xml(text: str) -> ForecastInput:
    """Read a KTAB SMP scenario in XML form (``smpSchema.xsd``).

    Positions stay on 0-100, saliences are divided by 100. The optional
    ``IdealAdjustment`` element (``iaPair`` entries with ``adjustingIdeal``,
    ``referencePos`` and ``adjust``) is kept in ``ideal_adjustment``;
    :meth:`ForecastInput.smp_kwargs` turns it into the accommodation matrix
    (the identity with each pair's entry set, as KTAB reads it).

    Raises
    ------
    CaseError
        Missing elements, wrong counts of coordinates, non-numeric or
        out-of-range values, fewer than two actors; problems name the actor
        (``actor[i].capability``, ``actor[i].dCoord[d]``) and the line.
    """
    from detente.model.limits import refresh_limits

    refresh_limits()
    root = _xml_tree(text)
    scen = root.one("Scenario")
    if scen is None:
        raise CaseError(Problem("the root element must be <Scenario>", path=("Scenario",), line=1))
    problems: list[Problem] = []

    def req(node: XmlElement, tag: str, path: tuple) -> XmlElement | None:
        got = node.one(tag)
        if got is None:
            problems.append(Problem(f"missing <{tag}>", path=(*path, tag), line=node.line))
        return got

    dims_el = req(scen, "Dimensions", ())
    actors_el = req(scen, "Actors", ())
    if problems:
        raise CaseError(problems)
    assert dims_el is not None
    assert actors_el is not None
    dims = tuple(d.text.strip() for d in dims_el.all("dName"))
    if not dims:
        raise CaseError(
            Problem("no <dName> in <Dimensions>", path=("Dimensions",), line=dims_el.line)
        )
    params: dict[str, str] = {}
    mp = scen.one("ModelParameters")
    if mp is not None:
        params = {c.tag: c.text.strip() for c in mp.children}
    seed_el = scen.one("prngSeed")
    seed = None
    if seed_el is not None and seed_el.text.strip():
        try:
            seed = int(seed_el.text.strip())
        except ValueError:
            problems.append(
                Problem(
                    "prngSeed must be an integer",
                    path=("prngSeed",),
                    line=seed_el.line,
                    got=repr(seed_el.text.strip()),
                )
            )
    from detente.model.limits import limits, too_large

    actor_els = actors_el.all("Actor")
    if len(actor_els) > limits().actors:
        raise too_large(
            "the number of <Actor> elements",
            len(actor_els),
            "actors",
            line=actors_el.line,
            path=("Actors",),
        )
    if len(dims) > limits().issues:
        raise too_large(
            "the number of <dName> elements",
            len(dims),
            "issues",
            line=dims_el.line,
            path=("Dimensions",),
        )
    actors, descs, caps, P, S = [], [], [], [], []
    seen: set[str] = set()
    for i, a in enumerate(actor_els):
        name_el = req(a, "name", ("actor", i))
        cap_el = req(a, "capability", ("actor", i))
        pos_el = req(a, "Position", ("actor", i))
        sal_el = req(a, "Salience", ("actor", i))
        name = name_el.text.strip() if name_el else ""
        bad_name = _name_problem(
            name, path=("actor", i, "name"), line=name_el.line if name_el else a.line
        )
        if name_el and not name:
            problems.append(
                Problem("actor name is empty", path=("actor", i, "name"), line=name_el.line)
            )
        elif bad_name is not None:
            problems.append(bad_name)
        elif name in seen:
            problems.append(
                Problem(
                    f"actor {name!r} is repeated",
                    path=("actor", i, "name"),
                    line=name_el.line if name_el else a.line,
                )
            )
        c = None
        if cap_el:
            c, p = _number(
                cap_el.text, row=i, column="capability", line=cap_el.line, path_root="actor"
            )
            p = p or _check_value(
                c,
                column="capability",
                row=i,
                line=cap_el.line,
                lo=0.0,
                hi=math.inf,
                lo_open=True,
                path_root="actor",
            )
            if p:
                problems.append(p)
        prow: list[float | None] = []
        srow: list[float | None] = []
        for el, tag, out, div in ((pos_el, "dCoord", prow, 1.0), (sal_el, "dSal", srow, 100.0)):
            if el is None:
                continue
            vals = el.all(tag)
            if len(vals) != len(dims):
                problems.append(
                    Problem(
                        f"<{el.tag}> needs {len(dims)} <{tag}>",
                        path=("actor", i, el.tag),
                        line=el.line,
                        expected=str(len(dims)),
                        got=str(len(vals)),
                    )
                )
                continue
            for d, v in enumerate(vals):
                x, p = _number(v.text, row=i, column=tag, line=v.line, path_root="actor")
                if p:
                    p = Problem(
                        f"{tag} must be a number",
                        path=("actor", i, tag, d),
                        line=v.line,
                        expected="a number",
                        got=repr(v.text.strip()),
                    )
                else:
                    p = _check_value(
                        x, column=tag, row=i, line=v.line, lo=0.0, hi=100.0, path_root="actor"
                    )
                    if p:
                        p = Problem(
                            p.message,
                            path=("actor", i, tag, d),
                            line=v.line,
                            expected=p.expected,
                            got=p.got,
                        )
                if p:
                    problems.append(p)
                out.append(None if x is None else x / div)
        known = [v for v in srow if v is not None]
        if (
            sal_el is not None  # else srow is empty, and dims never is
            and len(srow) == len(dims)
            and len(known) == len(srow)
            and sum(known) > 1 + 1e-9
        ):
            problems.append(
                Problem(
                    "saliences must sum to at most 100 per actor",
                    path=("actor", i, "Salience"),
                    line=sal_el.line,
                    got=f"{100 * sum(known):g}",
                )
            )
        seen.add(name)
        actors.append(name)
        d_el = a.one("description")
        descs.append(d_el.text.strip() if d_el else "")
        caps.append(c)
        P.append(tuple(prow))
        S.append(tuple(srow))
    if len(actors) < 2:
        problems.append(
            Problem(
                "a forecast needs at least two actors",
                path=("Actors",),
                line=actors_el.line,
                expected="at least 2 <Actor>",
                got=str(len(actors)),
            )
        )
    adjust: list[tuple[str, str, float]] = []
    iad = scen.one("IdealAdjustment")
    for k, pair in enumerate(iad.all("iaPair") if iad is not None else []):
        a_el = req(pair, "adjustingIdeal", ("IdealAdjustment", k))
        b_el = req(pair, "referencePos", ("IdealAdjustment", k))
        v_el = req(pair, "adjust", ("IdealAdjustment", k))
        if a_el is None or b_el is None or v_el is None:
            continue
        adjusting, reference = a_el.text.strip(), b_el.text.strip()
        for el, nm, tag in (
            (a_el, adjusting, "adjustingIdeal"),
            (b_el, reference, "referencePos"),
        ):
            if nm not in seen:
                problems.append(
                    Problem(
                        f"unknown actor {nm!r} in IdealAdjustment",
                        path=("IdealAdjustment", k, tag),
                        line=el.line,
                        expected="an actor name",
                        got=repr(nm),
                    )
                )
        # _number gives a number or a problem, never both
        weight, _ = _number(v_el.text, row=k, column="adjust", line=v_el.line)
        if weight is None or not 0.0 <= weight <= 1.0:
            problems.append(
                Problem(
                    "adjust must be a number in [0, 1]",
                    path=("IdealAdjustment", k, "adjust"),
                    line=v_el.line,
                    expected="a number in [0, 1]",
                    got=repr(v_el.text.strip()),
                )
            )
            continue
        adjust.append((adjusting, reference, weight))
    if adjust and not problems:
        rows = {a: {a: 1.0} for a in actors}
        for adjusting, reference, weight in adjust:
            rows[adjusting][reference] = weight
        for actor, row in rows.items():
            if sum(row.values()) > 1 + 1e-10:
                problems.append(
                    Problem(
                        f"the ideal adjustments of {actor!r} sum to more than 1",
                        path=("IdealAdjustment", actor),
                        line=iad.line if iad is not None else None,
                        expected="a row sum <= 1",
                        got=f"{sum(row.values()):.6g}",
                    )
                )
    if problems:
        raise CaseError(problems)
    name_el, desc_el = scen.one("name"), scen.one("desc")
    return ForecastInput(
        actors=tuple(actors),
        capability=_known(caps),
        position=tuple(_known(row) for row in P),
        salience=tuple(_known(row) for row in S),
        issues=dims,
        scale=(0.0, 100.0),
        name=name_el.text.strip() if name_el else "",
        description=desc_el.text.strip() if desc_el else "",
        descriptions=tuple(descs),
        parameters=params,
        seed=seed,
        ideal_adjustment=tuple(adjust),
    )
