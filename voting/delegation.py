"""One-vote delegation (hybrid absence): a member lets a colleague of the same organisation
cast their ballot for one vote. Only direct delegation: chains and cycles are refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from voting.ballots import Ballot, Voter
from voting.errors import InvalidBallot, InvalidDelegation, Reason


def resolve_delegations(
    delegations: Mapping[str, str],
    voters: Sequence[Voter],
    *,
    max_per_delegate: int | None = None,
) -> Mapping[str, tuple[Voter, ...]]:
    """Delegate id -> the voters they cast for, from `{delegator id: delegate id}`.

    Refused (`InvalidDelegation`): an unknown voter, delegating to oneself, to someone of
    another organisation, to someone who has delegated in turn (a chain; a cycle when it
    leads back), or more than `max_per_delegate` delegations to one person.
    """
    by_id = {voter.id: voter for voter in voters}
    held: dict[str, list[Voter]] = {}
    for delegator_id, delegate_id in sorted(delegations.items()):
        for who in (delegator_id, delegate_id):
            if who not in by_id:
                raise InvalidDelegation(
                    Reason.UNKNOWN_VOTER, f"{who!r} is not a voter in this vote"
                )
        delegator, delegate = by_id[delegator_id], by_id[delegate_id]
        if delegator_id == delegate_id:
            raise InvalidDelegation(
                Reason.SELF_DELEGATION, f"{delegator_id!r} cannot delegate to themselves"
            )
        if delegator.organisation != delegate.organisation:
            raise InvalidDelegation(
                Reason.CROSS_ORGANISATION,
                f"{delegator_id!r} ({delegator.organisation}) cannot delegate to "
                f"{delegate_id!r} ({delegate.organisation}): a vote is delegated only within "
                "one organisation",
            )
        if delegate_id in delegations:
            raise _onward(delegations, delegator_id)
        held.setdefault(delegate_id, []).append(delegator)
        if max_per_delegate is not None and len(held[delegate_id]) > max_per_delegate:
            raise InvalidDelegation(
                Reason.TOO_MANY_DELEGATIONS,
                f"{delegate_id!r} would hold more than {max_per_delegate} delegated vote(s)",
            )
    return MappingProxyType({delegate: tuple(froms) for delegate, froms in held.items()})


def _onward(delegations: Mapping[str, str], start: str) -> InvalidDelegation:
    path = [start]
    while path[-1] in delegations and delegations[path[-1]] not in path:
        path.append(delegations[path[-1]])
    if path[-1] in delegations:
        loop = " → ".join([*path, delegations[path[-1]]])
        return InvalidDelegation(
            Reason.DELEGATION_CYCLE, f"delegations form a cycle ({loop}): each must be refused"
        )
    return InvalidDelegation(
        Reason.DELEGATION_CHAIN,
        f"{path[1]!r} has delegated their own vote, so {start!r} cannot delegate to them "
        f"(chain {' → '.join(path)}); delegate directly to whoever will vote",
    )


def cast_for_delegators(
    ballots: Sequence[Ballot], delegated: Mapping[str, tuple[Voter, ...]]
) -> tuple[Ballot, ...]:
    """`ballots` plus, for each delegate's ballot, the same ballot for each of their delegators.

    A delegator who also cast a ballot is refused (`InvalidBallot`): withdraw the delegation
    first. Each delegator's ballot carries the delegator's own organisation and weight.
    """
    voted = {ballot.voter.id: index for index, ballot in enumerate(ballots)}
    extra: list[Ballot] = []
    for ballot in ballots:
        for delegator in delegated.get(ballot.voter.id, ()):
            if delegator.id in voted:
                raise InvalidBallot(
                    Reason.DELEGATOR_VOTED,
                    f"this voter delegated their vote to {ballot.voter.id!r} but also voted",
                    index=voted[delegator.id],
                    voter=delegator.id,
                )
            extra.append(replace(ballot, voter=delegator))
    return (*ballots, *extra)
