"""A generated mutation corpus (transparency-dev style): every single change to a published
log, anywhere in it, is rejected by both verifiers, which agree on where and why."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

from publication_helpers import Case, comparable, dumps, sample_log, verify_js, verify_py

Doc = dict[str, Any]
SEED = 20260314
COUNT = 400


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def changed(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([-1, 1, 1000])
    if value is None:
        return rng.choice([0, "", False])
    text = str(value)
    if not text:
        return "x"
    position = rng.randrange(len(text))
    alphabet = "0123456789abcdefABCDEF-_ xé"
    replacement = rng.choice([c for c in alphabet if c != text[position]])
    return text[:position] + replacement + text[position + 1 :]


def set_at(document: Doc, path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def mutate(document: Doc, rng: random.Random) -> tuple[str, Doc]:
    mutated = copy.deepcopy(document)
    entries = mutated["entries"]
    kind = rng.choice(["leaf", "leaf", "leaf", "delete", "duplicate", "swap", "truncate"])
    if kind == "leaf":
        path, value = rng.choice(list(leaves(mutated)))
        set_at(mutated, path, changed(value, rng))
        return f"change {'/'.join(map(str, path))}", mutated
    i = rng.randrange(len(entries))
    if kind == "delete":
        del entries[i]
    elif kind == "duplicate":
        entries.insert(i, copy.deepcopy(entries[i]))
    elif kind == "swap":
        j = rng.choice([k for k in range(len(entries)) if k != i])
        entries[i], entries[j] = entries[j], entries[i]
    else:
        del entries[max(1, i) :]
    return f"{kind} entry {i + 1}", mutated


def test_every_mutation_is_rejected_by_both_verifiers_with_the_same_answer() -> None:
    document, _ = sample_log(entries=3)
    rng = random.Random(SEED)
    mutations = [mutate(document, rng) for _ in range(COUNT)]
    cases = [Case(dumps(mutated)) for _, mutated in mutations]
    answers = verify_js(cases)
    locations: set[str] = set()
    for (name, _), case, javascript in zip(mutations, cases, answers, strict=True):
        python = verify_py(case)
        assert comparable(python) == comparable(javascript), name
        assert not python["ok"], f"{name} was accepted"
        locations.add(python["location"].split(" ")[0])
    assert locations == {"document", "entry", "head"}


def test_every_receipted_entry_change_is_caught_with_receipts_even_after_re_signing() -> None:
    from publication_helpers import ROOM_KEY, rechain

    document, receipts = sample_log()
    rng = random.Random(SEED + 1)
    cases = []
    for receipt in receipts * 10:
        mutated = copy.deepcopy(document)
        entry = mutated["entries"][receipt["seq"] - 1]
        path, value = rng.choice(
            [(p, v) for p, v in leaves(entry) if p[0] in ("actor", "data", "at")]
        )
        set_at(entry, path, changed(value, rng))
        rechain(mutated, ROOM_KEY)  # the server re-signs: only the receipt can tell
        cases.append(Case(dumps(mutated), receipts=[json.dumps(receipt)]))
    for case, javascript in zip(cases, verify_js(cases), strict=True):
        python = verify_py(case)
        assert comparable(python) == comparable(javascript)
        assert python["reason"] in {"receipt_changed", "at", "nfc", "number"}, python["line"]
