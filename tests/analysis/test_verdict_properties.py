"""Where the verdicts and the engines look at the same package, they agree: checked
on random linked cases (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.analysis.verdicts import gather_evidence, judge
from detente.bargain.case import bargain
from detente.gmcr.case import analyze_conflict
from detente.model import Case
from detente.model.links import proposal_package
from tests.strategies import cases

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def linked_cases(draw):
    base = draw(cases(max_actors=3, max_options=5))
    data = base.model_dump(mode="python")
    issues = [i["id"] for i in data["issues"]]
    for issue in data["issues"]:
        issue["levels"] = [0, 25, 50, 75, 100]
        issue["status_quo"] = draw(st.sampled_from([0, 25]))
    for option in data["options"]:
        if draw(st.booleans()):
            target = draw(st.sampled_from(issues))
            option["effects"] = {target: {"at_least": draw(st.sampled_from([50, 75, 100]))}}
    option_ids = [o["id"] for o in data["options"]]
    data["proposals"] = [
        {
            "id": f"p{k}",
            "name": f"Proposal {k}",
            "options": {o: draw(st.booleans()) for o in option_ids if draw(st.booleans())},
        }
        for k in range(draw(st.integers(1, 2)))
    ]
    return Case.model_validate(data)


@FEW
@given(linked_cases())
def test_verdicts_agree_with_each_engine_on_the_same_package(case) -> None:
    ev, candidates = gather_evidence(case)
    verdicts = {v.id: v for v in judge(ev, candidates)}
    plain = bargain(case).to_dict()["proposals"]
    standing = {p.id: p for p in analyze_conflict(case).proposals}
    for proposal in case.proposals:
        verdict = verdicts[proposal.id]
        # Bargaining: the same package, the same acceptance.
        assert verdict.levels == proposal_package(case, proposal).levels
        assert verdict.bargaining["accepted_by"] == plain[proposal.id]["accepted_by"]
        # Graph model: the same state, the same stability.
        if proposal.id in standing:
            assert verdict.state == standing[proposal.id].index
            assert verdict.graph_model["stable_for"] == {
                c: list(a) for c, a in standing[proposal.id].stable_for.items()
            }
    for verdict in verdicts.values():
        if verdict.kind == "equilibrium":
            assert verdict.graph_model["equilibrium"]["seq"]
