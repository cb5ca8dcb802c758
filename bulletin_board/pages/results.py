"""Spec §11.12 and §12 The results page: per contest the decrypted counts (block, approval,
referendum) or, for a ranked contest, the stage-by-stage count from its record (§12.1.5); the
quota rules and who was passed over for them; invalid papers; the trustees who decrypted; the
downloads; the verifier's verdict.

Charts are computed here as plain geometry (integers only, like the count) and drawn as inline
SVG by the templates; each chart sits next to the table that is its text alternative. The
stage chart follows election/counting/report.py: a bar per candidate per stage, coloured by
``candidate_status``, with the quota line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from bulletin_board.pages.describe import constraint_text, contest_kind
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.pages.record import COUNT_FORMAT, read_count_record
from crypto.errors import MalformedInput, VerivoteError
from election.counting.contest import decide_contest
from election.counting.lot import Lot
from election.counting.papers import papers_blt
from election.counting.record import ActionKind, CountResult, Stage
from election.counting.report import candidate_status
from election.definition import Contest, ContestKind
from election.wire import ContestResult, RankedContestResult

__all__ = [
    "BAR_WIDTH",
    "VIEWS_BUILT",
    "contest_blt",
    "count_record_of",
    "ranked_view",
    "results_key",
    "results_view",
]

#: Width (SVG units) of the longest bar, the label column, and one bar row.
BAR_WIDTH: Final = 420
LABEL: Final = 180
ROW: Final = 24
#: How many results views this process has built (``results_view`` calls): the tests see that a
#: page served again is drawn from the cache (bulletin_board/pages/render.py).
VIEWS_BUILT: Final[Counter[str]] = Counter()


def _bars(
    t: Catalogue,
    rows: Sequence[tuple[str, int, str, str]],
    *,
    quota: int | None = None,
    quota_label: str = "",
) -> dict[str, Any]:
    """An SVG bar chart's geometry: per row (label, value, shown value, status), the bar's y
    and width; the quota line's x when there is one."""
    top = max([*(v for _, v, _, _ in rows), quota or 0, 1])
    bars = []
    for k, (label, value, shown, status) in enumerate(rows):
        bars.append(
            {
                "label": label,
                "shown": shown,
                "status": status,
                "status_text": t.text(f"status.{status}") if status else "",
                "y": 6 + k * ROW,
                "width": value * BAR_WIDTH // top,
            }
        )
    height = 6 + len(rows) * ROW + (26 if quota is not None else 6)
    return {
        "bars": bars,
        "label_x": LABEL - 8,
        "bar_x": LABEL,
        "width": LABEL + BAR_WIDTH + 170,
        "height": height,
        "row": ROW,
        "quota_x": None if quota is None else LABEL + quota * BAR_WIDTH // top,
        "quota_label": quota_label,
        "quota_y": height - 8,
    }


def count_record_of(contest_result: Mapping[str, Any]) -> CountResult | None:
    """The §12.1.5 count record a ranked contest's result carries, if any (whichever member
    holds an object of format ``verivote-count``).

    Raises:
        MalformedInput: the record does not read.
    """
    for value in contest_result.values():
        if isinstance(value, Mapping) and value.get("format") == COUNT_FORMAT:
            return read_count_record(value)
    return None


def _describe_stage(t: Catalogue, result: CountResult, stage: Stage) -> str:
    names = ", ".join(result.candidates[c] for c in stage.action.subjects)
    kind = stage.action.kind
    if kind is ActionKind.FIRST_PREFERENCES:
        return t.text("ranked.first_preferences")
    if kind is ActionKind.SURPLUS:
        return t.text("ranked.surplus", names=names)
    if kind is ActionKind.CONSTRAINT_EXCLUSION:
        return t.text("ranked.constraint_exclusion", names=names)
    return t.text("ranked.exclusion", names=names)


def ranked_view(t: Catalogue, result: CountResult) -> dict[str, Any]:
    """Spec §12.1.5 A ranked count: summary, the stage table (every candidate's total at the
    end of each stage, and the running non-transferable, loss and quota), and per stage a
    chart (a bar per candidate, the quota line, elected, excluded and doomed marked, the
    transfers in the table)."""
    v = result.value
    final = candidate_status(result, len(result.stages))
    stages = []
    for stage in result.stages:
        status = candidate_status(result, stage.number)
        rows = [
            (name, stage.totals[c], v(stage.totals[c]), status[c])
            for c, name in enumerate(result.candidates)
        ]
        stages.append(
            {
                "number": stage.number,
                "action": _describe_stage(t, result, stage),
                "elected": ", ".join(result.candidates[c] for c in stage.elected),
                "excluded": ", ".join(result.candidates[c] for c in stage.excluded),
                "non_transferable": v(stage.non_transferable),
                "loss": v(stage.loss_to_fractions),
                "chart": _bars(
                    t,
                    rows,
                    quota=stage.quota,
                    quota_label=t.text("ranked.quota_line", quota=v(stage.quota)),
                ),
                "transfers": [
                    {"name": result.candidates[c], "change": v(x)}
                    for c, x in enumerate(stage.transfers)
                    if x and stage.number > 1
                ],
                "ties": [
                    t.text(
                        "ranked.tie_lot" if tie.decided_by == 0 else "ranked.tie_stage",
                        order=", ".join(result.candidates[c] for c in tie.order),
                        stage=tie.decided_by,
                        seed=result.lot_seed.hex(),
                    )
                    for tie in stage.ties
                ],
            }
        )
    table = [
        {
            "name": name,
            "status": final[c],
            "status_text": t.text(f"status.{final[c]}"),
            "totals": [v(s.totals[c]) for s in result.stages],
        }
        for c, name in enumerate(result.candidates)
    ]
    return {
        "method": t.text(f"method.{result.method}")
        if f"method.{result.method}" in t.messages
        else result.method,
        "seats": result.seats,
        "valid": t.number(result.valid_ballots),
        "invalid": t.number(result.invalid_ballots),
        "quota": v(result.quota),
        "elected": [result.candidates[c] for c in result.elected],
        "constraints": list(result.constraints),
        "numbers": [s.number for s in result.stages],
        "table": table,
        "exhausted": [v(s.exhausted) for s in result.stages],
        "lost": [v(s.lost) for s in result.stages],
        "quotas": [v(s.quota) for s in result.stages],
        "stages": stages,
        "seed": result.lot_seed.hex(),
    }


def _lots(
    t: Catalogue,
    digest: ElectionDigest,
    contest: Contest,
    counts: Sequence[int],
    seed: bytes | None,
    name: Mapping[str, str],
) -> list[str]:
    """Spec §12.6 and §12.7 Each tie the lot decided between an elected and a not elected
    candidate of a block or approval contest, drawn again here from the result's seed (as
    ``decide_contest`` decides for the administrator and the verifier alike), with the seed and
    the rule, so that anyone can draw it again (issue 15 item 4). A referendum draws no lot."""
    listed = digest.candidate_list(contest.id)
    if contest.kind is ContestKind.REFERENDUM or listed is None or seed is None:
        return []
    try:
        decision = decide_contest(contest, counts, candidates=listed.value, seed=seed)
    except (ValueError, VerivoteError):  # bad counts, infeasible rules: the verifier says so
        return []
    return [
        t.text(
            "results.lot",
            tied=", ".join(name.get(c, c) for c in lot.tied),
            elected=", ".join(name.get(c, c) for c in lot.elected),
            seed=seed.hex(),
        )
        for lot in decision.lots
    ]


def _homomorphic(
    t: Catalogue,
    digest: ElectionDigest,
    contest: Contest,
    counts: Sequence[int],
    elected: Sequence[str],
    passed_over: Sequence[str],
    *,
    seed: bytes | None,
) -> dict[str, Any]:
    if contest.kind is ContestKind.REFERENDUM:
        names = list(contest.options)
        ids = names
    else:
        listed = digest.candidate_list(contest.id)
        candidates = listed.value.candidates if listed is not None else ()
        names = [c.name for c in candidates]
        ids = [c.id for c in candidates]
    if len(counts) != len(names):
        raise MalformedInput(f"{len(counts)} counts for {len(names)} options")
    total = sum(counts)
    order = sorted(range(len(counts)), key=lambda k: (-counts[k], k))
    rows = []
    for k in order:
        status = "elected" if ids[k] in elected else "passed_over" if ids[k] in passed_over else ""
        rows.append(
            {
                "name": names[k],
                "count": t.number(counts[k]),
                "share": t.percent(counts[k], total),
                "status": status,
                "status_text": t.text(f"status.{status}") if status else "",
            }
        )
    chart = _bars(
        t,
        [
            (names[k], counts[k], t.number(counts[k]), rows[i]["status"])
            for i, k in enumerate(order)
        ],
    )
    winners = [names[ids.index(e)] for e in elected if e in ids]
    return {
        "rows": rows,
        "chart": chart,
        "winners": winners,
        "passed_over": [names[ids.index(p)] for p in passed_over if p in ids],
        "tie": contest.kind is ContestKind.REFERENDUM and not winners,
        "lots": _lots(t, digest, contest, counts, seed, dict(zip(ids, names, strict=True))),
    }


def _named(digest: ElectionDigest, contest: str, record: CountResult) -> CountResult:
    """The record with its candidates (named by id in an election, §11.12) given the names of
    the contest's candidate list."""
    listed = digest.candidate_list(contest)
    names = {c.id: c.name for c in listed.value.candidates} if listed is not None else {}
    shown = tuple(names.get(c, c) for c in record.candidates)
    return replace(record, candidates=shown) if len(set(shown)) == len(shown) else record


def _published_counts(
    raw: Mapping[str, Any],
) -> tuple[list[int], list[str], list[str]] | None:
    """A contest's counts, elected and passed over as published, when the whole result does not
    parse with this version's reader (a newer entry format): shown as published, judged by the
    verifier."""
    counts, elected = raw.get("counts"), raw.get("elected", [])
    if not isinstance(counts, list) or not all(type(n) is int and n >= 0 for n in counts):
        return None
    passed_over = raw.get("passed_over", [])
    if not isinstance(elected, list) or not isinstance(passed_over, list):
        return None
    return counts, [str(e) for e in elected], [str(p) for p in passed_over]


def _published_seed(text: str) -> bytes | None:
    """The result's lot seed as published (64 lower-case hex digits), or None."""
    try:
        return Lot.from_hex(text).seed
    except MalformedInput:
        return None


def results_key(digest: ElectionDigest) -> tuple[Hashable, ...] | None:
    """Once the result is on the log, the leaves ``results_view`` draws from: the definition,
    the result (its leaf and entry hash), the tally, each trustee's decryption and the candidate
    list in force of each contest; equal keys, equal views (in one language). None before the
    result (the view then shows the phase, drawn per request)."""
    result, definition = digest.result, digest.definition
    if result is None or definition is None:
        return None
    posted = digest.posted(result.index)
    return (
        digest.election,
        definition.index,
        result.index,
        None if posted is None else posted.hash,
        None if digest.tally is None else digest.tally.index,
        tuple((j, digest.trustees[j].decryption) for j in digest.decrypted_by()),
        tuple(sorted((c, f[-1].index) for c, f in digest.candidate_lists.items() if f)),
    )


def results_view(t: Catalogue, digest: ElectionDigest) -> dict[str, Any]:
    """Results: per contest the counts or the ranked count, the tally's ballots, the trustees
    who decrypted, the result's leaf and seed (or, before the result, where the count is).
    Everything it reads of the digest once the result is posted is in ``results_key``."""
    VIEWS_BUILT["results"] += 1
    definition = digest.definition.value if digest.definition is not None else None
    result = digest.result
    decrypted = [
        {
            "j": j,
            "name": definition.trustees[j - 1].name if definition else str(j),
            "index": digest.trustees[j].decryption,
        }
        for j in digest.decrypted_by()
    ]
    view: dict[str, Any] = {
        "published": result is not None,
        "tally": None if digest.tally is None else digest.tally.index,
        "decrypted": decrypted,
        "threshold": definition.threshold if definition else None,
        "contests": [],
    }
    if result is None or definition is None:
        return view
    zone = definition.time_zone
    view.update(
        index=result.index,
        when=t.when(result.received, zone),
        seed=str(result.payload.get("seed", "")),
        trustees=", ".join(str(j) for j in result.payload.get("trustees", [])),
    )
    published = {str(c.get("contest")): c for c in result.payload.get("contests", [])}
    seed = result.parsed.seed if result.parsed is not None else _published_seed(view["seed"])
    tally = digest.tally.value if digest.tally is not None else {}
    for contest in definition.contests:
        item: dict[str, Any] = {
            "id": contest.id,
            "title": contest.title,
            "kind": contest_kind(t, contest),
            "ballots": t.number(tally.get(contest.id, 0)),
            "constraints": [constraint_text(t, c) for c in contest.constraints],
            "referendum": contest.kind is ContestKind.REFERENDUM,
            "question": contest.question,
            "ranked": None,
            "counts": None,
            "blt": None,
            "error": None,
        }
        raw = published.get(contest.id, {})
        parsed = None
        if result.parsed is not None:
            parsed = next((c for c in result.parsed.contests if c.contest == contest.id), None)
        published_counts = _published_counts(raw) if result.parsed is None else None
        try:
            if isinstance(parsed, ContestResult):
                item["counts"] = _homomorphic(
                    t, digest, contest, parsed.counts, parsed.elected, parsed.passed_over, seed=seed
                )
            elif published_counts is not None and contest.kind is not ContestKind.RANKED:
                item["counts"] = _homomorphic(t, digest, contest, *published_counts, seed=seed)
            elif contest.kind is ContestKind.RANKED:
                record = count_record_of(raw)
                item["blt"] = isinstance(parsed, RankedContestResult)
                if record is not None:
                    item["ranked"] = ranked_view(t, _named(digest, contest.id, record))
                elif "papers" in raw:
                    item["error"] = t.text("results.nothing_counted")
                else:
                    item["error"] = t.text("results.unreadable")
            else:
                item["error"] = t.text("results.unreadable")
        except MalformedInput as exc:
            item["error"] = str(exc)
        view["contests"].append(item)
    return view


def contest_blt(digest: ElectionDigest, contest: str) -> bytes | None:
    """Spec §12.1.2 and §12.1.6 The decrypted papers of ranked contest ``contest`` as the result
    on the log publishes them, as a BLT file (what ``verivote papers`` writes); None when the
    election has no such ranked contest or no checked result yet."""
    result = digest.result
    definition = digest.definition.value if digest.definition is not None else None
    if result is None or result.parsed is None or definition is None:
        return None
    chosen = next((c for c in definition.contests if c.id == contest), None)
    parsed = next((c for c in result.parsed.contests if c.contest == contest), None)
    lists = digest.candidate_lists.get(contest)
    if chosen is None or not isinstance(parsed, RankedContestResult) or not lists:
        return None
    blt, _profile = papers_blt(chosen, lists[-1].value, parsed.papers)
    return blt
