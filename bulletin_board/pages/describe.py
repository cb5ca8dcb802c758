"""Spec §11.4-§11.12 Entries, phases and contests in words, in the page's language.

Shared by the pages, the Atom feed and the scrutineer's report: every sentence comes from the
catalogue (bulletin_board/pages/i18n.py), every time is in the election's time zone with the
zone named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bulletin_board.pages.digest import ElectionDigest, Posted
from bulletin_board.pages.i18n import Catalogue
from election.definition import Constraint, Contest, ContestKind, ElectionDefinition
from election.rules import to_ms

__all__ = [
    "absent_trustees",
    "constraint_text",
    "contest_kind",
    "contest_title",
    "describe_entry",
    "phase",
    "signer_name",
    "timetable_field",
    "who_votes",
]


def contest_title(digest: ElectionDigest, contest: str) -> str:
    """A contest's title (its id when the definition does not name it)."""
    if digest.definition is not None:
        for c in digest.definition.value.contests:
            if c.id == contest:
                return c.title
    return contest


def timetable_field(t: Catalogue, name: str) -> str:
    """A timetable instant's name (``Nominations close``)."""
    return t.text(f"timetable.{name}") if f"timetable.{name}" in t.messages else name


def contest_kind(t: Catalogue, contest: Contest) -> str:
    """How a contest is decided, in words (``9 seats, vote for up to 9``)."""
    kind = contest.kind
    if kind is ContestKind.REFERENDUM:
        return t.text("contest.referendum")
    if kind is ContestKind.APPROVAL:
        return t.text("contest.approval", seats=contest.seats)
    if kind is ContestKind.RANKED:
        method = contest.method.value if contest.method is not None else "?"
        return t.text(f"contest.ranked_{method}", seats=contest.seats)
    return t.text("contest.block", seats=contest.seats, up_to=contest.max_selections or 1)


def constraint_text(t: Catalogue, constraint: Constraint) -> str:
    """A quota rule in words (``at least 5 seats for gender = woman``)."""
    group = f"{constraint.attribute} = {constraint.value}"
    if constraint.maximum is None:
        return t.text("contest.at_least", min=constraint.minimum, group=group)
    if constraint.minimum == 0:
        return t.text("contest.at_most", max=constraint.maximum, group=group)
    return t.text("contest.between", min=constraint.minimum, max=constraint.maximum, group=group)


def who_votes(t: Catalogue, contest: Contest) -> str:
    """Who may vote in a contest: every member, or the members of its sections."""
    if not contest.sections:
        return t.text("contest.every_member")
    return t.text("contest.sections", sections=", ".join(contest.sections))


def signer_name(t: Catalogue, digest: ElectionDigest, posted: Posted) -> str:
    """Who signed an entry, by role and by the name the definition gives them."""
    definition = digest.definition.value if digest.definition is not None else None
    signer = posted.signer
    if definition is not None and signer == "administrator":
        return t.text("role.administrator", name=definition.administrator.name)
    if definition is not None and signer == "issuer":
        return t.text("role.issuer", name=definition.issuer.name)
    if definition is not None and signer.startswith("trustee "):
        j = int(signer[8:])
        return t.text("role.trustee", j=j, name=definition.trustees[j - 1].name)
    if signer == "board":
        return t.text("role.board")
    return t.text("role.unknown", role=posted.role)


def absent_trustees(t: Catalogue, digest: ElectionDigest, absent: Sequence[tuple[int, str]]) -> str:
    """Spec §7.5 and §11.6 The trustees the ceremony left out, by name, with the reason
    (``Trustee 3 (Cleo Diaz): posted no key by the deadline``)."""
    definition = digest.definition.value if digest.definition is not None else None
    named = []
    for j, reason in absent:
        name = definition.trustees[j - 1].name if definition is not None else str(j)
        named.append(t.text("absence.trustee", j=j, name=name, reason=t.text(f"absence.{reason}")))
    return "; ".join(named)


def describe_entry(t: Catalogue, digest: ElectionDigest, posted: Posted) -> str:
    """Spec §11.4 One entry in one line (``Ada Achebe nominated for NEC by Ashton CLP``)."""
    facts = posted.facts
    zone = digest.definition.value.time_zone if digest.definition is not None else "UTC"
    kind = posted.type
    if kind == "timetable-change":
        change = facts["change"]
        return t.text(
            "entry.timetable-change",
            field=timetable_field(t, change.field),
            before=t.when(facts["before"], zone),
            after=t.when(change.time, zone),
            reason=change.reason,
        )
    if kind == "nomination":
        nomination = facts["nomination"]
        return t.text(
            "entry.nomination",
            nominee=nomination.nominee.name,
            contest=contest_title(digest, nomination.contest),
            by=nomination.nominated_by,
            date=t.date(datetime(*nomination.received.timetuple()[:3])),
        )
    if kind == "exclusion":
        exclusion = facts["exclusion"]
        return t.text(
            "entry.exclusion",
            nominee=_nominee_name(digest, exclusion.contest, exclusion.nominee),
            contest=contest_title(digest, exclusion.contest),
            reason=exclusion.reason,
        )
    if kind == "candidate-list":
        return t.text(
            "entry.candidate-list",
            contest=contest_title(digest, facts["contest"]),
            count=t.number(facts["candidates"]),
        )
    if kind == "decision":
        decision = facts["decision"]
        return t.text(
            "entry.decision",
            subject=decision.subject,
            decision=decision.decision,
            reason=decision.reason,
        )
    if kind == "booth-release":
        return t.text(
            "entry.booth-release", version=facts["version"], count=t.number(facts["count"])
        )
    if kind == "election-key":
        absent = facts.get("absent", ())
        if absent:
            return t.text("entry.election-key-absent", trustees=absent_trustees(t, digest, absent))
        return t.text("entry.election-key")
    if kind == "credentials":
        return t.text(
            "entry.credentials",
            style=facts["style"],
            part=facts["part"],
            count=t.number(facts["count"]),
        )
    if kind == "credentials-complete":
        return t.text("entry.credentials-complete", total=t.number(facts["total"]))
    if kind == "credential-reissue":
        return t.text("entry.credential-reissue", style=facts["style"], reason=facts["reason"])
    if kind == "election-definition":
        return t.text("entry.election-definition", title=facts.get("title", ""))
    if kind == "complaint":
        return t.text("entry.complaint", j=facts.get("trustee", "?"), dealer=facts.get("dealer"))
    if kind == "mix" and "contest" in facts:
        return t.text(
            "entry.mix",
            j=facts.get("trustee", "?"),
            contest=contest_title(digest, facts["contest"]),
            number=facts["mix"] + 1,
            count=t.number(facts["count"]),
        )
    if kind == "ranked-decryption" and "contest" in facts:
        return t.text(
            "entry.ranked-decryption",
            j=facts.get("trustee", "?"),
            contest=contest_title(digest, facts["contest"]),
        )
    key = f"entry.{kind}"
    if key in t.messages and kind not in ("mix", "ranked-decryption"):
        return t.text(key, j=facts.get("trustee", "?"))
    return t.text("entry.other", type=kind)


def _nominee_name(digest: ElectionDigest, contest: str, nominee: str) -> str:
    for fact in digest.nominations.get(contest, []):
        if fact.value.nominee.id == nominee:
            return fact.value.nominee.name
    return nominee


def phase(t: Catalogue, digest: ElectionDigest, now: int) -> str:
    """Spec §11.4 Where the election stands at board time ``now``, in words, its next deadline
    named in the election's time zone (``Nominations close on 12 January at 17:00
    (Europe/London)``)."""
    if digest.definition is None or digest.timetable is None:
        return t.text("phase.undefined")
    definition: ElectionDefinition = digest.definition.value
    zone, tt = definition.time_zone, digest.timetable

    def at(moment: datetime) -> str:
        return t.when(moment, zone, year=False)

    if digest.result is not None:
        return t.text("phase.result", when=_at_ms(t, digest.result.received, zone))
    if now < to_ms(tt.nominations_open):
        return t.text("phase.before_nominations", when=at(tt.nominations_open))
    if now < to_ms(tt.nominations_close):
        return t.text("phase.nominations", when=at(tt.nominations_close))
    if now < to_ms(tt.voting_open):
        return t.text("phase.between", closed=at(tt.nominations_close), when=at(tt.voting_open))
    if now < to_ms(tt.voting_close):
        return t.text("phase.voting", when=at(tt.voting_close))
    if digest.tally is None:
        return t.text("phase.closed", when=at(tt.voting_close))
    return t.text("phase.counting", when=at(tt.voting_close))


def _at_ms(t: Catalogue, ms: int, zone: str) -> str:
    """An instant given in ms, in words, without the year."""
    return t.when(ms, zone, year=False)
