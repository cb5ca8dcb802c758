"""The content of each public page of an election, from its digest (bulletin_board/pages/digest.py).

Each ``*_view`` returns the plain values a template shows (strings already in the page's
language, numbers, leaf indices): home, nominations, decisions, participation; results are in
bulletin_board/pages/results.py. They read the digest only, so they cost the same whatever the
size of the log. ``Links`` says where a fact's leaf is: a page of the board, or (in the
scrutineer's report, which loads nothing) plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bulletin_board.cosignature import Cosignature
from bulletin_board.pages.describe import (
    absent_trustees,
    constraint_text,
    contest_kind,
    describe_entry,
    phase,
    signer_name,
    timetable_field,
    who_votes,
)
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.wire import SignedTreeHead
from election.definition import TIMETABLE_FIELDS, ContestKind

__all__ = [
    "PAGES",
    "Links",
    "decisions_view",
    "home_view",
    "nominations_view",
    "participation_view",
    "tree_head_view",
    "witnesses_view",
]

#: The pages of an election, in navigation order: (name in URLs, catalogue key of its title).
PAGES: Final = (
    ("", "nav.home"),
    ("nominations", "nav.nominations"),
    ("decisions", "nav.decisions"),
    ("participation", "nav.participation"),
    ("results", "nav.results"),
)
#: Audits listed on the participation page (the most recent; all are counted).
AUDITS_LISTED: Final = 50


@dataclass(frozen=True, slots=True)
class Links:
    """Where the pages of ``election`` are: under ``base`` (empty: this origin), or nowhere
    (``standalone``: the report names leaves as text and links to nothing)."""

    election: str
    base: str = ""
    standalone: bool = False

    def page(self, name: str = "") -> str:
        return f"{self.base}/e/{self.election}/{name}"

    def leaf(self, index: int) -> str:
        return f"{self.base}/e/{self.election}/leaf/{index}"

    def api(self, path: str = "") -> str:
        return f"{self.base}/v1/elections/{self.election}{path}"


def _zone(digest: ElectionDigest) -> str:
    return digest.definition.value.time_zone if digest.definition is not None else "UTC"


def tree_head_view(t: Catalogue, digest: ElectionDigest, sth: SignedTreeHead) -> dict[str, Any]:
    """The signed tree head a page was drawn from: size, root, time, board key."""
    return {
        "size": t.number(sth.tree_size),
        "tree_size": sth.tree_size,
        "root": sth.root_hash.hex(),
        "time": t.when(sth.timestamp, _zone(digest)),
        "board_key": sth.board_key.hex(),
    }


def witnesses_view(
    t: Catalogue,
    digest: ElectionDigest,
    cosigned: tuple[SignedTreeHead, list[Cosignature]] | None,
) -> dict[str, Any] | None:
    """Spec §10.5 The definition's witnesses and who cosigned the largest cosigned tree head
    (None before the definition)."""
    if digest.definition is None:
        return None
    definition = digest.definition.value
    if not definition.witnesses:
        return {"summary": t.text("home.witnesses_none"), "head": None, "rows": []}
    summary = t.text("home.witnesses", q=definition.witness_quorum, n=len(definition.witnesses))
    if cosigned is None:
        return {"summary": summary, "head": t.text("home.not_cosigned"), "rows": []}
    head, cosignatures = cosigned
    names = {w.key.raw: w.name for w in definition.witnesses}
    zone = _zone(digest)
    return {
        "summary": summary,
        "head": t.text("home.cosigned", size=t.number(head.tree_size),
                       time=t.when(head.timestamp, zone)),
        "rows": [
            {"name": names.get(c.witness, c.witness.hex()[:16]), "time": t.when(c.cosigned, zone)}
            for c in cosignatures
        ],
    }  # fmt: skip


def home_view(t: Catalogue, digest: ElectionDigest, now: int) -> dict[str, Any]:
    """Home: title, organisation, phase, timetable with every change and its reason, contests
    and who votes in each, the trustees and their steps."""
    if digest.definition is None:
        return {"defined": False, "phase": phase(t, digest, now)}
    definition = digest.definition.value
    zone = definition.time_zone
    changes: dict[str, list[dict[str, Any]]] = {}
    for fact in digest.timetable_changes:
        changes.setdefault(fact.value.field, []).append(
            {
                "time": t.when(fact.value.time, zone),
                "reason": fact.value.reason,
                "index": fact.index,
                "on": t.when(fact.received, zone),
            }
        )
    assert digest.timetable is not None
    timetable = [
        {
            "name": timetable_field(t, name),
            "time": t.when(getattr(digest.timetable, name), zone),
            "original": t.when(getattr(definition.timetable, name), zone),
            "changes": changes.get(name, []),
        }
        for name in TIMETABLE_FIELDS
    ]
    contests = []
    for contest in definition.contests:
        listed = digest.candidate_list(contest.id)
        contests.append(
            {
                "id": contest.id,
                "title": contest.title,
                "kind": contest_kind(t, contest),
                "who": who_votes(t, contest),
                "question": contest.question,
                "options": list(contest.options),
                "constraints": [constraint_text(t, c) for c in contest.constraints],
                "candidates": None if listed is None else t.number(len(listed.value.candidates)),
                "list_index": None if listed is None else listed.index,
                "referendum": contest.kind is ContestKind.REFERENDUM,
            }
        )
    trustees = []
    for j, holder in enumerate(definition.trustees, start=1):
        record = digest.trustees.get(j)
        trustees.append(
            {
                "j": j,
                "name": holder.name,
                "key": None if record is None else record.key,
                "confirmation": None if record is None else record.confirmation,
                "decryption": None if record is None else record.decryption,
            }
        )
    key = digest.election_key
    return {
        "defined": True,
        "title": definition.title,
        "organisation": definition.organisation,
        "zone": zone,
        "phase": phase(t, digest, now),
        "definition_index": digest.definition.index,
        "fingerprint": definition.fingerprint.hex(),
        "timetable": timetable,
        "contests": contests,
        "administrator": definition.administrator.name,
        "issuer": definition.issuer.name,
        "threshold": t.text("home.threshold", t=definition.threshold, n=len(definition.trustees)),
        "trustees": trustees,
        "election_key": None if key is None else key.index,
        "absent": "" if key is None or not key.value else absent_trustees(t, digest, key.value),
    }


def nominations_view(t: Catalogue, digest: ElectionDigest) -> dict[str, Any]:
    """Nominations: per contest (not a referendum) every nomination received, the threshold,
    withdrawals and exclusions with their reasons, the candidate list in ballot order."""
    if digest.definition is None:
        return {"contests": []}
    contests = []
    for contest in digest.definition.value.contests:
        if contest.kind is ContestKind.REFERENDUM:
            continue
        excluded = digest.excluded(contest.id)
        received = digest.nominations.get(contest.id, [])
        by_nominee: dict[str, dict[str, Any]] = {}
        rows = []
        for fact in received:
            n = fact.value
            rows.append(
                {
                    "nominee": n.nominee.name,
                    "by": n.nominated_by,
                    "date": t.date(datetime(*n.received.timetuple()[:3])),
                    "index": fact.index,
                }
            )
            entry = by_nominee.setdefault(
                n.nominee.id,
                {"name": n.nominee.name, "attributes": n.nominee.attributes, "by": set()},
            )
            entry["by"].add(n.nominated_by)
        nominees = []
        for nominee_id, entry in by_nominee.items():
            exclusion = excluded.get(nominee_id)
            count = len(entry["by"])
            nominees.append(
                {
                    "name": entry["name"],
                    "attributes": ", ".join(f"{k}: {v}" for k, v in entry["attributes"].items()),
                    "count": count,
                    "qualifies": count >= contest.nomination_threshold and exclusion is None,
                    "reason": None if exclusion is None else exclusion.value.reason,
                    "excluded_index": None if exclusion is None else exclusion.index,
                }
            )
        lists = digest.candidate_lists.get(contest.id, [])
        in_force = lists[-1] if lists else None
        contests.append(
            {
                "id": contest.id,
                "title": contest.title,
                "threshold": contest.nomination_threshold,
                "rows": rows,
                "nominees": nominees,
                "list": None
                if in_force is None
                else {
                    "index": in_force.index,
                    "published": t.when(in_force.received, _zone(digest)),
                    "candidates": [c.name for c in in_force.value.candidates],
                    "stale": any(
                        c.id in excluded and excluded[c.id].index > in_force.index
                        for c in in_force.value.candidates
                    ),
                },
                "replaced": [f.index for f in lists[:-1]],
            }
        )
    return {"contests": contests}


def decisions_view(t: Catalogue, digest: ElectionDigest) -> dict[str, Any]:
    """Decisions: every entry of the administrator, the issuer, the trustees and the board, in
    log order: when, who (role and name), what, and whether the signature verified."""
    zone = _zone(digest)
    return {
        "zone": zone,
        "rows": [
            {
                "index": p.index,
                "time": t.short(p.received, zone),
                "who": signer_name(t, digest, p),
                "what": describe_entry(t, digest, p),
                "verified": p.verified,
            }
            for p in digest.entries
        ],
    }


def participation_view(t: Catalogue, digest: ElectionDigest) -> dict[str, Any]:
    """Participation: credentials issued per ballot style, ballots received so far (a running
    count, never who), members who voted per style, audits, reissued credentials."""
    zone = _zone(digest)
    counts: Mapping[str, int] = (
        digest.credentials_complete.value
        if digest.credentials_complete is not None
        else digest.issued
    )
    styles = []
    for style, issued in sorted(counts.items()):
        voted = digest.voters_by_style.get(style, 0)
        styles.append(
            {
                "style": style,
                "issued": t.number(issued),
                "voted": t.number(voted),
                "turnout": t.percent(voted, issued),
            }
        )
    issued_total = sum(counts.values())
    voters = len(digest.voted)
    days = sorted(digest.ballots_by_day.items())
    peak = max((n for _, n in days), default=0)
    return {
        "zone": zone,
        "complete": None
        if digest.credentials_complete is None
        else digest.credentials_complete.index,
        "styles": styles,
        "issued": t.number(issued_total),
        "ballots": t.number(digest.ballots),
        "voters": t.number(voters),
        "revotes": t.number(digest.ballots - voters),
        "turnout": t.percent(voters, issued_total),
        "first": None if digest.first_ballot is None else t.when(digest.first_ballot, zone),
        "last": None if digest.last_ballot is None else t.when(digest.last_ballot, zone),
        "days": [
            {
                "day": t.date(datetime(d.year, d.month, d.day)),
                "count": t.number(n),
                "width": 0 if peak == 0 else max(1, 100 * n // peak),
            }
            for d, n in days
        ],
        "audits": t.number(len(digest.audits)),
        "audit_rows": [
            {"index": f.index, "time": t.short(f.received, zone)}
            for f in digest.audits[-AUDITS_LISTED:]
        ],
        "reissues": [
            {
                "index": f.index,
                "style": f.value.style,
                "reason": f.value.reason,
                "time": t.short(f.received, zone),
            }
            for f in digest.reissues
        ],
    }
