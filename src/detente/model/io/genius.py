"""Read GENIUS negotiation scenarios (ANAC domains and utility profiles).

GENIUS (Lin et al. 2014), the environment of the Automated Negotiating Agents
Competition (ANAC), stores a scenario as one *domain* file and one *profile* per
party::

    <negotiation_template>                      domain file
      <utility_space>
        <objective name="...">
          <issue index="1" name="Brand" type="discrete">
            <item index="1" value="Dell"/> ...
          </issue>
          <issue index="2" name="Price" type="integer">
            <range lowerbound="0" upperbound="10"/>
          </issue>

    <utility_space>                              profile file
      <objective>
        <issue index="1" name="Brand" type="discrete">
          <item value="Dell" evaluation="12"/> ...
        </issue>
        <issue index="2" name="Price" type="integer">
          <range lowerbound="0" upperbound="10"/>
          <evaluator ftype="linear" slope="0.1" offset="0"/>
        </issue>
        <weight index="1" value="0.6"/> <weight index="2" value="0.4"/>
      </objective>
      <reservation value="0.3"/>
      <discount_factor value="0.9"/>
    </utility_space>

Scaling follows GENIUS itself (``EvaluatorDiscrete``): a discrete issue's
evaluation of a value is its ``evaluation`` attribute divided by the **largest**
evaluation of that issue, so the best value scores 1 and the others keep their
ratio to it (a value with half the points of the best scores 0.5; the worst value
does not drop to 0). Linear evaluators (``offset + slope * x``) are used as given.
The utility of a bid is the weighted sum of its issues' evaluations, with the
weights as written (a profile whose weights do not sum to 1 within
:data:`WEIGHT_SUM_TOL` is read with a warning). Reservation
values and discount factors are read as given. Each party is named after its profile
file (the file name without directory and extension).

As a case (:func:`genius_case_data`; :func:`detente.model.io.read` on a folder)
----------------------------------------------------------------------------------
Each party becomes an actor named after its profile file (its id made a valid
identifier), with its reservation value (0 where the profile gives none, as in
GENIUS) and its discount factor (0, which GENIUS reads as "no discounting", becomes
1). Each issue becomes an issue of the case: a discrete issue's values become the
levels 0, 1, ..., k-1, named after the values (``level_names``); an integer issue
keeps its integers (:data:`GRID_POINTS` evenly spaced ones when there are more); a
real issue gets :data:`GRID_POINTS` evenly spaced levels. Each party's weight times
100 is its salience, its scaled evaluations are its value table (``values``), and
its position is its best level. A party with weight 0 on an issue holds no stance
on it. GENIUS has no status quo: each issue's status quo is its first level, and
since every party has an explicit reservation value, the disagreement point is the
reservation values whatever the status quo. The case has no options, proposals or
forums.

The reader takes XML *text*; the caller reads files. It parses with detente's one
XML reader (:mod:`detente.model.io.xml`, shared with KTAB scenarios: the standard
library's expat with document types and entities refused and nesting, element count
and text bounded), which records each element's line. Numbers must be finite and
within ``DETENTE_MAX_MAGNITUDE``, names within ``DETENTE_MAX_TEXT`` characters and
free of control characters (:mod:`detente.model.limits`).

References
----------
Lin, R., Kraus, S., Baarslag, T., Tykhonov, D., Hindriks, K., and Jonker, C. M.
(2014). Genius: an integrated environment for supporting the design of generic
automated negotiators. *Computational Intelligence* 30(1), 48-70.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from detente.errors import CaseError, Problem
from detente.model.io.xml import XmlElement, parse_xml
from detente.model.limits import limits

__all__ = [
    "GRID_POINTS",
    "GeniusDomain",
    "GeniusEvaluator",
    "GeniusIssue",
    "GeniusProfile",
    "GeniusScenario",
    "genius_case_data",
    "genius_case_id",
    "read_genius_domain",
    "read_genius_profile",
    "read_genius_scenario",
]

_ISSUE_TYPES = ("discrete", "integer", "real")
GRID_POINTS = 11
"""A real issue becomes this many evenly spaced levels, and so does an integer issue
with more values than this (rounded to integers); smaller integer issues keep every
value."""
WEIGHT_SUM_TOL = 1e-3
"""Weights summing to 1 within this tolerance pass silently (published ANAC
profiles round their weights: the Laptop buyer's sum to 1.0000518)."""


@dataclass(frozen=True)
class GeniusIssue:
    """One issue of a GENIUS domain.

    Attributes
    ----------
    name : str
    index : int
        The ``index`` attribute, which profiles' ``<weight index=...>`` refer to.
    type : {"discrete", "integer", "real"}
    values : tuple of str
        The items of a discrete issue, in file order (empty otherwise).
    lower, upper : float or None
        The range of an integer or real issue.
    """

    name: str
    index: int
    type: str
    values: tuple[str, ...] = ()
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class GeniusDomain:
    """A GENIUS domain: its name and issues."""

    name: str
    issues: tuple[GeniusIssue, ...]
    file: str | None = None

    def issue(self, name: str) -> GeniusIssue:
        for issue in self.issues:
            if issue.name == name:
                return issue
        raise KeyError(name)


@dataclass(frozen=True)
class GeniusEvaluator:
    """How one party values one issue, already scaled as GENIUS scales it.

    Attributes
    ----------
    issue : str
    kind : {"discrete", "linear", "constant"}
    evaluations : mapping of str to float
        Discrete issues: value -> evaluation divided by the issue's largest one.
    raw : mapping of str to float
        Discrete issues: the ``evaluation`` attributes as written.
    slope, offset : float
        Linear (``offset + slope * x``) and constant (``offset``) evaluators.
    """

    issue: str
    kind: str
    evaluations: Mapping[str, float] = field(default_factory=dict)
    raw: Mapping[str, float] = field(default_factory=dict)
    slope: float = 0.0
    offset: float = 0.0

    def evaluate(self, value: str | float) -> float:
        """The evaluation (in [0, 1] for a well-formed profile) of one value."""
        if self.kind == "discrete":
            return self.evaluations[str(value)]
        if self.kind == "constant":
            return self.offset
        return self.offset + self.slope * float(value)


@dataclass(frozen=True)
class GeniusProfile:
    """One party's additive utility profile.

    Attributes
    ----------
    name : str
        The profile file's stem (the party's name).
    weights : mapping of str to float
        Issue name -> weight, as written.
    evaluators : mapping of str to GeniusEvaluator
    reservation : float or None
    discount_factor : float or None
    file : str or None
    """

    name: str
    weights: Mapping[str, float]
    evaluators: Mapping[str, GeniusEvaluator]
    reservation: float | None = None
    discount_factor: float | None = None
    file: str | None = None

    def utility(self, bid: Mapping[str, str | float]) -> float:
        """GENIUS's additive utility of a bid (issue name -> value):
        ``sum_i weight_i * evaluation_i(bid_i)``."""
        return math.fsum(
            self.weights[name] * self.evaluators[name].evaluate(bid[name])
            for name in self.evaluators
        )


@dataclass(frozen=True)
class GeniusScenario:
    """A domain with its parties' profiles (in file-name order)."""

    domain: GeniusDomain
    profiles: tuple[GeniusProfile, ...]

    def profile(self, name: str) -> GeniusProfile:
        for p in self.profiles:
            if p.name == name:
                return p
        raise KeyError(name)


# -- parsing with line numbers ---------------------------------------------------


class _Tree:
    """A parsed file: its root element (each element knows its line and location path)."""

    def __init__(self, root: XmlElement):
        self.root = root

    def line(self, el: XmlElement) -> int | None:
        return el.line

    def path(self, el: XmlElement, attr: str | None = None) -> tuple[str | int, ...]:
        return (*el.path, attr) if attr else el.path


def _parse(text: str, file: str | None) -> _Tree:
    return _Tree(parse_xml(text, file=file))


def _error(
    tree: _Tree,
    el: XmlElement,
    message: str,
    *,
    file: str | None,
    attr: str | None = None,
    expected: str | None = None,
    got: str | None = None,
) -> CaseError:
    return CaseError(
        Problem(
            message,
            path=tree.path(el, attr),
            file=file,
            line=tree.line(el),
            expected=expected,
            got=got,
        )
    )


def _number(
    tree: _Tree, el: XmlElement, attr: str, *, file: str | None, required: bool = True
) -> float | None:
    raw = el.get(attr)
    if raw is None:
        if required:
            raise _error(
                tree,
                el,
                f"<{el.tag}> lacks the attribute {attr!r}",
                file=file,
                attr=attr,
                expected="a number",
            )
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _error(
            tree,
            el,
            f"<{el.tag} {attr}=...> is not a finite number",
            file=file,
            attr=attr,
            expected="a number",
            got=raw[:40],
        )
    bound = limits().magnitude
    if abs(value) > bound:
        raise _error(
            tree,
            el,
            f"<{el.tag} {attr}=...> is {value:g}, beyond ±{bound:g}, the largest number a case "
            "may hold (set DETENTE_MAX_MAGNITUDE to change the limit)",
            file=file,
            attr=attr,
            expected=f"a number within ±{bound:g}",
            got=raw[:40],
        )
    return value


def _objective(tree: _Tree, utility_space: XmlElement, *, file: str | None) -> XmlElement:
    objective = utility_space.find("objective")
    if objective is None:
        raise _error(tree, utility_space, "<utility_space> has no <objective>", file=file)
    return objective


def _issues(tree: _Tree, objective: XmlElement, *, file: str | None) -> list[XmlElement]:
    issues = list(objective.iter("issue"))
    if not issues:
        raise _error(tree, objective, "<objective> has no <issue>", file=file)
    return issues


def _issue_type(tree: _Tree, el: XmlElement, *, file: str | None) -> str:
    kind = (el.get("type") or el.get("etype") or el.get("vtype") or "discrete").lower()
    if kind not in _ISSUE_TYPES:
        raise _error(
            tree,
            el,
            f"issue {el.get('name')!r} has unsupported type {kind!r}",
            file=file,
            attr="type",
            expected=" or ".join(_ISSUE_TYPES),
            got=kind,
        )
    return kind


def _issue_name(tree: _Tree, el: XmlElement, *, file: str | None) -> str:
    name = el.get("name")
    if not name or not name.strip():
        raise _error(tree, el, "<issue> lacks a name", file=file, attr="name")
    _check_text(tree, el, name, file=file, attr="name")
    return name


def _check_text(tree: _Tree, el: XmlElement, text: str, *, file: str | None, attr: str) -> None:
    """A name that becomes a name in the case: no control characters."""
    from detente.model.base import check_control_characters

    try:
        check_control_characters(text)
    except ValueError as exc:
        raise _error(tree, el, f"<{el.tag} {attr}=...> {exc}", file=file, attr=attr) from None


# -- domain ------------------------------------------------------------------------


def read_genius_domain(text: str, *, file: str | None = None) -> GeniusDomain:
    """Read a GENIUS domain file (root ``<negotiation_template>`` or
    ``<utility_space>``).

    Parameters
    ----------
    text : str
        The XML text.
    file : str, optional
        The file name, for error messages.

    Returns
    -------
    GeniusDomain

    Raises
    ------
    CaseError
        Malformed XML, a DOCTYPE, or a missing or invalid element; the problem names
        the file, the line and the element.
    """
    tree = _parse(text, file)
    root = tree.root
    space = root if root.tag == "utility_space" else root.find("utility_space")
    if space is None:
        raise _error(tree, root, f"<{root.tag}> has no <utility_space>", file=file)
    objective = _objective(tree, space, file=file)
    issues = []
    seen: set[str] = set()
    issue_els = _issues(tree, objective, file=file)
    if len(issue_els) > limits().issues:
        raise _error(
            tree,
            objective,
            f"the domain has {len(issue_els):,} issues, above the limit of {limits().issues:,} "
            "(set DETENTE_MAX_ISSUES to change it)",
            file=file,
        )
    for position, el in enumerate(issue_els, start=1):
        name = _issue_name(tree, el, file=file)
        if name in seen:
            raise _error(tree, el, f"issue {name!r} appears twice", file=file, attr="name")
        seen.add(name)
        index = int(_number(tree, el, "index", file=file, required=False) or position)
        kind = _issue_type(tree, el, file=file)
        if kind == "discrete":
            items = el.findall("item")
            values = tuple(item.get("value", "") or "" for item in items)
            if not values:
                raise _error(tree, el, f"discrete issue {name!r} has no <item>", file=file)
            if len(values) > limits().levels:
                raise _error(
                    tree,
                    el,
                    f"discrete issue {name!r} has {len(values):,} items, above the limit of "
                    f"{limits().levels:,} levels (set DETENTE_MAX_LEVELS to change it)",
                    file=file,
                )
            for item, value in zip(items, values, strict=True):
                if not value.strip():
                    raise _error(
                        tree,
                        item,
                        f"an <item> of issue {name!r} has no value",
                        file=file,
                        attr="value",
                    )
                _check_text(tree, item, value, file=file, attr="value")
            if len(set(values)) != len(values):
                raise _error(tree, el, f"issue {name!r} repeats an item value", file=file)
            issues.append(GeniusIssue(name, index, kind, values))
        else:
            lower, upper = _range(tree, el, file=file)
            issues.append(GeniusIssue(name, index, kind, (), lower, upper))
    return GeniusDomain(objective.get("name") or "", tuple(issues), file)


def _range(tree: _Tree, el: XmlElement, *, file: str | None) -> tuple[float, float]:
    holder = el.find("range")
    holder = el if holder is None else holder
    lower = _number(tree, holder, "lowerbound", file=file)
    upper = _number(tree, holder, "upperbound", file=file)
    assert lower is not None
    assert upper is not None
    if lower > upper:
        raise _error(
            tree,
            holder,
            f"issue {el.get('name')!r}: lowerbound exceeds upperbound",
            file=file,
            attr="lowerbound",
        )
    return lower, upper


# -- profile -----------------------------------------------------------------------


def read_genius_profile(
    text: str,
    *,
    file: str | None = None,
    name: str | None = None,
    domain: GeniusDomain | None = None,
) -> GeniusProfile:
    """Read a GENIUS utility profile, scaled as GENIUS scales it.

    Parameters
    ----------
    text : str
        The XML text (root ``<utility_space>``).
    file : str, optional
        The file name; the party is named after its stem unless ``name`` is given.
    name : str, optional
    domain : GeniusDomain, optional
        When given, the profile must value every issue of the domain, and only
        those, with the domain's items.

    Returns
    -------
    GeniusProfile

    Raises
    ------
    CaseError
        Naming the file, the line and the element.
    """
    tree = _parse(text, file)
    root = tree.root
    if root.tag != "utility_space":
        raise _error(
            tree, root, f"a profile's root must be <utility_space>, not <{root.tag}>", file=file
        )
    objective = _objective(tree, root, file=file)
    issue_els = _issues(tree, objective, file=file)
    by_index: dict[int, str] = {}
    evaluators: dict[str, GeniusEvaluator] = {}
    order: list[str] = []
    for position, el in enumerate(issue_els, start=1):
        issue = _issue_name(tree, el, file=file)
        if issue in evaluators:
            raise _error(tree, el, f"issue {issue!r} appears twice", file=file, attr="name")
        index = int(_number(tree, el, "index", file=file, required=False) or position)
        by_index[index] = issue
        order.append(issue)
        evaluators[issue] = _evaluator(tree, el, issue, file=file)
    weights: dict[str, float] = {}
    weight_els = objective.findall("weight")
    for position, w in enumerate(weight_els):
        idx = _number(tree, w, "index", file=file, required=False)
        if idx is None:
            if position >= len(order):
                raise _error(tree, w, "more <weight>s than issues", file=file)
            issue = order[position]
        elif int(idx) in by_index:
            issue = by_index[int(idx)]
        else:
            raise _error(
                tree,
                w,
                f"<weight index={int(idx)}> matches no issue",
                file=file,
                attr="index",
                expected=f"one of {sorted(by_index)}",
                got=str(int(idx)),
            )
        value = _number(tree, w, "value", file=file)
        assert value is not None
        if value < 0:
            raise _error(
                tree,
                w,
                f"weight of issue {issue!r} is negative",
                file=file,
                attr="value",
                expected="a weight >= 0",
                got=str(value),
            )
        weights[issue] = value
    missing = [i for i in order if i not in weights]
    if missing:
        raise _error(tree, objective, f"no <weight> for issues {missing}", file=file)
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_SUM_TOL:
        # Valid, but GENIUS profiles are meant to have weights summing to 1; the
        # utilities then leave [0, 1]. Kept as written (see the module docstring).
        warnings.warn(
            f"{file or '<profile>'}:{tree.line(objective)}: weights sum to {total:g}, not 1",
            UserWarning,
            stacklevel=2,
        )
    if domain is not None:
        _check_against_domain(tree, objective, issue_els, evaluators, domain, file=file)
    reservation = discount = None
    found = root.find("reservation")
    if found is not None:
        reservation = _number(tree, found, "value", file=file)
    found = root.find("discount_factor")
    if found is not None:
        discount = _number(tree, found, "value", file=file)
    party = name if name is not None else (PurePath(file).stem if file else "")
    return GeniusProfile(party, weights, evaluators, reservation, discount, file)


def _evaluator(tree: _Tree, el: XmlElement, issue: str, *, file: str | None) -> GeniusEvaluator:
    kind = _issue_type(tree, el, file=file)
    if kind == "discrete":
        items = el.findall("item")
        if not items:
            raise _error(tree, el, f"discrete issue {issue!r} has no <item>", file=file)
        raw: dict[str, float] = {}
        for item in items:
            value = item.get("value")
            if value is None:
                raise _error(
                    tree,
                    item,
                    f"an <item> of issue {issue!r} lacks a value",
                    file=file,
                    attr="value",
                )
            points = _number(tree, item, "evaluation", file=file)
            assert points is not None
            if points < 0:
                raise _error(
                    tree,
                    item,
                    f"issue {issue!r}, item {value!r}: negative evaluation",
                    file=file,
                    attr="evaluation",
                    expected=">= 0",
                    got=str(points),
                )
            raw[value] = points
        top = max(raw.values())
        if top <= 0:
            raise _error(
                tree,
                el,
                f"issue {issue!r}: every evaluation is 0",
                file=file,
                expected="at least one positive evaluation",
            )
        # GENIUS scaling: divide by the issue's largest evaluation (not min-max).
        return GeniusEvaluator(issue, "discrete", {k: v / top for k, v in raw.items()}, raw)
    ev = el.find("evaluator")
    if ev is None:
        raise _error(tree, el, f"{kind} issue {issue!r} has no <evaluator>", file=file)
    ftype = (ev.get("ftype") or "linear").lower()
    if ftype == "linear":
        if ev.get("slope") is not None or ev.get("offset") is not None:
            slope = _number(tree, ev, "slope", file=file)
            offset = _number(tree, ev, "offset", file=file, required=False) or 0.0
        else:  # older GENIUS files: parameter0 = offset, parameter1 = slope
            slope = _number(tree, ev, "parameter1", file=file)
            offset = _number(tree, ev, "parameter0", file=file, required=False) or 0.0
        assert slope is not None
        return GeniusEvaluator(issue, "linear", slope=slope, offset=offset)
    if ftype == "constant":
        constant = _number(tree, ev, "parameter0", file=file)
        assert constant is not None
        return GeniusEvaluator(issue, "constant", offset=constant)
    raise _error(
        tree,
        ev,
        f"issue {issue!r}: unsupported evaluator ftype {ftype!r}",
        file=file,
        attr="ftype",
        expected="linear or constant",
        got=ftype,
    )


def _check_against_domain(
    tree: _Tree,
    objective: XmlElement,
    issue_els: list[XmlElement],
    evaluators: Mapping[str, GeniusEvaluator],
    domain: GeniusDomain,
    *,
    file: str | None,
) -> None:
    names = {i.name for i in domain.issues}
    for el in issue_els:
        issue = el.get("name", "")
        if issue not in names:
            raise _error(
                tree,
                el,
                f"issue {issue!r} is not in the domain",
                file=file,
                attr="name",
                expected=f"one of {sorted(names)}",
                got=issue,
            )
        spec = domain.issue(issue)
        ev = evaluators[issue]
        if spec.type == "discrete":
            if ev.kind != "discrete":
                raise _error(tree, el, f"issue {issue!r} is discrete in the domain", file=file)
            if set(ev.evaluations) != set(spec.values):
                raise _error(
                    tree,
                    el,
                    f"issue {issue!r}: items differ from the domain's",
                    file=file,
                    expected=str(sorted(spec.values)),
                    got=str(sorted(ev.evaluations)),
                )
    missing = sorted(names - set(evaluators))
    if missing:
        raise _error(tree, objective, f"the profile does not value issues {missing}", file=file)


# -- scenario ----------------------------------------------------------------------


def read_genius_scenario(files: Mapping[str, str]) -> GeniusScenario:
    """Read a scenario from ``{file name: XML text}``: exactly one domain (root
    ``<negotiation_template>``) and one profile per party (root
    ``<utility_space>``), each party named after its file's stem.

    Raises
    ------
    CaseError
        No domain or several, no profile, or any problem in a file.
    """
    domains: list[str] = []
    profiles: list[str] = []
    for fname, text in files.items():
        tree = _parse(text, fname)
        (domains if tree.root.tag == "negotiation_template" else profiles).append(fname)
    if len(domains) != 1:
        raise CaseError(
            Problem(
                "a GENIUS scenario needs exactly one domain file (root <negotiation_template>)",
                expected="1 domain file",
                got=f"{len(domains)}: {sorted(domains)}",
            )
        )
    if not profiles:
        raise CaseError(Problem("a GENIUS scenario needs at least one profile", file=domains[0]))
    domain = read_genius_domain(files[domains[0]], file=domains[0])
    parsed = [read_genius_profile(files[f], file=f, domain=domain) for f in sorted(profiles)]
    names = [p.name for p in parsed]
    if len(set(names)) != len(names):
        raise CaseError(Problem(f"two profiles share a name: {names}"))
    return GeniusScenario(domain, tuple(parsed))


# -- as a case ---------------------------------------------------------------------


def _slug(text: str, taken: set[str]) -> str:
    """A valid, unused identifier from ``text`` (recorded in ``taken``)."""
    import re

    from detente.model.expressions import KEYWORDS

    base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:60] or "x"
    if base[0].isdigit():
        base = "_" + base
    if base.lower() in KEYWORDS:
        base += "_"
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _levels(issue: GeniusIssue) -> list[float]:
    if issue.type == "discrete":
        return [float(k) for k in range(len(issue.values))]
    assert issue.lower is not None
    assert issue.upper is not None
    lo, hi = issue.lower, issue.upper
    if issue.type == "integer":
        lo_i, hi_i = math.ceil(lo), math.floor(hi)
        if hi_i - lo_i + 1 <= GRID_POINTS:
            return [float(x) for x in range(lo_i, hi_i + 1)]
        return sorted(
            {float(round(lo_i + (hi_i - lo_i) * k / (GRID_POINTS - 1))) for k in range(GRID_POINTS)}
        )
    if hi == lo:
        return [lo]
    return [lo + (hi - lo) * k / (GRID_POINTS - 1) for k in range(GRID_POINTS)]


def genius_case_data(
    scenario: GeniusScenario, *, case_id: str, title: str | None = None, source: str | None = None
) -> dict:
    """A GENIUS scenario as case data (a plain dict for :class:`detente.model.Case`).

    See the module docstring for the mapping. ``source`` (the folder) is named in the
    case's description.

    Raises
    ------
    CaseError
        A reservation value or discount factor outside [0, 1], a weight above 1, or an
        evaluation outside [0, 1]; the problem names the profile file.
    """
    domain = scenario.domain
    issue_ids: set[str] = set()
    issues = []
    levels_of = {}
    for issue in domain.issues:
        levels = _levels(issue)
        levels_of[issue.name] = levels
        lo, hi = (levels[0], levels[-1]) if len(levels) > 1 else (levels[0], levels[0] + 1.0)
        entry: dict = {
            "id": _slug(issue.name, issue_ids),
            "name": issue.name,
            "scale": [lo, hi],
            "levels": levels,
            "status_quo": levels[0],
            "positions": {},
        }
        if issue.type == "discrete":
            entry["level_names"] = list(issue.values)
            entry["low"], entry["high"] = issue.values[0], issue.values[-1]
        else:
            entry["low"], entry["high"] = f"{lo:g}", f"{hi:g}"
        issues.append(entry)
    actor_ids: set[str] = set()
    actors = []
    for profile in scenario.profiles:
        actor_id = _slug(profile.name, actor_ids)
        file = profile.file
        reservation = 0.0 if profile.reservation is None else profile.reservation
        if not 0 <= reservation <= 1:
            raise CaseError(
                Problem(
                    f"reservation value {reservation:g} is outside [0, 1]",
                    path=("utility_space", "reservation", "value"),
                    file=file,
                )
            )
        discount = profile.discount_factor
        if discount is not None and not 0 <= discount <= 1:
            raise CaseError(
                Problem(
                    f"discount factor {discount:g} is outside [0, 1]",
                    path=("utility_space", "discount_factor", "value"),
                    file=file,
                )
            )
        actor: dict = {"id": actor_id, "name": profile.name, "reservation_value": reservation}
        if discount is not None:
            actor["discount_factor"] = discount or 1.0
        actors.append(actor)
        for issue, entry in zip(domain.issues, issues, strict=True):
            weight = profile.weights[issue.name]
            if weight > 1:
                raise CaseError(
                    Problem(
                        f"issue {issue.name!r}: weight {weight:g} is above 1",
                        path=("utility_space", "objective", "weight"),
                        file=file,
                    )
                )
            if weight <= 0:
                continue
            evaluator = profile.evaluators[issue.name]
            levels = levels_of[issue.name]
            values = {}
            for k, level in enumerate(levels):
                at = issue.values[k] if issue.type == "discrete" else level
                value = evaluator.evaluate(at)
                if not -1e-12 <= value <= 1 + 1e-12:
                    raise CaseError(
                        Problem(
                            f"issue {issue.name!r}: evaluation {value:g} of {at!s} is outside [0, 1]",
                            path=("utility_space", "objective", "issue", issue.name),
                            file=file,
                            expected="an evaluator giving values from 0 to 1",
                        )
                    )
                values[level] = min(1.0, max(0.0, value))
            best = max(levels, key=lambda x: values[x])
            entry["positions"][actor_id] = {
                "position": best,
                "salience": weight * 100.0,
                "values": values,
            }
    names = ", ".join(p.name for p in scenario.profiles)
    where = f" in {source}" if source else ""
    description = (
        f"Read from the GENIUS scenario{where}: domain {domain.name or '(unnamed)'}, "
        f"profiles {names}. Values are GENIUS's scaled evaluations, saliences its weights "
        "times 100. GENIUS has no status quo: each issue stands at its first level, and the "
        "parties' reservation values (0 where a profile gives none) are the disagreement point."
    )
    return {
        "id": case_id,
        "title": title
        or (domain.name if domain.name and domain.name.lower() != "root" else None)
        or case_id,
        "description": description,
        "actors": actors,
        "issues": issues,
    }


def genius_case_id(name: str) -> str:
    """A case id from a folder name."""
    return _slug(name, set())
