"""One-shot computation: replay a timed vote stream through the engine, as Polis saw it arrive."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from deliberation.opinion.engine import EngineSettings, OpinionEngine
from deliberation.opinion.result import EMPTY, OpinionGroups

DEFAULT_WINDOW_MS = 60_000  # one recomputation per minute of activity (see docs/opinion-groups.md)


@dataclass(frozen=True, slots=True)
class TimedVote:
    at_ms: int  # when the vote was cast (milliseconds; any epoch)
    participant: str
    statement: str
    vote: int  # 1 agree, -1 disagree, 0 pass


def replay(
    votes: Iterable[TimedVote],
    *,
    moderated_out: Iterable[str] = (),
    window_ms: int = DEFAULT_WINDOW_MS,
    settings: EngineSettings | None = None,
) -> OpinionGroups:
    """Feed votes in time order, recomputing once per window of `window_ms` that saw a vote.

    A window opens with its first vote and closes `window_ms` later; every vote inside it is
    added before the one recomputation, as a throttled live room does.
    """
    engine = OpinionEngine(settings or EngineSettings())
    for statement in moderated_out:
        engine.moderate_out(statement)
    ordered = sorted(votes, key=lambda v: v.at_ms)
    window_end: int | None = None
    for vote in ordered:
        if window_end is not None and vote.at_ms >= window_end:
            engine.step()
            window_end = None
        if window_end is None:
            window_end = vote.at_ms + window_ms
        engine.add_vote(vote.participant, vote.statement, vote.vote)
    return engine.recompute() if window_end is not None else EMPTY


def compute_groups(
    votes: Iterable[TimedVote] | Mapping[str, Mapping[str, int]],
    *,
    moderated_out: Iterable[str] = (),
    window_ms: int = DEFAULT_WINDOW_MS,
    settings: EngineSettings | None = None,
) -> OpinionGroups:
    """Opinion groups from a timed vote stream (replayed) or a participant -> statement -> vote
    matrix (one recomputation, as if every vote had arrived at once)."""
    if isinstance(votes, Mapping):
        engine = OpinionEngine(settings or EngineSettings())
        for statement in moderated_out:
            engine.moderate_out(statement)
        for participant, row in votes.items():
            for statement, vote in row.items():
                engine.add_vote(participant, statement, vote)
        return engine.recompute()
    return replay(votes, moderated_out=moderated_out, window_ms=window_ms, settings=settings)
