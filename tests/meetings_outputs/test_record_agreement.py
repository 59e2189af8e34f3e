"""Both record verifiers agree, on many generated records and on every one-character change.

Generated records put awkward text where people write it (names, notes, dissent): characters
beyond U+FFFF (where RFC 8785's key order and UTF-16 differ from code-point order), escapes,
combining marks the writer must NFC-normalise, and member names in non-ASCII. Each must
verify in both. Then single characters of a record's JSON text are replaced at random
places: whatever each change does (breaks the JSON, a hash, a signature or a rule), both
verifiers must say the same thing.
"""

from __future__ import annotations

import json
import random

from minutes_fixtures import approved, published
from record_helpers import BOARD_KEY, SIGNED_AT, RecordCase, comparable, logs, verify_js, verify_py

from server.publication.meeting_record import build_record, log_link

ALPHABET = (
    "abcXYZ 019 .,;:'\"\\/<>&|*_[]#\n\t"
    "éøßñ"
    "e\u0301"  # to be NFC-normalised by the writer
    "日本語"
    "\U0001f600\U0001d11e\U00010348"  # beyond U+FFFF
    "\u2028\u00a0"
)


def text(rng: random.Random, size: int = 24) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, size)))


def generated(rng: random.Random) -> dict[str, object]:
    minutes = published(approved(), private_titles=rng.random() < 0.5)
    minutes["narrative"]["summary"] = text(rng, 60)
    minutes["meeting"]["title"] = text(rng) or "Meeting"
    for row in minutes["attendance"]:
        row["member"]["name"] = text(rng, 12)
    for item in minutes["items"]:
        if not item["private"]:
            item["note"] = text(rng, 40)
            item["title"] = text(rng, 30)
            for action in item["actions"]:
                action["what"] = text(rng)
            if item["decision"]:
                for group in ("dissents", "concerns", "stand_asides", "objections"):
                    for entry in item["decision"][group]:
                        entry["text"] = text(rng)
        elif "title" in item:
            item["title"] = text(rng, 30)
    # awkward member names too, ordered by UTF-16 in RFC 8785
    minutes["narrative"][text(rng, 6) or "x"] = text(rng)
    minutes["narrative"]["\U0001f600key"] = "astral name"
    minutes["narrative"]["\uffffkey"] = "BMP name after the astral one in UTF-16"
    links = [log_link(item, log) for item, log in logs().items()]
    return build_record(minutes, links, BOARD_KEY, signed_at=SIGNED_AT)


def test_both_verifiers_accept_every_generated_record() -> None:
    rng = random.Random(11)
    cases = [
        RecordCase(json.dumps(generated(rng), ensure_ascii=rng.random() < 0.3)) for _ in range(60)
    ]
    python = [verify_py(item) for item in cases]
    javascript = verify_js(cases)
    assert [comparable(p) for p in python] == [comparable(j) for j in javascript]
    assert all(p["ok"] for p in python), [p["line"] for p in python if not p["ok"]][:3]


def test_both_verifiers_agree_on_every_single_character_change() -> None:
    rng = random.Random(5)
    original = json.dumps(generated(random.Random(3)), ensure_ascii=False)
    cases = []
    for _ in range(400):
        position = rng.randrange(len(original))
        replacement = rng.choice('0123456789abcdef"{}[],:\\ x\u00e9')
        if original[position] == replacement:
            continue
        cases.append(RecordCase(original[:position] + replacement + original[position + 1 :]))
    python = [verify_py(item) for item in cases]
    javascript = verify_js(cases)
    disagreements = [
        (item.record[:80], comparable(p), comparable(j))
        for item, p, j in zip(cases, python, javascript, strict=True)
        if comparable(p) != comparable(j)
    ]
    assert not disagreements, f"{len(disagreements)} of {len(cases)}: {disagreements[:2]}"
    failed = sum(1 for p in python if not p.get("ok", False))
    assert failed >= len(cases) * 0.9  # almost every change is caught (a few are whitespace)
