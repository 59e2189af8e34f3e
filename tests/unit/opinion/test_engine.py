"""The incremental engine: who is clustered, k smoothing, moderation, stable labels, results."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deliberation.opinion import (
    EngineSettings,
    OpinionEngine,
    OpinionGroups,
    TimedVote,
    compute_groups,
    organisations_across_groups,
    replay,
)
from deliberation.opinion.engine import _Smoother, max_k_for


def two_camps(n: int = 30, m: int = 10) -> dict[str, dict[str, int]]:
    """Even participants agree with odd statements and disagree with even ones; odd ones the
    reverse; everyone agrees with statement 0."""
    room: dict[str, dict[str, int]] = {}
    for p in range(n):
        camp = 1 if p % 2 == 0 else -1
        room[f"p{p}"] = {f"s{s}": (1 if s == 0 else camp * (1 if s % 2 else -1)) for s in range(m)}
    return room


def engine_with(room: dict[str, dict[str, int]], **settings: object) -> OpinionEngine:
    engine = OpinionEngine(EngineSettings(**settings))  # type: ignore[arg-type]
    for participant, row in room.items():
        for statement, vote in row.items():
            engine.add_vote(participant, statement, vote)
    return engine


def test_two_camps_become_two_groups_with_their_statements() -> None:
    result = engine_with(two_camps()).recompute()
    assert result.k == 2
    even = {result.groups[f"p{p}"] for p in range(0, 30, 2)}
    odd = {result.groups[f"p{p}"] for p in range(1, 30, 2)}
    assert len(even) == len(odd) == 1
    assert even != odd
    assert [c.statement for c in result.consensus] == ["s0"]
    assert result.consensus[0].direction == "agree"
    assert {d.statement for d in result.divisive} <= {f"s{s}" for s in range(1, 10)}
    assert result.divisive
    for group, statements in result.representative.items():
        assert statements, f"group {group} has no representative statement"
        figures = statements[0].figures
        assert figures.seen == 15
        assert figures.p_agree == pytest.approx((1 + figures.agree) / (2 + figures.seen))


def test_participants_with_few_votes_are_placed_but_not_clustered() -> None:
    room = two_camps()
    room["late"] = {"s1": 1, "s2": -1}
    result = engine_with(room).recompute()
    assert result.groups["late"] is None
    assert "late" in result.positions


def test_greedy_top_up_clusters_the_heaviest_voters_while_fewer_than_15_qualify() -> None:
    room = {
        f"p{p}": {f"s{s}": 1 if (s + p) % 3 else -1 for s in range(p % 5 + 1)} for p in range(20)
    }
    room.update({f"q{s}": {f"s{t}": 1 for t in range(8)} for s in range(2)})
    engine = engine_with(room, min_votes=7)
    result = engine.recompute()
    clustered = [p for p, g in result.groups.items() if g is not None]
    assert len(clustered) == 15
    assert {"q0", "q1"} <= set(clustered)


def test_once_clustered_always_clustered() -> None:
    engine = OpinionEngine()
    for p in range(3):
        engine.add_vote(f"p{p}", "s0", 1 if p else -1)
    first = engine.recompute()  # one statement: one vote is enough (min(7, 1))
    assert all(g is not None for g in first.groups.values()) or first.k == 0
    for s in range(1, 12):
        engine.add_vote("p9", f"s{s}", 1)
    second = engine.recompute()
    assert all(second.groups[f"p{p}"] is not None for p in range(3)) or second.k == 0


def test_k_changes_only_after_four_wins_in_a_row() -> None:
    smoother = _Smoother()
    assert smoother.update(2, 4) == 2
    assert [smoother.update(3, 4) for _ in range(3)] == [2, 2, 2]
    assert smoother.update(3, 4) == 3
    assert smoother.update(2, 4) == 3


def test_a_clearly_better_k_is_shown_at_once() -> None:
    smoother = _Smoother()
    assert smoother.update(4, 4, {2: 0.40, 3: 0.38, 4: 0.41}, 0.1) == 4
    # k=2 wins once by less than the margin: the shown k holds
    assert smoother.update(2, 4, {2: 0.45, 3: 0.38, 4: 0.41}, 0.1) == 4
    # k=2 wins once by the margin or more: shown at once
    assert smoother.update(2, 4, {2: 0.60, 3: 0.38, 4: 0.41}, 0.1) == 2
    # without a margin, Polis's rule alone: four wins running
    polis = _Smoother()
    polis.update(4, 4, {2: 0.40, 4: 0.41}, None)
    assert polis.update(2, 4, {2: 0.90, 4: 0.41}, None) == 4


def test_max_k_follows_the_number_of_base_clusters() -> None:
    assert max_k_for(11, 5) == 2
    assert max_k_for(12, 5) == 3
    assert max_k_for(100, 5) == 5


def test_moderated_out_statements_are_never_shown() -> None:
    engine = engine_with(two_camps())
    engine.moderate_out("s0")
    result = engine.recompute()
    shown = {c.statement for c in result.consensus} | {d.statement for d in result.divisive}
    shown |= {r.statement for reps in result.representative.values() for r in reps}
    assert "s0" not in shown
    engine.moderate_in("s0")
    assert "s0" in {c.statement for c in engine.recompute().consensus}


def test_recompute_without_news_returns_the_same_result() -> None:
    engine = engine_with(two_camps())
    first = engine.recompute()
    assert engine.recompute() is first
    assert engine.updates == 1


def test_labels_stay_when_one_more_participant_joins() -> None:
    room = two_camps()
    engine = engine_with(room)
    before = engine.recompute()
    for statement, vote in room["p0"].items():
        engine.add_vote("newcomer", statement, vote)
    after = engine.recompute()
    assert {p: after.groups[p] for p in before.groups} == dict(before.groups)
    assert after.groups["newcomer"] == before.groups["p0"]


def test_bad_votes_are_refused() -> None:
    with pytest.raises(ValueError, match="vote must be"):
        OpinionEngine().add_vote("p", "s", 2)
    with pytest.raises(ValueError, match="one row per participant"):
        OpinionEngine().add_matrix(["p"], ["s", "t"], np.zeros((1, 3)))


def test_add_matrix_equals_adding_votes_one_by_one() -> None:
    room = two_camps()
    people = list(room)
    statements = [f"s{s}" for s in range(10)]
    matrix = np.array([[room[p][s] for s in statements] for p in people], dtype=float)
    matrix[3, 4] = np.nan
    engine = OpinionEngine()
    engine.add_matrix(people, statements, matrix)
    one_by_one = OpinionEngine()
    for i, p in enumerate(people):
        for j, s in enumerate(statements):
            if not np.isnan(matrix[i, j]):
                one_by_one.add_vote(p, s, int(matrix[i, j]))
    assert engine.recompute().to_json() == one_by_one.recompute().to_json()


def test_replay_recomputes_once_per_window() -> None:
    votes = [
        TimedVote(1000 * i, f"p{i % 20}", f"s{i // 20}", 1 if (i % 2) else -1) for i in range(200)
    ]
    result = replay(votes, window_ms=10_000)
    assert isinstance(result, OpinionGroups)
    engine_updates = OpinionEngine()
    assert engine_updates.updates == 0
    assert compute_groups(votes, window_ms=10_000).to_json() == result.to_json()
    assert replay([], window_ms=1000).k == 0


def test_organisations_across_groups_counts_members_per_group() -> None:
    groups = {"a": 0, "b": 1, "c": 0, "d": None, "e": 1}
    organisation_of = {"a": "Acme", "b": "Acme", "c": "Birch", "d": "Birch"}
    assert organisations_across_groups(groups, organisation_of) == {
        "Acme": {0: 1, 1: 1},
        "Birch": {0: 1, None: 1},
    }


def test_to_json_is_json_safe() -> None:
    document = engine_with(two_camps()).recompute().to_json()
    assert json.loads(json.dumps(document)) == document
    assert document["k"] == 2
    assert set(document) >= {"groups", "positions", "representative", "consensus", "divisive"}
