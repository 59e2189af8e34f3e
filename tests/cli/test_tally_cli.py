"""`evenfloor tally`: the offline count for election officials and auditors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from server.cli import main

ISSUE_EXAMPLE = {
    "method": "approval",
    "options": ["a", "b"],
    "rules": {"vote_cap": 0.3, "mode": "capped", "quorum": {"participants": 3, "organisations": 2}},
    "ballots": [{"voter": "v1", "organisation": "Trust A", "weight": 1, "approve": ["a"]}],
}


def board_vote() -> dict[str, Any]:
    """Trust A (3 members) approves a; Trust B, Charity and Council approve b; cap 30%."""
    ballots: list[dict[str, Any]] = [
        {"voter": f"a{i}", "organisation": "Trust A", "approve": ["a"]} for i in range(3)
    ]
    ballots += [
        {"voter": "b1", "organisation": "Trust B", "weight": 1, "approve": ["b"]},
        {"voter": "c1", "organisation": "Charity", "weight": "1", "approve": ["a", "b"]},
        {"voter": "k1", "organisation": "Council", "weight": 1.0, "approve": []},
    ]
    return {**ISSUE_EXAMPLE, "ballots": ballots}


def run(tmp_path: Path, document: Any, *args: str, raw: str | None = None) -> Result:
    path = tmp_path / "ballots.json"
    path.write_text(raw if raw is not None else json.dumps(document), encoding="utf-8")
    return CliRunner().invoke(main, ["tally", str(path), *args])


def test_the_issue_example_counts_and_prints_one_json_document(tmp_path: Path) -> None:
    result = run(tmp_path, ISSUE_EXAMPLE)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert {
        "method",
        "quorum_met",
        "cap_applied",
        "organisations",
        "totals",
        "winner",
        "explanation",
    } <= set(out)
    assert out["method"] == "approval"
    assert out["quorum_met"] is False  # one ballot, quorum 3 participants and 2 organisations
    assert out["winner"] is None
    assert out["cap_applied"] == "1"  # 30% cannot hold with one organisation: raised to 1/1
    assert out["organisations"] == {
        "Trust A": {"voters": 1, "raw_weight": "1", "counted_weight": "1", "share": "1"}
    }
    assert out["totals"] == {"a": "1", "b": "0"}
    assert all(isinstance(sentence, str) for sentence in out["explanation"])


def test_a_capped_board_vote(tmp_path: Path) -> None:
    # Raw 3 / 1 / 1 / 1; cap 30%: Trust A is cut to 9/7 (T = 3 / 0.7 = 30/7).
    out = json.loads(run(tmp_path, board_vote()).stdout)
    assert out["cap_applied"] == "0.3"
    assert out["organisations"]["Trust A"] == {
        "voters": 3,
        "raw_weight": "3",
        "counted_weight": "1.285714",
        "share": "0.3",
    }
    assert out["totals"] == {"a": "2.285714", "b": "2"}
    assert out["winner"] == "a"
    assert out["quorum_met"] is True


def test_text_format_prints_the_same_for_a_person(tmp_path: Path) -> None:
    result = run(tmp_path, board_vote(), "--format", "text")
    assert result.exit_code == 0
    assert result.stdout.startswith("Approval vote: winner a\n")
    assert "Trust A       3       3           1.285714        0.3" in result.stdout
    assert "Explanation:" in result.stdout


def test_every_method_runs_from_the_command_line(tmp_path: Path) -> None:
    people = [("v1", "A"), ("v2", "B"), ("v3", "C")]
    contents: dict[str, list[dict[str, Any]]] = {
        "score": [{"scores": {"a": 5}}, {"scores": {"b": 3}}, {"scores": {"a": 1, "b": 1}}],
        "majority": [{"choice": "yes"}, {"choice": "no"}, {"choice": "yes"}],
        "ranked": [{"ranking": ["a", "b"]}, {"ranking": ["b"]}, {"ranking": ["a"]}],
        "consent": [
            {"position": "consent"},
            {"position": "concern", "reason": "cost"},
            {"position": "consent"},
        ],
    }
    headlines = {
        "score": "Score vote: winner a",
        "majority": "Majority vote: carried",
        "ranked": "Ranked vote: winner a (Schulze ranking a > b)",
        "consent": "Consent round: consented with concerns",
    }
    for method, answers in contents.items():
        ballots = [
            {"voter": v, "organisation": o, **c} for (v, o), c in zip(people, answers, strict=True)
        ]
        document = {
            "method": method,
            "options": ["a", "b"],
            "ballots": ballots,
            "rules": {"mode": "one_person_one_vote", "tie_break": {"lot": 4}},
        }
        for fmt in ("json", "text"):
            result = run(tmp_path, document, "--format", fmt)
            assert result.exit_code == 0, (method, result.stderr)
        out = json.loads(run(tmp_path, document).stdout)
        assert out["method"] == method
        first_line = run(tmp_path, document, "--format", "text").stdout.splitlines()[0]
        assert first_line == headlines[method]
    assert (
        json.loads(run(tmp_path, {**document, "method": "consent"}).stdout)["outcome"]
        == "consented_with_concerns"
    )


def bad(tmp_path: Path, document: Any, raw: str | None = None) -> str:
    result = run(tmp_path, document, raw=raw)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("evenfloor tally: ")
    return result.stderr.strip()


def with_ballot(index: int, **changes: Any) -> dict[str, Any]:
    document = board_vote()
    document["ballots"][index] = {**document["ballots"][index], **changes}
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({**ISSUE_EXAMPLE, "method": "plurality"}, "unknown method 'plurality'"),
        (with_ballot(4, weight=-1), "ballots[4] voter 'c1': weight must not be negative (-1)"),
        (
            with_ballot(2, approve=["a", "z"]),
            "ballots[2] voter 'a2': 'z' is not one of the options",
        ),
        (with_ballot(3, voter="a0"), "ballots[3] voter 'a0': this voter already cast ballots[0]"),
        (
            with_ballot(1, weight="heavy"),
            "ballots[1] voter 'a1': \"weight\" must be a number, not 'heavy'",
        ),
        (with_ballot(1, weight=[1]), "ballots[1] voter 'a1': \"weight\" must be a number"),
        (
            with_ballot(1, weight=True),
            "ballots[1] voter 'a1': \"weight\" must be a number, not true",
        ),
        (
            with_ballot(1, colour="red"),
            "ballots[1] voter 'a1': the ballot has an unknown field 'colour'",
        ),
        (
            with_ballot(1, approve="a"),
            "ballots[1] voter 'a1': \"approve\" must be a list of option names",
        ),
        (with_ballot(1, choice="yes"), "ballots[1] voter 'a1': a ballot carries exactly one"),
        (
            with_ballot(1, approve=None, choice="yes"),
            "ballots[1] voter 'a1': an approval ballot needs 'approve'",
        ),
        (with_ballot(0, voter=7), 'ballots[0]: "voter" must be a non-empty id'),
        (
            with_ballot(5, organisation=""),
            "ballots[5] voter 'k1': \"organisation\" must be a non-empty name",
        ),
        ({**ISSUE_EXAMPLE, "ballots": [3]}, "ballots[0] must be a JSON object"),
        ({**ISSUE_EXAMPLE, "ballots": {}}, '"ballots" must be a list'),
        ({**ISSUE_EXAMPLE, "options": "ab"}, '"options" must be a list of names'),
        ({**ISSUE_EXAMPLE, "method": 3}, '"method" must be one of'),
        ({**ISSUE_EXAMPLE, "rules": {"vote_cap": 2}}, "vote_cap must be more than 0 and at most 1"),
        ({**ISSUE_EXAMPLE, "rules": {"mode": "dictator"}}, "mode must be one of"),
        (
            {**ISSUE_EXAMPLE, "rules": {"quorum": {"people": 2}}},
            "\"rules.quorum\" has an unknown field 'people'",
        ),
        ({**ISSUE_EXAMPLE, "rules": {"tie_break": "coin"}}, '"rules.tie_break" must be'),
        ({**ISSUE_EXAMPLE, "surprise": 1}, "the document has an unknown field 'surprise'"),
        ([1, 2], "the document must be a JSON object"),
        ({**ISSUE_EXAMPLE, "eligible": {}}, '"eligible" must be a list of voters'),
        (
            {**ISSUE_EXAMPLE, "eligible": [{"voter": "v1", "organisation": "A", "weight": -2}]},
            "eligible[0]: weight must not be negative",
        ),
        ({**ISSUE_EXAMPLE, "delegations": {"v1": 2}}, '"delegations" maps a delegator\'s id'),
        ({**ISSUE_EXAMPLE, "delegations": {"v1": "v9"}}, "'v9' is not a voter in this vote"),
        (
            {
                **board_vote(),
                "method": "score",
                "ballots": [{"voter": "s", "organisation": "A", "scores": [5]}],
            },
            "ballots[0] voter 's': \"scores\" must map options to 0-5",
        ),
    ],
)
def test_bad_input_names_the_ballot_and_exits_2_without_a_traceback(
    tmp_path: Path, document: Any, message: str
) -> None:
    assert message in bad(tmp_path, document)


def test_malformed_json_is_refused(tmp_path: Path) -> None:
    message = bad(tmp_path, None, raw='{"method": "approval",')
    assert "is not valid JSON" in message
    assert "line 1" in message


@pytest.mark.parametrize("raw", ['{"method": NaN}', '{"weight": Infinity}'])
def test_non_numbers_are_refused(tmp_path: Path, raw: str) -> None:
    assert "is not a number a vote can use" in bad(tmp_path, None, raw=raw)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"method": "\xe9"}')
    result = CliRunner().invoke(main, ["tally", str(path)])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tally", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("evenfloor tally: cannot read ")
    assert "No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_standard_input_is_read_with_a_dash() -> None:
    result = CliRunner().invoke(main, ["tally", "-"], input=json.dumps(board_vote()))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["winner"] == "a"


def test_decimals_in_the_input_are_read_exactly(tmp_path: Path) -> None:
    # 0.1 + 0.2 is 0.3 exactly here: JSON decimals become Fractions, never floats.
    ballots = [
        {"voter": "x", "organisation": "A", "weight": 0.1, "approve": ["a"]},
        {"voter": "y", "organisation": "B", "weight": 0.2, "approve": ["a"]},
        {"voter": "z", "organisation": "C", "weight": "0.3", "approve": ["b"]},
    ]
    document = {
        "method": "approval",
        "options": ["a", "b"],
        "ballots": ballots,
        "rules": {"mode": "one_person_one_vote"},
    }
    out = json.loads(run(tmp_path, document).stdout)
    assert out["totals"] == {"a": "0.3", "b": "0.3"}
    assert out["tie_break"] == "the order in which the options are listed"


def test_the_installed_command_runs_in_a_real_process(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("evenfloor")
    good, broken = tmp_path / "good.json", tmp_path / "broken.json"
    good.write_text(json.dumps(board_vote()))
    broken.write_text(json.dumps(with_ballot(2, weight=-3)))
    done = subprocess.run(
        [str(command), "tally", str(good)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winner"] == "a"
    refused = subprocess.run(
        [str(command), "tally", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert (
        refused.stderr
        == "evenfloor tally: ballots[2] voter 'a2': weight must not be negative (-3)\n"
    )
