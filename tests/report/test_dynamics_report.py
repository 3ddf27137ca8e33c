"""The history and evolution of a conflict, told and drawn: every recorded move is drawn
once per mover, the figures' states are the result's, the findings count what the data
holds."""

from __future__ import annotations

import pytest

from detente import load
from detente.gmcr.evolution import analyze_evolution
from detente.gmcr.history import analyze_history
from detente.report.brief import case_brief
from detente.report.dynamics import evolution_section, history_section
from detente.report.dynamics_plots import MAX_GRAPH_STATES, evolution_figure, history_figure


@pytest.fixture(scope="module")
def korea():
    return load("korea")


@pytest.fixture(scope="module")
def brief(korea):
    return case_brief(korea)


@pytest.fixture(scope="module")
def history(korea):
    return analyze_history(korea).to_dict()


@pytest.fixture(scope="module")
def evolution(korea):
    return analyze_evolution(korea, start="hanoi_offer", coalitions=True).to_dict(max_edges=100)


def test_the_timeline_draws_each_move_once_per_mover(history, brief):
    fig = history_figure(history, brief)
    names = {a["id"]: a["name"] for a in brief["actors"]}
    drawn = sorted((x, y) for trace in fig.data for x, y in zip(trace.x, trace.y, strict=True))
    expected = sorted((s["step"], names[m]) for s in history["steps"] for m in s["movers"])
    assert drawn == expected
    assert list(fig.layout.xaxis.ticktext) == [s["date"] for s in history["steps"]]


def test_the_history_findings_count_the_moves_against_preferences(history, brief):
    section = history_section(history, brief)
    against = [s for s in history["steps"] if s["kind"] in ("unilateral_move", "joint_move")]
    told = [f for f in section.findings if "went against the movers' preferences" in f]
    assert told and told[0].startswith(f"{len(against)} of {len(history['steps'])}")
    names = {a["id"]: a["name"] for a in brief["actors"]}
    for party in history["parties"]:
        assert any(names[party] in f for f in section.findings)


def test_the_evolution_graph_shows_the_start_and_where_the_conflict_ends(evolution, brief):
    fig = evolution_figure(evolution, brief)
    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["start"].text) == [str(evolution["start"]["index"])]
    ends = {s for c in evolution["closed_classes"] for s in c["states"]}
    drawn_ends = {int(s) for s in by_name["where the conflict ends"].text}
    assert drawn_ends == ends - {evolution["start"]["index"]}
    states = [int(s) for t in fig.data if t.mode == "markers+text" for s in t.text]
    assert len(states) == len(set(states)) <= MAX_GRAPH_STATES


def test_the_listed_transitions_are_among_the_notable_states_when_cut(evolution):
    assert evolution["transitions_listed"] != "all"
    notable = {evolution["start"]["index"]}
    notable |= {s for c in evolution["closed_classes"] for s in c["states"]}
    notable |= {e["state"] for d in evolution["distributions"].values() for e in d["states"]}
    assert evolution["transitions"]
    assert all(t["from"] in notable and t["to"] in notable for t in evolution["transitions"])


def test_the_evolution_findings_give_where_it_ends(evolution, brief):
    section = evolution_section(evolution, brief)
    for closed in evolution["closed_classes"][:5]:
        assert any(f"with probability {closed['probability']:.0%}" in f for f in section.findings)
    assert sum(c["probability"] for c in evolution["closed_classes"]) == pytest.approx(1.0)


def test_the_perception_figure_marks_what_each_view_finds_stable(brief):
    from detente.gmcr.hypergame import analyze_hypergame
    from detente.report.dynamics_plots import perception_figure

    eve = load("korea").base.scenario("eve_of_hanoi_2019")
    data = analyze_hypergame(eve).to_dict()
    (heatmap,) = perception_figure(data, case_brief(eve)).data
    views = [a for a, v in data["perceptions"].items() if v["misperceives_preferences_of"]]
    assert len(heatmap.x) == 2 + len(views)
    for row, (pid, proposal) in zip(heatmap.z, data["proposals"].items(), strict=True):
        verdict = proposal["equilibrium"]["seq"]
        assert list(row) == [
            int(verdict["true"]),
            int(verdict["hypergame"]),
            *(int(verdict["perceived"][a]) for a in views),
        ], pid


def test_the_margins_chart_stacks_each_partys_changes(korea, brief):
    from detente.gmcr.robustness import robustness
    from detente.report.dynamics_plots import robustness_figure

    data = robustness(korea, concepts=("seq",)).to_dict()
    fig = robustness_figure(data, brief)
    bars = [t for t in fig.data if t.type == "bar"]
    margins = data["states"]["seq"]
    for k, m in enumerate(margins):
        drawn = sum(bar.x[k] for bar in bars)
        assert drawn == sum(ch["size"] for ch in m["changes"])
    crosses = [t for t in fig.data if t.type == "scatter"]
    assert sum(len(t.y) for t in crosses) == sum(m["impossible"] for m in margins)


def _drawn_states(trace) -> list[int]:
    return [int(h.split("<br>")[0].split()[1]) for h in trace.hovertext]


def _check_perception_graph(data, brief, res):
    from detente.report.dynamics_plots import MARK_STYLE, perception_graph_figure

    fig = perception_graph_figure(data, brief)
    by_name = {t.name: t for t in fig.data}
    shown = [s["index"] for s in data["graph"]["states"]]
    marks = res.state_marks("seq")
    drawn = []
    for mark, (label, _) in MARK_STYLE.items():
        states = _drawn_states(by_name[label]) if label in by_name else []
        assert all(str(marks[s - 1]) == mark for s in states), mark
        drawn += states
    assert sorted(drawn) == sorted(shown)
    sq = data["status_quo_index"]
    assert _drawn_states(by_name["the status quo"]) == [sq]
    proposals = {p["index"] for p in data["proposals"].values()}
    assert set(_drawn_states(by_name["a proposal"]) if proposals else []) == proposals
    hidden = {s for a in res.model.actors for s in res.hidden_from(a)}
    ringed = _drawn_states(by_name["hidden from some party"]) if hidden & set(shown) else []
    assert set(ringed) == {s for s in shown if s - 1 in hidden}
    return by_name


def test_the_perception_graph_marks_each_state_as_the_hypergame_does():
    from detente.gmcr.hypergame import analyze_hypergame

    eve = load("korea").base.scenario("eve_of_hanoi_2019")
    res = analyze_hypergame(eve)
    data = res.to_dict()
    by_name = _check_perception_graph(data, case_brief(eve), res)
    # On the eve of Hanoi both sides' views add equilibria (SEQ) that the true game lacks.
    assert "equilibrium only in some party's mistaken view" in by_name
    assert "equilibrium of the true game" in by_name


def test_the_perception_graph_shows_misperception_and_hidden_states():
    """C does not know B's option exists; A believes B prefers to keep b off."""
    import numpy as np

    from detente.gmcr import GraphModel
    from detente.gmcr.hypergame import hypergame_stabilities

    m = GraphModel.from_options(
        actors=["A", "B", "C"],
        options={"a": "A", "b": "B", "c": "C"},
        preferences={"A": ["not a"], "B": ["b"], "C": ["c iff b"]},
        status_quo=0,
    )
    res = hypergame_stabilities(
        m,
        beliefs={"A": {"B": np.array([4, 4, 1, 1, 4, 4, 1, 1])}},
        unknown_options={"C": ["b"]},
    )
    data = res.to_dict()
    brief = {"actors": [{"id": a, "name": a} for a in m.actors], "proposals": []}
    by_name = _check_perception_graph(data, brief, res)
    assert "equilibrium only through misperception" in by_name
    assert "hidden from some party" in by_name


def test_the_perception_section_draws_the_graph_not_the_grid(brief):
    from detente.gmcr.hypergame import analyze_hypergame
    from detente.report.dynamics_plots import perception_figures

    eve = load("korea").base.scenario("eve_of_hanoi_2019")
    data = analyze_hypergame(eve).to_dict()
    ((name, fig),) = perception_figures(data, case_brief(eve))
    assert name == "Perception"
    assert all(t.type == "scatter" for t in fig.data)
    assert perception_figures({**data, "graph": None}, case_brief(eve)) == []


def test_the_evolution_names_the_proposal_it_starts_from(evolution, brief):
    names = {p["id"]: p["name"] for p in brief["proposals"]}
    assert evolution["start"]["proposal"] == "hanoi_offer"
    assert evolution["parameters"]["start_proposal"] == "hanoi_offer"
    section = evolution_section(evolution, brief)
    first = section.findings[0]
    assert first.startswith(f"From {names['hanoi_offer']} (set on the status quo)")
    assert f"state {evolution['start']['index']}" in first
    fig = evolution_figure(evolution, brief)
    assert f"(state {evolution['start']['index']})" in fig.layout.title.text


@pytest.mark.parametrize(
    ("start", "words"),
    [
        (None, "From the status quo, state "),
        ({"test_moratorium": True}, "From the status quo with taking test_moratorium, state "),
    ],
)
def test_the_evolution_names_the_status_quo_or_the_changes_it_starts_from(korea, start, words):
    data = analyze_evolution(korea, start=start, moves=(1,)).to_dict(max_edges=10)
    assert data["start"]["status_quo"] is (start is None)
    assert data["start"]["changes"] == start
    section = evolution_section(data, case_brief(korea))
    assert section.findings[0].startswith(words + str(data["start"]["index"]))
