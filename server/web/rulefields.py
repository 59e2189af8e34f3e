"""The room's rules as form fields: one definition for the create-a-room form and the console.

Each field's ``name`` follows the conventions of ``server/web/forms.py`` (and ``live.js``),
so ``form_args`` turns the posted fields into the core's ``rules`` object: ``rules.x`` nests,
``*_percent`` becomes a share, ``*_minutes`` and ``*_seconds`` become ``*_ms``, and
``budget.<organisation>`` (minutes) makes ``organisation_budgets``. ``check`` reads the same
fields first and names the field, in the form's own words, when a value cannot be used.
Labels are marked with ``N_``; the templates translate them (``rooms/_rule_fields.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from server.web.i18n import N_
from server.web.i18n import gettext as _

NUMBER = re.compile(r"^-?(\d+(\.\d+)?|\.\d+)$")


@dataclass(frozen=True, slots=True)
class RuleField:
    """One rule as a form field. ``kind``: percent, minutes, seconds, count, choice, check."""

    id: str
    name: str
    wire: str
    kind: str
    label: str
    short: str
    hint: str = ""
    describedby: str = ""
    minimum: float = 0
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def hint_id(self) -> str:
        return self.describedby or (f"{self.id}-hint" if self.hint else "")


QUORUM_HINT = N_(
    "The consent round cannot close until this many people and organisations have answered."
)

FIELDS: tuple[RuleField, ...] = (
    RuleField(
        "speaking_cap",
        "rules.speaking_cap_percent",
        "speaking_cap",
        "percent",
        N_("Speaking cap (%% of the floor)"),
        N_("Speaking cap"),
        N_(
            "An organisation at or over this share of the speaking time waits while others"
            " wait. 0 or empty: no cap."
        ),
    ),
    RuleField(
        "speech_limit_minutes",
        "rules.speech_limit_minutes",
        "speech_limit_ms",
        "minutes",
        N_("Time per speech (minutes)"),
        N_("Time per speech"),
        N_("The clock ends a speech at its limit (or flags it, below)."),
    ),
    RuleField(
        "reply_limit_minutes",
        "rules.reply_limit_minutes",
        "reply_limit_ms",
        "minutes",
        N_("Time per reply (minutes)"),
        N_("Time per reply"),
        N_("A direct reply to the speaker goes before the next speech."),
    ),
    RuleField(
        "point_of_order_limit_seconds",
        "rules.point_of_order_limit_seconds",
        "point_of_order_limit_ms",
        "seconds",
        N_("Time per point of order (seconds)"),
        N_("Time per point of order"),
        N_("A point of order goes before everything else, so it is kept short."),
    ),
    RuleField(
        "cap_grace_seconds",
        "rules.cap_grace_seconds",
        "cap_grace_ms",
        "seconds",
        N_("Grace at the speaking cap (seconds)"),
        N_("Grace at the cap"),
        N_(
            "When a speaker's organisation reaches the speaking cap while someone under it"
            " waits, the speech goes on this long, then the overrun action applies."
        ),
    ),
    RuleField(
        "overrun",
        "rules.overrun",
        "overrun",
        "choice",
        N_("When a speech runs over"),
        N_("When a speech runs over"),
        N_("Ending is fairer; flagging is gentler."),
        choices=(
            ("end", N_("End it")),
            ("flag", N_("Flag it and let the facilitator end it")),
        ),
    ),
    RuleField(
        "vote_mode",
        "rules.vote_mode",
        "vote_mode",
        "choice",
        N_("How answers are weighed"),
        N_("How answers are weighed"),
        N_("The cap stops a large organisation outweighing the others."),
        choices=(
            ("capped", N_("One person one vote, with a cap per organisation")),
            ("one_org_one_vote", N_("One organisation one vote")),
            ("one_person_one_vote", N_("One person one vote, no cap")),
        ),
    ),
    RuleField(
        "vote_cap",
        "rules.vote_cap_percent",
        "vote_cap",
        "percent",
        N_("Vote cap (%% of the counted weight)"),
        N_("Vote cap"),
        N_(
            "No organisation's members together count for more than this. Needed by the"
            " capped mode."
        ),
    ),
    RuleField(
        "quorum_participants",
        "rules.quorum.participants",
        "quorum.participants",
        "count",
        N_("Quorum: people"),
        N_("Quorum: people"),
        describedby="quorum-hint",
    ),
    RuleField(
        "quorum_organisations",
        "rules.quorum.organisations",
        "quorum.organisations",
        "count",
        N_("Quorum: organisations"),
        N_("Quorum: organisations"),
        QUORUM_HINT,
        describedby="quorum-hint",
    ),
    RuleField(
        "objection_rule",
        "rules.objection_rule",
        "objection_rule",
        "choice",
        N_("When an objection stops blocking"),
        N_("When an objection stops blocking"),
        N_("Its author can always withdraw it by changing their answer."),
        choices=(
            ("facilitator_integrates_only", N_("Only when the proposal is amended to meet it")),
            (
                "supermajority_of_organisations",
                N_("Or when two thirds of the organisations find it not paramount"),
            ),
        ),
    ),
    RuleField(
        "points_budget",
        "rules.points_budget",
        "points_budget",
        "count",
        N_("Points per person for weighing perspectives"),
        N_("Points per person"),
        minimum=1,
    ),
    RuleField(
        "premoderate_statements",
        "rules.premoderate_statements",
        "premoderate_statements",
        "check",
        N_("Statements wait for a facilitator before others see them"),
        N_("Statements wait for a facilitator"),
    ),
    RuleField(
        "proxy_needs_presence",
        "rules.proxy_needs_presence",
        "proxy_needs_presence",
        "check",
        N_("A facilitator acts only for members marked present in the room"),
        N_("Acting for members marked present only"),
    ),
)

# Rules neither form edits: the console posts their current values back unchanged, so a
# change of the rules above never resets them to their defaults.
KEPT = ("statement_max_length", "text_max_length", "objection_supermajority", "reminder_before_ms")
KEPT_LABELS = {
    "statement_max_length": N_("Longest statement (characters)"),
    "text_max_length": N_("Longest text (characters)"),
    "objection_supermajority": N_("Share of organisations that settles an objection"),
    "reminder_before_ms": N_("Reminder before a deadline (hours)"),
}
BUDGET_LABEL = N_("Speaking time for %(org)s (minutes)")
BUDGET_SHORT = N_("Speaking time budget")


class Problems(ValueError):
    """Values the form cannot use: ``problems`` lists them, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _problem(field: RuleField, raw: str) -> str | None:
    """What is wrong with one posted value, in the form's own words (``None``: nothing)."""
    value = raw.strip()
    if field.kind == "check" or not value:
        return None
    if field.kind == "choice":
        if value not in {v for v, _label in field.choices}:
            return "choose one of the options."
        return None
    if not NUMBER.match(value):
        if field.kind == "count":
            return "enter a whole number."
        return "enter a number."
    number = float(value)
    if field.kind == "percent" and number != 0 and not 0 < number <= 100:
        return "a percentage above 0 and at most 100."
    if field.kind in ("minutes", "seconds") and number <= 0:
        return f"more than 0 {field.kind}."
    if field.kind == "count":
        if not value.lstrip("-").isdigit():
            return "enter a whole number."
        if number < field.minimum:
            return f"at least {field.minimum:g}."
    return None


def check(form: dict[str, str], organisations: dict[str, str] | None = None) -> list[str]:
    """Every problem with the rule fields of a posted form, each naming its field."""
    found = []
    for field in FIELDS:
        problem = _problem(field, form.get(field.name, ""))
        if problem:
            found.append(f"{_(field.short)}: {problem}")
    for key, raw in form.items():
        if not key.startswith("budget."):
            continue
        organisation = key[len("budget.") :]
        label = _(BUDGET_LABEL) % {"org": (organisations or {}).get(organisation, organisation)}
        if organisations is not None and organisation not in organisations:
            found.append(f"{_(BUDGET_SHORT)}: {organisation!r} is not an organisation here.")
            continue
        value = raw.strip()
        if not value:
            continue
        if not NUMBER.match(value):
            found.append(f"{label}: enter a number.")
        elif float(value) <= 0:
            found.append(f"{label}: more than 0 minutes, or empty for no budget.")
    return found


def _number_text(value: Fraction) -> str:
    """``40`` not ``40.0``; enough places that posting the text back gives the same ms."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.10g}"


def _get(rules: dict[str, Any], wire: str) -> Any:
    value: Any = rules
    for part in wire.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def form_values(rules: dict[str, Any]) -> dict[str, str]:
    """The rules in force (``view["rules"]``) as the form's field values."""
    values: dict[str, str] = {}
    for field in FIELDS:
        value = _get(rules, field.wire)
        if field.kind == "percent":
            values[field.name] = "" if value is None else _number_text(Fraction(value) * 100)
        elif field.kind == "minutes":
            values[field.name] = _number_text(Fraction(value, 60_000))
        elif field.kind == "seconds":
            values[field.name] = _number_text(Fraction(value, 1000))
        elif field.kind == "check":
            values[field.name] = "on" if value else ""
        else:
            values[field.name] = str(value)
    for budget in rules.get("organisation_budgets") or []:
        values[f"budget.{budget['organisation']}"] = _number_text(Fraction(budget["ms"], 60_000))
    for key in KEPT:
        values[f"rules.{key}"] = str(rules[key])
    return values


def in_force(rules: dict[str, Any], organisations: dict[str, str]) -> list[dict[str, Any]]:
    """The rules as the console lists them: label, value (with its unit) and explanation.

    ``value`` is ``(msgid, {args})`` for the template to translate.
    """
    rows = []
    values = form_values(rules)
    for field in FIELDS:
        raw = values[field.name]
        if field.kind == "percent":
            shown = (N_("%(n)s%%"), {"n": raw}) if raw else (N_("none"), {})
        elif field.kind == "minutes":
            shown = (N_("%(n)s min"), {"n": raw})
        elif field.kind == "seconds":
            shown = (N_("%(n)s s"), {"n": raw})
        elif field.kind == "check":
            shown = (N_("yes") if raw else N_("no"), {})
        elif field.kind == "choice":
            shown = (dict(field.choices).get(raw, raw), {})
        else:
            shown = ("%(n)s", {"n": raw})
        rows.append({"label": field.short, "value": shown, "hint": field.hint or ""})
    for budget in rules.get("organisation_budgets") or []:
        name = organisations.get(budget["organisation"], budget["organisation"])
        minutes = values[f"budget.{budget['organisation']}"]
        rows.append(
            {
                "label": BUDGET_SHORT,
                "value": (N_("%(org)s: %(n)s min"), {"org": name, "n": minutes}),
                "hint": N_("Over the whole meeting; a speech is cut where the budget runs out."),
            }
        )
    for key in KEPT:
        raw = rules[key]
        if key == "objection_supermajority":
            text = f"{float(Fraction(raw) * 100):.3g}%"
        elif key == "reminder_before_ms":
            text = _number_text(Fraction(raw, 3_600_000))
        else:
            text = str(raw)
        rows.append({"label": KEPT_LABELS[key], "value": ("%(n)s", {"n": text}), "hint": ""})
    return rows
