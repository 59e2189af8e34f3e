"""The tamper corpus: every way to alter a published log that the spec lets a verifier catch.

Each case is caught by BOTH verifiers, which must name the same first failing place, give
the same reason and print the same line. Harmless re-encodings must pass both.

sample_log(): 1 log.opened, 2 proposal.tabled, 3 round.opened, 4-5 statement.added,
6 round.closed, 7 dissent.recorded, 8 decision.reached; receipts for 4, 5 and 7.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from publication_helpers import (
    OTHER_KEY,
    ROOM_KEY,
    ROOM_PUBLIC,
    Case,
    comparable,
    dumps,
    public_key_text,
    rechain,
    rehash,
    rekey,
    resign,
    sample_log,
    verify_both,
    verify_js,
    verify_py,
)

from server.publication import issue_receipt

Doc = dict[str, Any]


def log_case(change: Callable[[Doc], Any], **extra: Any) -> Callable[[], Case]:
    def make() -> Case:
        document, _ = sample_log()
        changed = change(document)
        return Case(dumps(document if changed is None else changed), **extra)

    return make


def with_previous(change: Callable[[Doc], Any]) -> Callable[[], Case]:
    """The older copy is the untouched log; the newer one is changed (and re-signed)."""

    def make() -> Case:
        older, _ = sample_log()
        newer = copy.deepcopy(older)
        change(newer)
        return Case(dumps(newer), previous=dumps(older))

    return make


def with_receipts(change: Callable[[Doc], Any]) -> Callable[[], Case]:
    def make() -> Case:
        document, receipts = sample_log()
        change(document)
        return Case(dumps(document), receipts=[dumps(r) for r in receipts])

    return make


def edit_data(seq: int, **data: Any) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        document["entries"][seq - 1]["data"].update(data)

    return change


def then(*changes: Callable[[Doc], Any]) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        for step in changes:
            step(document)

    return change


def rehash_entry(seq: int) -> Callable[[Doc], None]:
    return lambda document: rehash(document["entries"][seq - 1])


def drop(seq: int) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        del document["entries"][seq - 1]

    return change


def swap(a: int, b: int) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        entries = document["entries"]
        entries[a - 1], entries[b - 1] = entries[b - 1], entries[a - 1]

    return change


def head(**fields: Any) -> Callable[[Doc], None]:
    return lambda document: document["head"].update(fields)


def forged_by_server(document: Doc) -> Doc:
    return rechain(document, ROOM_KEY)


def flip_signature(document: Doc) -> None:
    signature = document["head"]["signature"]
    document["head"]["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]


def forged_receipt() -> Case:
    document, receipts = sample_log()
    receipts[1]["hash"] = document["entries"][5]["hash"]  # claims entry 6's hash at seq 5
    return Case(dumps(document), receipts=[dumps(r) for r in receipts])


def receipt_from_another_room() -> Case:
    document, _ = sample_log()
    receipt = issue_receipt("room-8", document["entries"][3], ROOM_KEY)
    return Case(dumps(document), receipts=[dumps(receipt)])


@dataclass(frozen=True)
class Tamper:
    name: str
    make: Callable[[], Case]
    location: str
    reason: str
    entry: int | None


CORPUS = [
    # An edited entry: as is, with its hash recomputed, with the whole chain recomputed.
    Tamper(
        "edited entry", log_case(edit_data(5, text="The bridge is fine.")), "entry 5", "hash", 5
    ),
    Tamper(
        "edited entry, rehashed",
        log_case(then(edit_data(5, text="The bridge is fine."), rehash_entry(5))),
        "entry 6",
        "prev",
        6,
    ),
    Tamper(
        "edited actor, rehashed",
        log_case(
            then(
                lambda d: d["entries"][3]["actor"].update(name="Someone Else"),
                rehash_entry(4),
            )
        ),
        "entry 5",
        "prev",
        5,
    ),
    Tamper(
        "edited entry, rechained, not re-signed",
        log_case(then(edit_data(7, text="I agree after all."), rechain)),
        "head",
        "signature",
        None,
    ),
    # Removed and reordered entries.
    Tamper("removed entry", log_case(drop(5)), "entry 5", "seq", 5),
    Tamper("removed first entry", log_case(drop(1)), "entry 1", "seq", 1),
    Tamper("removed last entry, head kept", log_case(drop(8)), "head", "seq", None),
    Tamper("reordered entries", log_case(swap(4, 5)), "entry 4", "seq", 4),
    Tamper(
        "reordered entries, renumbered and rechained",
        log_case(then(swap(4, 5), rechain)),
        "head",
        "signature",
        None,
    ),
    # A wrong prev.
    Tamper(
        "wrong prev, rehashed",
        log_case(then(lambda d: d["entries"][3].update(prev="ab" * 32), rehash_entry(4))),
        "entry 4",
        "prev",
        4,
    ),
    Tamper(
        "entry 1 prev not zeros",
        log_case(then(lambda d: d["entries"][0].update(prev="1" * 64), rehash_entry(1))),
        "entry 1",
        "prev",
        1,
    ),
    # Forged heads and signatures.
    Tamper("head hash forged", log_case(head(hash="cd" * 32)), "head", "hash", None),
    Tamper("head seq forged", log_case(head(seq=7)), "head", "seq", None),
    Tamper(
        "head signed_at changed",
        log_case(head(signed_at="2027-01-01T00:00:00Z")),
        "head",
        "signature",
        None,
    ),
    Tamper("head signature bit flipped", log_case(flip_signature), "head", "signature", None),
    Tamper(
        "head signed by another key",
        log_case(lambda d: resign(d, OTHER_KEY)),
        "head",
        "signature",
        None,
    ),
    Tamper(
        "head signature padded",
        log_case(head(signature="A" * 86 + "==")),
        "head",
        "signature_format",
        None,
    ),
    # Another key: caught by the out-of-band key, or by a receipt.
    Tamper(
        "whole log re-signed with another key, key given out of band",
        log_case(lambda d: rekey(d, OTHER_KEY), key=ROOM_PUBLIC),
        "document",
        "key_mismatch",
        None,
    ),
    Tamper(
        "wrong out-of-band key",
        log_case(lambda d: None, key=public_key_text(OTHER_KEY)),
        "document",
        "key_mismatch",
        None,
    ),
    Tamper(
        "whole log re-signed with another key, receipts given",
        with_receipts(lambda d: rekey(d, OTHER_KEY)),
        "receipt 1",
        "receipt_key",
        None,
    ),
    Tamper(
        "entry 1 names another key",
        log_case(then(lambda d: d["entries"][0]["data"].update(public_key="A" * 43), rechain)),
        "entry 1",
        "log_opened",
        1,
    ),
    Tamper(
        "entry 1 names another room title",
        log_case(
            then(lambda d: d["entries"][0]["data"].update(title="Something"), forged_by_server)
        ),
        "entry 1",
        "log_opened",
        1,
    ),
    # A newer log that rewrites or shortens an older one (signed by the room's own key).
    Tamper(
        "newer log rewrites an older entry",
        with_previous(then(edit_data(7, text="Withdrawn, in fact."), forged_by_server)),
        "entry 7",
        "rewritten",
        7,
    ),
    Tamper(
        "newer log drops an older entry",
        with_previous(then(drop(5), forged_by_server)),
        "entry 5",
        "rewritten",
        5,
    ),
    Tamper(
        "newer log is shorter than the older one",
        with_previous(then(drop(8), forged_by_server)),
        "entry 8",
        "dropped",
        8,
    ),
    # Receipts whose entry was dropped or changed (the log re-signed by the server).
    Tamper(
        "receipted entry changed",
        with_receipts(then(edit_data(7, text="I agree after all."), forged_by_server)),
        "entry 7",
        "receipt_changed",
        7,
    ),
    Tamper(
        "receipted entry dropped",
        with_receipts(then(drop(5), forged_by_server)),
        "entry 5",
        "receipt_changed",
        5,
    ),
    Tamper(
        "receipted entries dropped at the end",
        with_receipts(then(drop(8), drop(7), forged_by_server)),
        "entry 7",
        "receipt_missing",
        7,
    ),
    Tamper("receipt forged", forged_receipt, "receipt 2", "receipt_signature", None),
    Tamper("receipt of another room", receipt_from_another_room, "receipt 1", "receipt_room", None),
    # What the format forbids in entries, even with a consistent chain.
    Tamper(
        "a float in an entry",
        log_case(then(edit_data(8, quorum=0.5), forged_by_server)),
        "entry 8",
        "number",
        8,
    ),
    Tamper(
        "an integer beyond 2**53 - 1",
        log_case(then(edit_data(8, quorum=2**53), forged_by_server)),
        "entry 8",
        "number",
        8,
    ),
    Tamper(
        "NFD text",
        log_case(then(edit_data(4, text="Cafe\u0301 queues are long."), forged_by_server)),
        "entry 4",
        "nfc",
        4,
    ),
    Tamper(
        "a lone surrogate",
        log_case(then(edit_data(4, text="\ud83d"), forged_by_server)),
        "entry 4",
        "unicode",
        4,
    ),
    Tamper(
        "an unexpected entry member",
        log_case(then(lambda d: d["entries"][2].update(note="x"), forged_by_server)),
        "entry 3",
        "members",
        3,
    ),
    Tamper(
        "a time with an offset",
        log_case(
            then(lambda d: d["entries"][2].update(at="2026-03-14T10:02:00+01:00"), forged_by_server)
        ),
        "entry 3",
        "at",
        3,
    ),
    Tamper(
        "an upper-case hash",
        log_case(lambda d: d["entries"][1].update(hash=d["entries"][1]["hash"].upper())),
        "entry 2",
        "hash_format",
        2,
    ),
    Tamper(
        "another format",
        log_case(lambda d: d.update(format="evenfloor-decision-log/3")),
        "document",
        "format",
        None,
    ),
    Tamper(
        # The head signature covers the format: a format 2 log cannot pass for format 1
        # (whose verifiers would not know to replay its queue), nor the reverse.
        "format 2 passed off as format 1",
        log_case(lambda d: d.update(format="evenfloor-decision-log/1")),
        "head",
        "signature",
        None,
    ),
    Tamper(
        "an unknown policy",
        log_case(lambda d: d.update(policy="public")),
        "document",
        "policy",
        None,
    ),
    Tamper("no entries", log_case(lambda d: d.update(entries=[])), "document", "entries", None),
    Tamper("not an object", log_case(lambda d: [d]), "document", "not_an_object", None),
]


@pytest.fixture(scope="module")
def corpus_cases() -> dict[str, tuple[Case, dict[str, Any]]]:
    """Every corpus case, and the JavaScript verifier's answers (one node process for all)."""
    cases = [tamper.make() for tamper in CORPUS]
    answers = verify_js(cases)
    return {
        tamper.name: (case, answer)
        for tamper, case, answer in zip(CORPUS, cases, answers, strict=True)
    }


@pytest.mark.parametrize("tamper", CORPUS, ids=[t.name for t in CORPUS])
def test_both_verifiers_catch_and_name_the_first_failure(
    tamper: Tamper, corpus_cases: dict[str, tuple[Case, dict[str, Any]]]
) -> None:
    case, javascript = corpus_cases[tamper.name]
    result = verify_py(case)
    assert comparable(javascript) == comparable(result)
    assert not result["ok"]
    assert (result["location"], result["reason"], result["entry"]) == (
        tamper.location,
        tamper.reason,
        tamper.entry,
    ), result["line"]


def test_the_untouched_log_passes_with_every_check_given() -> None:
    older, _ = sample_log()
    document, receipts = sample_log(entries=0)
    result = verify_both(
        Case(
            dumps(document),
            previous=dumps(older),
            key=ROOM_PUBLIC,
            receipts=[dumps(r) for r in receipts],
        )
    )
    assert result["ok"], result["line"]
    assert result["line"].endswith("extends the older copy (up to entry 8), 3 receipts found")


def _reencode(document: Doc) -> list[str]:
    text = dumps(document)
    return [
        json.dumps(document, indent=4),  # whitespace
        json.dumps(document, ensure_ascii=True),  # \u escapes for every non-ASCII character
        json.dumps(document, sort_keys=True),  # another member order
        json.dumps(dict(reversed(list(document.items())))),
        text.replace('"seq": 8,', '"seq": 8.0,').replace(
            '"speaking_ms": 100000', '"speaking_ms": 1e5'
        ),
        text.replace("/", "\\/"),
        "\n\t " + text + "\r\n",
    ]


def test_harmless_re_encodings_pass_both_verifiers() -> None:
    document, receipts = sample_log()
    texts = _reencode(document)
    assert dumps(document) not in texts
    cases = [Case(text, receipts=[dumps(r) for r in receipts]) for text in texts]
    for case, javascript in zip(cases, verify_js(cases), strict=True):
        result = verify_py(case)
        assert comparable(javascript) == comparable(result)
        assert result["ok"], (result["line"], case.log[:300])


UNREADABLE = [
    ("duplicate member", '{"format": "a", "format": "b"}'),
    ("not JSON", '{"format": '),
    ("NaN", '{"x": NaN}'),
    ("byte order mark", '\ufeff{"x": 1}'),
    ("control character", '{"x": "a\u0001b"}'),
    ("trailing comma", '{"x": 1,}'),
    ("single quotes", "{'x': 1}"),
    ("leading zero", '{"x": 01}'),
]


def test_unreadable_input_is_refused_by_both() -> None:
    cases = [Case(text) for _, text in UNREADABLE]
    for (name, _), case, javascript in zip(UNREADABLE, cases, verify_js(cases), strict=True):
        assert "unreadable" in verify_py(case), name
        assert "unreadable" in javascript, name


def test_numbers_at_the_edges_of_the_safe_range() -> None:
    document, _ = sample_log()
    document["entries"][7]["data"]["limits"] = [2**53 - 1, -(2**53) + 1, 0, -0]
    rechain(document, ROOM_KEY)
    text = dumps(document)
    huge = text.replace(str(2**53 - 1), "9" * 5000)
    spelled = text.replace(str(2**53 - 1), "9007199254740991.0").replace(
        '"limits": [', '"limits": [\n'
    )
    cases = [Case(text), Case(huge), Case(spelled)]
    (fine, refused, respelled) = verify_js(cases)
    assert comparable(verify_py(cases[0])) == comparable(fine)
    assert fine["ok"]
    assert comparable(verify_py(cases[1])) == comparable(refused)
    assert (refused["location"], refused["reason"]) == ("entry 8", "number")
    assert comparable(verify_py(cases[2])) == comparable(respelled)
    assert respelled["ok"]
