"""`evenfloor tally BALLOTS.json`: count a vote offline, for election officials and auditors.

Needs nothing but the file: no settings, no database, no network. The input and output
formats are in docs/voting.md. Bad input exits with status 2 and one line on stderr that
names the offending ballot (its index in `ballots` and its voter); never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, NoReturn

import click

import voting
from voting import (
    Ballot,
    ByLot,
    ByOptionOrder,
    InvalidBallot,
    Quorum,
    Reason,
    TallyResult,
    TieBreak,
    Voter,
    VotingError,
    WeightRules,
    decimal_string,
)

BAD_INPUT = 2

_TOP = {"method", "options", "rules", "ballots", "eligible", "delegations"}
_RULES = {"mode", "vote_cap", "quorum", "threshold", "count_over", "tie_break"}
_VOTER = {"voter", "organisation", "weight"}
_CONTENT = {"approve", "scores", "choice", "ranking", "position", "reason"}


class InputError(Exception):
    """The document cannot be read as a vote; the message says where and why."""


@click.command()
@click.argument(
    "ballots_file",
    metavar="BALLOTS.json",
    type=click.Path(dir_okay=False, allow_dash=True),
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: one JSON document; text: the same for a person.",
)
def tally(ballots_file: str, output_format: str) -> None:
    """Count the vote in BALLOTS.json (or - for standard input) and explain the result.

    Weights and shares are printed as decimal strings with at most six places; the count
    itself is exact.
    """
    try:
        document = _load(ballots_file)
        result = count(document)
    except (InputError, VotingError) as refused:
        _fail(str(refused))
    if output_format == "text":
        click.echo(as_text(result))
    else:
        click.echo(json.dumps(as_json(result), ensure_ascii=False, indent=2))


def _fail(message: str) -> NoReturn:
    click.echo(f"evenfloor tally: {message}", err=True)
    sys.exit(BAD_INPUT)


def _load(path: str) -> Any:
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError(f"cannot read {name}: {reason}") from None
    try:
        return json.loads(text, parse_float=Fraction, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{name} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None


def _no_constant(name: str) -> NoReturn:
    raise InputError(f"{name} is not a number a vote can use")


def count(document: Any) -> TallyResult:
    """Parse a BALLOTS.json document and tally it (raises InputError or VotingError)."""
    top = _object(document, "the document")
    _known(top, _TOP, "the document")
    method = top.get("method")
    if not isinstance(method, str):
        raise InputError('"method" must be one of ' + ", ".join(voting.METHODS))
    if method not in voting.METHODS:
        raise InputError(f"unknown method {method!r}: use one of {', '.join(voting.METHODS)}")
    options = top.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise InputError('"options" must be a list of names')
    rules, tie_break = _rules(top.get("rules", {}))
    ballots_in = top.get("ballots")
    if not isinstance(ballots_in, list):
        raise InputError('"ballots" must be a list')
    ballots = [_ballot(index, item) for index, item in enumerate(ballots_in)]
    eligible = _eligible(top.get("eligible", []))
    delegations = top.get("delegations", {})
    if delegations:
        ballots = _delegate(delegations, ballots, eligible)
    return voting.tally(method, options, ballots, rules, eligible=eligible, tie_break=tie_break)


def _rules(raw: Any) -> tuple[WeightRules, TieBreak]:
    rules = _object(raw, '"rules"')
    _known(rules, _RULES, '"rules"')
    quorum = _object(rules.get("quorum", {}), '"rules.quorum"')
    _known(quorum, {"participants", "organisations"}, '"rules.quorum"')
    cap = rules.get("vote_cap")
    settings: dict[str, Any] = {
        key: rules[key] for key in ("mode", "threshold", "count_over") if key in rules
    }
    made = WeightRules(
        vote_cap=None if cap is None else _number(cap, '"rules.vote_cap"'),
        quorum=Quorum(quorum.get("participants", 0), quorum.get("organisations", 0)),
        **settings,
    )
    tie_break: TieBreak = ByOptionOrder()
    chosen = rules.get("tie_break", "option_order")
    if isinstance(chosen, dict) and set(chosen) == {"lot"} and _whole(chosen["lot"]):
        tie_break = ByLot(chosen["lot"])
    elif chosen != "option_order":
        raise InputError('"rules.tie_break" must be "option_order" or {"lot": <whole number>}')
    return made, tie_break


def _ballot(index: int, raw: Any) -> Ballot:
    item = _object(raw, f"ballots[{index}]")
    voter_id = item.get("voter")
    who = voter_id if isinstance(voter_id, str) else None
    try:
        _known(item, _VOTER | _CONTENT, "the ballot")
        voter = _voter(item)
        content = {key: item[key] for key in _CONTENT if item.get(key) is not None}
        for key in ("approve", "ranking"):
            if key in content:
                content[key] = _names(content[key], key)
        if "scores" in content and not isinstance(content["scores"], dict):
            raise InvalidBallot(Reason.BALLOT_SHAPE, '"scores" must map options to 0-5')
        return Ballot(voter=voter, **content)
    except (InputError, VotingError) as refused:
        detail = refused.detail if isinstance(refused, InvalidBallot) else str(refused)
        reason = refused.reason if isinstance(refused, VotingError) else Reason.BALLOT_SHAPE
        raise InvalidBallot(reason, detail, index=index, voter=who) from None


def _voter(item: Mapping[str, Any]) -> Voter:
    voter_id, organisation = item.get("voter"), item.get("organisation")
    if not isinstance(voter_id, str) or not voter_id:
        raise InputError('"voter" must be a non-empty id')
    if not isinstance(organisation, str) or not organisation:
        raise InputError('"organisation" must be a non-empty name')
    return Voter(voter_id, organisation, _number(item.get("weight", 1), '"weight"'))


def _eligible(raw: Any) -> list[Voter]:
    if not isinstance(raw, list):
        raise InputError('"eligible" must be a list of voters')
    voters = []
    for index, item in enumerate(raw):
        where = f"eligible[{index}]"
        entry = _object(item, where)
        try:
            _known(entry, _VOTER, where)
            voters.append(_voter(entry))
        except (InputError, VotingError) as refused:
            raise InputError(f"{where}: {refused}") from None
    return voters


def _delegate(raw: Any, ballots: list[Ballot], eligible: list[Voter]) -> list[Ballot]:
    delegations = _object(raw, '"delegations"')
    if not all(isinstance(v, str) for v in delegations.values()):
        raise InputError("\"delegations\" maps a delegator's id to their delegate's id")
    voters = {voter.id: voter for voter in eligible}
    for ballot in ballots:
        voters.setdefault(ballot.voter.id, ballot.voter)
    resolved = voting.resolve_delegations(delegations, list(voters.values()))
    return list(voting.cast_for_delegators(ballots, resolved))


def _number(value: Any, what: str) -> Fraction:
    """An exact number: a JSON integer or decimal, or a string such as "0.3" or "1/3"."""
    if isinstance(value, bool):
        raise InputError(f"{what} must be a number, not {json.dumps(value)}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(f"{what} must be a number, not {value!r}") from None
    raise InputError(f"{what} must be a number")


def _names(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f'"{key}" must be a list of option names')
    return tuple(value)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object")
    return value


def _known(value: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InputError(f"{what} has an unknown field {unknown[0]!r}")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_json(result: TallyResult) -> dict[str, Any]:
    """The result as JSON-safe data: every weight and share a decimal string."""
    out: dict[str, Any] = {
        "method": result.method,
        "options": list(result.options),
        "quorum_met": result.quorum_met,
        "participants": result.participants,
        "cap_applied": _decimal(result.cap_applied),
        "cap_raised_to_equal_shares": result.cap_raised_to_equal_shares,
        "organisations": {
            name: {
                "voters": org.voters,
                "raw_weight": decimal_string(org.raw_weight),
                "counted_weight": decimal_string(org.counted_weight),
                "share": decimal_string(org.share),
            }
            for name, org in result.organisations.items()
        },
        "totals": {key: decimal_string(value) for key, value in result.totals.items()},
        "counts": dict(result.counts),
        "winner": result.winner,
        "outcome": result.outcome,
        "tie_break": result.tie_break,
        "explanation": list(result.explanation),
    }
    if result.method == "majority":
        out["threshold"] = _decimal(result.threshold)
        out["count_over"] = result.count_over
    if result.method == "ranked":
        out["ranking"] = list(result.ranking)
        out["pairwise"] = _matrix(result.pairwise)
        out["strongest_paths"] = _matrix(result.strongest_paths)
    if result.method == "consent":
        out["remarks"] = [
            {"position": r.position, "reason": r.reason, "count": r.count} for r in result.remarks
        ]
    return out


def as_text(result: TallyResult) -> str:
    """The same result for a person reading a terminal."""
    title = "Consent round" if result.method == "consent" else f"{result.method.capitalize()} vote"
    verdict = (result.outcome or "no outcome").replace("_", " ")
    if result.method not in ("consent", "majority"):
        verdict = f"winner {result.winner}" if result.winner else "no winner"
    if result.ranking:
        verdict += f" (Schulze ranking {' > '.join(result.ranking)})"
    lines = [f"{title}: {verdict}"]
    lines.append(
        f"Quorum {'met' if result.quorum_met else 'NOT met'}; "
        f"{result.participants} ballot(s); cap in force: "
        + (_decimal(result.cap_applied) or "none")
        + (" (raised to equal shares)" if result.cap_raised_to_equal_shares else "")
    )
    rows = [("Organisation", "Voters", "Raw weight", "Counted weight", "Share")]
    rows += [
        (
            name,
            str(org.voters),
            decimal_string(org.raw_weight),
            decimal_string(org.counted_weight),
            decimal_string(org.share),
        )
        for name, org in result.organisations.items()
    ]
    lines += ["", *_table(rows), ""]
    totals = [("Total", "Counted weight", "Ballots")]
    totals += [
        (key, decimal_string(value), str(result.counts[key]))
        for key, value in result.totals.items()
    ]
    lines += [*_table(totals), "", "Explanation:"]
    lines += [f"  - {sentence}" for sentence in result.explanation]
    for remark in result.remarks:
        lines.append(f"  * {remark.position.replace('_', ' ')} (×{remark.count}): {remark.reason}")
    return "\n".join(lines)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _decimal(value: Fraction | None) -> str | None:
    return None if value is None else decimal_string(value)


def _matrix(matrix: Mapping[str, Mapping[str, Fraction]]) -> dict[str, dict[str, str]]:
    return {x: {y: decimal_string(v) for y, v in row.items()} for x, row in matrix.items()}
