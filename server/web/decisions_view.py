"""What the public decision pages show, read from a published decision log and nothing else.

Pure functions over the log document (``docs/spec/decision-log-v1.md``, ``-v2.md``): the
live pages, the Markdown export, the Atom feed and the static site all render from here, so
none of them can show more than the log does (people appear exactly as the room's
publication policy wrote them: names, organisation and pseudonym, or a pseudonym alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree

from server.publication import parse_decimal_string
from server.web.i18n import N_
from server.web.views import DISSENT_KINDS, PERSPECTIVE_KINDS
from server.web.views import ROUND_LABELS as ROUNDS

OUTCOMES = {
    "consented": N_("Consented"),
    "consented_with_concerns": N_("Consented, with concerns"),
    "blocked": N_("Blocked"),
    "withdrawn": N_("Withdrawn"),
    "passed": N_("Passed"),
    "failed": N_("Failed"),
}
NO_OUTCOME = N_("No decision yet")
POSITIONS = {
    "consent": N_("Consent"),
    "concern": N_("Concern"),
    "stand_aside": N_("Stand aside"),
    "object": N_("Objection"),
}
POLICIES = {
    "names": N_("Names: people appear by name and organisation."),
    "organisations": N_("Organisations: people appear by organisation and a pseudonym."),
    "anonymous": N_(
        "Anonymous: people appear by a pseudonym; organisations only in the fairness figures."
    ),
}
ATOM = "http://www.w3.org/2005/Atom"


def person(actor: Any) -> str:
    """A person as the log shows them, or "the system" when an entry has no actor."""
    if not isinstance(actor, dict):
        return "the system"
    who = actor.get("name") or actor.get("pseudonym") or "someone"
    organisation = actor.get("organisation")
    return f"{who} ({organisation})" if organisation else str(who)


def _fraction(text: Any) -> Fraction | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_decimal_string(text)
    except ValueError:
        return None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def percent(value: Fraction | None) -> str:
    if value is None:
        return "none"
    return f"{float(value) * 100:.1f}%"


def duration(ms: int) -> str:
    """Speaking time as people read it: "0.4 s", "42 s", "3 min 05 s"."""
    if ms < 10_000:
        return f"{ms / 1000:.1f} s"
    seconds = ms // 1000
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


@dataclass
class Item:
    """One contribution in a round: a statement, perspective, dissent or consent answer."""

    kind: str  # statement | perspective | dissent | answer | objection | speech
    seq: int
    at: str
    who: str
    text: str = ""
    label: str = ""
    hidden: bool = False
    withdrawn: bool = False
    note: str = ""
    consent_round: int | None = None


@dataclass
class Round:
    kind: str
    label: str
    number: int
    opened_at: str
    closed_at: str | None = None
    reopened: bool = False
    reason: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass
class FairnessRow:
    organisation: str
    speaking_ms: int
    speaking_share: Fraction
    vote_raw: Fraction
    vote_counted: Fraction
    vote_share: Fraction
    speaking_over_cap: bool
    vote_over_cap: bool


@dataclass
class Decision:
    seq: int
    at: str
    outcome: str
    label: str
    proposal: str
    proposal_version: int | None
    consent_round: int | None
    quorum_met: bool | None
    reason: str
    tally: list[dict[str, Any]]
    speaking_cap: Fraction | None
    vote_cap: Fraction | None
    fairness: list[FairnessRow]
    overrides: list[int]


@dataclass
class DecisionView:
    room_id: str
    title: str
    policy: str
    policy_label: str
    public_key: str
    head_seq: int
    head_hash: str
    signed_at: str
    proposal: str
    proposed_by: str
    amendments: list[Item]
    rounds: list[Round]
    dissents: list[Item]
    answers: list[Item]
    objections: list[Item]
    decisions: list[Decision]
    polls: list[dict[str, Any]]
    entry_count: int

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def outcome(self) -> str:
        return self.decision.outcome if self.decision else ""

    @property
    def outcome_label(self) -> str:
        return self.decision.label if self.decision else NO_OUTCOME

    @property
    def date(self) -> str:
        """When the decision was reached, else when the log was signed (RFC 3339)."""
        return self.decision.at if self.decision else self.signed_at

    @property
    def active_dissents(self) -> list[Item]:
        return [d for d in self.dissents if not d.withdrawn]

    @property
    def deciding_answers(self) -> list[Item]:
        """The answers of the consent round the decision counted (all, before a decision)."""
        decision = self.decision
        if decision is None or decision.consent_round is None:
            return self.answers
        return [a for a in self.answers if a.consent_round == decision.consent_round]

    @property
    def earlier_answers(self) -> list[Item]:
        """Answers of earlier consent rounds (an objection since integrated, say)."""
        deciding = {id(a) for a in self.deciding_answers}
        return [a for a in self.answers if id(a) not in deciding]


def _fairness(data: dict[str, Any]) -> tuple[Fraction | None, Fraction | None, list[FairnessRow]]:
    rules = data.get("rules") or {}
    speaking_cap = _fraction(rules.get("speaking_cap"))
    vote_cap = _fraction(rules.get("vote_cap"))
    figures = data.get("fairness") or {}
    counted = {
        name: _fraction(f.get("vote_weight_counted")) or Fraction(0) for name, f in figures.items()
    }
    total = sum(counted.values(), Fraction(0))
    rows = []
    for name in sorted(figures):
        f = figures[name]
        share = _fraction(f.get("speaking_share")) or Fraction(0)
        vote_share = counted[name] / total if total else Fraction(0)
        rows.append(
            FairnessRow(
                organisation=name,
                speaking_ms=int(f.get("speaking_ms") or 0),
                speaking_share=share,
                vote_raw=_fraction(f.get("vote_weight_raw")) or Fraction(0),
                vote_counted=counted[name],
                vote_share=vote_share,
                speaking_over_cap=speaking_cap is not None and share > speaking_cap,
                vote_over_cap=vote_cap is not None and vote_share > vote_cap,
            )
        )
    return speaking_cap, vote_cap, rows


class _Reader:
    """Walks the entries once, filing each under what the pages show."""

    def __init__(self) -> None:
        self.proposal, self.proposed_by = "", ""
        self.amendments: list[Item] = []
        self.rounds: list[Round] = []
        self.current: Round | None = None
        self.dissents: dict[str, Item] = {}
        self.statements: dict[str, Item] = {}
        self.answers: list[Item] = []
        self.objections: list[Item] = []
        self.decisions: list[Decision] = []
        self.polls: dict[str, dict[str, Any]] = {}

    def read(self, entry: dict[str, Any]) -> None:
        handler = getattr(self, "on_" + str(entry["type"]).replace(".", "_"), None)
        if handler is not None:
            handler(
                entry.get("data") or {},
                int(entry["seq"]),
                str(entry["at"]),
                person(entry.get("actor")),
            )

    def place(self, item: Item) -> Item:
        if self.current is not None:
            self.current.items.append(item)
        return item

    def on_proposal_tabled(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        self.proposal, self.proposed_by = str(data.get("text") or ""), who

    def on_proposal_amended(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        self.proposal = str(data.get("text") or "")
        integrates = ", ".join(person(p) for p in data.get("integrates") or [])
        note = str(data.get("reason") or "") + (f" (integrates {integrates})" if integrates else "")
        label = f"Version {data.get('version')}"
        self.amendments.append(
            self.place(Item("amendment", seq, at, who, self.proposal, label, note=note))
        )

    def on_round_opened(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        name = str(data.get("round"))
        self.current = Round(
            name,
            ROUNDS.get(name, name),
            int(data.get("number") or 0),
            at,
            reopened=bool(data.get("reopened")),
            reason=str(data.get("reason") or ""),
        )
        self.rounds.append(self.current)

    def on_round_closed(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        if self.current is not None:
            self.current.closed_at = at
        self.current = None

    def on_statement_added(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        hidden = bool(data.get("hidden")) or data.get("text") is None
        item = Item("statement", seq, at, who, text=str(data.get("text") or ""), hidden=hidden)
        self.statements[str(data.get("statement"))] = self.place(item)

    def on_statement_hidden(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        item = self.statements.get(str(data.get("statement")))
        if item is not None:
            item.hidden, item.note = True, str(data.get("reason") or "")

    def on_perspective_tabled(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        label = PERSPECTIVE_KINDS.get(str(data.get("kind")), str(data.get("kind")))
        self.place(Item("perspective", seq, at, who, str(data.get("text") or ""), label))

    def on_dissent_recorded(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        label = DISSENT_KINDS.get(str(data.get("kind")), str(data.get("kind")))
        item = Item("dissent", seq, at, who, str(data.get("text") or ""), label)
        self.dissents[str(data.get("dissent"))] = self.place(item)

    def on_dissent_withdrawn(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        item = self.dissents.get(str(data.get("dissent")))
        if item is not None:
            item.withdrawn, item.note = True, at

    def on_consent_answered(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        position = str(data.get("position"))
        label = POSITIONS.get(position, position)
        number = data.get("consent_round")
        item = Item("answer", seq, at, who, str(data.get("text") or ""), label, note=position)
        item.consent_round = number if isinstance(number, int) else None
        self.answers.append(self.place(item))

    def on_objection_judged(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        verdict = "paramount" if data.get("paramount") else "not paramount"
        text = f"Objection by {person(data.get('objector'))} judged {verdict} by {who}"
        self.objections.append(self.place(Item("objection", seq, at, who, text)))

    def on_objection_settled(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        text = f"Objection by {person(data.get('objector'))} settled"
        self.objections.append(self.place(Item("objection", seq, at, who, text)))

    def on_speech_ended(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        speaker, spoke = person(data.get("speaker")), duration(int(data.get("duration_ms") or 0))
        self.place(Item("speech", seq, at, speaker, label=spoke))

    def on_vote_opened(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        self.polls[str(data.get("poll"))] = {
            "question": str(data.get("question") or ""),
            "method": str(data.get("method") or ""),
            "secret": bool(data.get("secret")),
            "outcome": "",
            "seq": seq,
        }

    def on_vote_closed(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        poll, result = self.polls.get(str(data.get("poll"))), data.get("result")
        if poll is not None and isinstance(result, dict):
            poll["outcome"] = str(result.get("outcome") or "")

    def on_decision_reached(self, data: dict[str, Any], seq: int, at: str, who: str) -> None:
        outcome = str(data.get("outcome"))
        speaking_cap, vote_cap, rows = _fairness(data)
        self.decisions.append(
            Decision(
                seq=seq,
                at=at,
                outcome=outcome,
                label=OUTCOMES.get(outcome, outcome),
                proposal=str(data.get("proposal") or self.proposal),
                proposal_version=data.get("proposal_version"),
                consent_round=_integer(data.get("consent_round")),
                quorum_met=data.get("quorum_met"),
                reason=str(data.get("reason") or ""),
                tally=[t for t in data.get("tally") or [] if isinstance(t, dict)],
                speaking_cap=speaking_cap,
                vote_cap=vote_cap,
                fairness=rows,
                overrides=[int(s) for s in data.get("overrides") or []],
            )
        )


def decision_view(document: dict[str, Any]) -> DecisionView:
    """Read a published log into what the pages show."""
    reader = _Reader()
    entries: list[dict[str, Any]] = document.get("entries") or []
    for entry in entries:
        reader.read(entry)
    head = document.get("head") or {}
    policy = str(document.get("policy"))
    room = document.get("room") or {}
    return DecisionView(
        room_id=str(room.get("id")),
        title=str(room.get("title")),
        policy=policy,
        policy_label=POLICIES.get(policy, policy),
        public_key=str(document.get("public_key")),
        head_seq=int(head.get("seq") or 0),
        head_hash=str(head.get("hash") or ""),
        signed_at=str(head.get("signed_at") or ""),
        proposal=reader.proposal,
        proposed_by=reader.proposed_by,
        amendments=reader.amendments,
        rounds=reader.rounds,
        dissents=list(reader.dissents.values()),
        answers=reader.answers,
        objections=reader.objections,
        decisions=reader.decisions,
        polls=list(reader.polls.values()),
        entry_count=len(entries),
    )


# The fairness chart: one group of two bars per organisation, drawn in user units.
CHART_WIDTH = 640
LABEL_WIDTH = 180
BAR_WIDTH = CHART_WIDTH - LABEL_WIDTH - 70
ROW_HEIGHT = 52


def chart(decision: Decision) -> dict[str, Any]:
    """Geometry of the fairness chart (the template draws it as inline SVG)."""
    rows = []
    for index, row in enumerate(decision.fairness):
        top = 30 + index * ROW_HEIGHT
        rows.append(
            {
                "row": row,
                "top": top,
                "speaking_w": round(float(row.speaking_share) * BAR_WIDTH, 1),
                "vote_w": round(float(row.vote_share) * BAR_WIDTH, 1),
            }
        )

    def cap_x(cap: Fraction | None) -> float | None:
        return (
            None
            if cap is None
            else round(LABEL_WIDTH + float(min(cap, Fraction(1))) * BAR_WIDTH, 1)
        )

    return {
        "width": CHART_WIDTH,
        "height": 40 + len(rows) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
        "bar_width": BAR_WIDTH,
        "rows": rows,
        "speaking_cap_x": cap_x(decision.speaking_cap),
        "vote_cap_x": cap_x(decision.vote_cap),
    }


def _inert(text: str) -> str:
    """No raw HTML and no table breaks: CommonMark shows ``\\<`` and ``\\|`` as < and |."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace("|", "\\|")


def _md_escape(text: str) -> str:
    """Free text on one line (a list item or a table cell), inert in Markdown."""
    return " ".join(_inert(text).split())


def _quote(text: str) -> str:
    lines = [_inert(line) for line in text.splitlines()] or [""]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def _md_item(item: Item) -> str:
    if item.kind == "statement":
        text = "(hidden by moderation)" if item.hidden and not item.text else item.text
        return f"- Statement by {_md_escape(item.who)}: {_md_escape(text)}"
    if item.kind == "speech":
        return f"- {_md_escape(item.who)} spoke for {_md_escape(item.label)}"
    if item.kind == "dissent":
        mark = " (withdrawn)" if item.withdrawn else ""
        return (
            f"- {_md_escape(item.label)}{mark} by {_md_escape(item.who)}: {_md_escape(item.text)}"
        )
    if item.kind in ("perspective", "answer", "amendment"):
        said = f": {_md_escape(item.text)}" if item.text else ""
        return f"- {_md_escape(item.label)}, {_md_escape(item.who)}{said}"
    return f"- {_md_escape(item.text or item.label)}"


def _md_proposal(view: DecisionView) -> list[str]:
    out = [
        "## Proposal",
        "",
        _quote(view.proposal),
        "",
        f"Tabled by {_md_escape(view.proposed_by)}.",
        "",
    ]
    for amendment in view.amendments:
        out += [f"### Amendment: {_md_escape(amendment.label)}, by {_md_escape(amendment.who)}", ""]
        out += [_quote(amendment.text), ""]
        if amendment.note:
            out += [f"Reason: {_md_escape(amendment.note)}", ""]
    return out


def _md_dissent(view: DecisionView) -> list[str]:
    if not view.dissents:
        return []
    out = ["## Recorded dissent", ""]
    for d in view.dissents:
        mark = " (withdrawn)" if d.withdrawn else ""
        out += [f"- **{_md_escape(d.label)}**{mark}, {_md_escape(d.who)}: {_md_escape(d.text)}"]
    return [*out, ""]


def _md_consent(view: DecisionView) -> list[str]:
    out = ["## Consent", ""]
    decision = view.decision
    if decision is not None:
        out += [f"Outcome: **{_md_escape(decision.label)}** ({decision.at}).", ""]
        if decision.reason:
            out += [f"Reason: {_md_escape(decision.reason)}", ""]
    out += _md_answers(view.deciding_answers)
    if view.earlier_answers:
        out += ["### Earlier consent rounds", "", *_md_answers(view.earlier_answers)]
    if view.objections:
        out += [f"- {_md_escape(o.text)} ({o.at})" for o in view.objections] + [""]
    return out


def _md_answers(answers: list[Item]) -> list[str]:
    if not answers:
        return []
    out = ["| Position | Who | Said |", "| --- | --- | --- |"]
    out += [
        f"| {_md_escape(a.label)} | {_md_escape(a.who)} | {_md_escape(a.text)} |" for a in answers
    ]
    return [*out, ""]


def _md_rounds(view: DecisionView) -> list[str]:
    out = ["## Rounds", ""]
    for r in view.rounds:
        closed = f" to {r.closed_at}" if r.closed_at else " (still open)"
        reopened = f" Reopened: {_md_escape(r.reason or 'no reason given')}." if r.reopened else ""
        out += [f"### {r.number}. {r.label}", "", f"From {r.opened_at}{closed}.{reopened}", ""]
        out += [_md_item(item) for item in r.items]
        if r.items:
            out += [""]
    return out


def _md_fairness(decision: Decision | None) -> list[str]:
    if decision is None or not decision.fairness:
        return []
    out = [
        "## Fairness",
        "",
        f"Speaking cap: {percent(decision.speaking_cap)}; vote cap: {percent(decision.vote_cap)}.",
        "",
        "| Organisation | Speaking time | Speaking share | Vote weight (raw) "
        "| Vote weight (counted) | Share of counted weight |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in decision.fairness:
        out += [
            f"| {_md_escape(row.organisation)} | {duration(row.speaking_ms)} "
            f"| {percent(row.speaking_share)} | {float(row.vote_raw):g} "
            f"| {float(row.vote_counted):g} | {percent(row.vote_share)} |"
        ]
    out += [""]
    if decision.overrides:
        out += [f"Facilitator overrides: entries {', '.join(map(str, decision.overrides))}.", ""]
    return out


def _md_verify(view: DecisionView, log_url: str) -> list[str]:
    return [
        "## Verify this record",
        "",
        f"- Public key: `{view.public_key}`",
        f"- Head: entry {view.head_seq}, `{view.head_hash}`",
        f"- Signed at: {view.signed_at}",
        f"- Log: [{log_url}]({log_url})",
        "",
        "```",
        f"evenfloor verify log.json --key {view.public_key}",
        f"node tools/verify-js/verify.mjs log.json --key {view.public_key}",
        "```",
        "",
    ]


def markdown(view: DecisionView, *, log_url: str = "log.json") -> str:
    """The decision as a Markdown document (what the page shows, in plain text)."""
    out = [f"# {_md_escape(view.title)}", ""]
    out += [f"**Outcome:** {_md_escape(view.outcome_label)}  ", f"**Date:** {view.date}  "]
    out += [f"**Publication policy:** {view.policy_label}", ""]
    out += _md_dissent(view) + _md_proposal(view) + _md_consent(view)
    out += _md_fairness(view.decision) + _md_rounds(view) + _md_verify(view, log_url)
    return "\n".join(out)


def atom_feed(
    views: list[DecisionView], *, feed_id: str, self_url: str, link: Any, updated: str
) -> bytes:
    """An Atom 1.0 feed with one entry per published decision; ``link(room_id) -> url``."""
    ElementTree.register_namespace("", ATOM)

    def sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", "Evenfloor: published decisions")
    sub(feed, "updated", max([v.signed_at for v in views], default=updated))
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    author = sub(feed, "author")
    sub(author, "name", "Evenfloor")
    for view in views:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:uuid:{view.room_id}")
        sub(entry, "title", view.title)
        sub(entry, "updated", view.signed_at)
        sub(entry, "link", rel="alternate", href=link(view.room_id), type="text/html")
        summary = f"{view.outcome_label}. {view.proposal}"
        dissent = len(view.active_dissents)
        if dissent:
            summary += f" ({dissent} recorded dissent{'s' if dissent != 1 else ''})"
        sub(entry, "summary", summary)
    ElementTree.indent(feed)
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
