"""The results the administrator and the demo print (Spec §11.12): per homomorphic contest each
option's votes, the elected, who was passed over for a quota rule (§12.7) and every tie the lot
decided between an elected and a not elected candidate (§12.6); per ranked contest
its papers, the count's stages (§12.1.5) and the elected in order of election, and its count
report as HTML on request."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cli._paper import options_of
from cli._stages import print_stages, say
from election.counting import CountResult, count_papers, decide_contest, decided_by_lot
from election.counting.report import render_html
from election.definition import Contest, ContestKind
from election.rules import ElectionParameters
from election.wire import ContestResult, RankedContestResult, Result

__all__ = ["ranked_counts", "results_table", "write_reports"]


def ranked_counts(params: ElectionParameters, result: Result) -> dict[str, CountResult]:
    """Spec §11.12 Each ranked contest's count of the result's papers (what its record holds),
    its candidates named as on the ballot paper when those names are distinct; contests with
    no valid paper have none."""
    out = {}
    for got in result.contests:
        if not isinstance(got, RankedContestResult):
            continue
        contest = params.definition.contest(got.contest)
        candidates = params.candidate_lists[got.contest]
        count = count_papers(contest, candidates, got.papers, seed=result.seed)
        if count is None:
            continue
        names = tuple(c.name for c in candidates.candidates)
        if len(set(names)) == len(names):
            count = dataclasses.replace(count, candidates=names)
        out[got.contest] = count
    return out


def results_table(params: ElectionParameters, result: Result, console: Console) -> None:
    """Spec §11.12 Each contest's counts or count, the elected, and any quota rule applied."""
    counts = ranked_counts(params, result)
    for got in result.contests:
        contest = params.definition.contest(got.contest)
        if isinstance(got, RankedContestResult):
            _ranked(contest, got, counts.get(got.contest), console)
        else:
            _homomorphic(params, contest, got, result.seed, console)
    console.print(
        f"decrypted by trustees {list(result.trustees)}; lot seed {result.seed.hex()[:16]}…"
    )


def _homomorphic(
    params: ElectionParameters,
    contest: Contest,
    got: ContestResult,
    seed: bytes,
    console: Console,
) -> None:
    labels, ids = options_of(params, contest.id)
    table = Table(title=f"{contest.title} ({contest.id})", title_justify="left")
    table.add_column("option")
    table.add_column("votes", justify="right")
    table.add_column("")
    for label, ident, count in zip(labels, ids, got.counts, strict=True):
        won = "wins" if contest.kind is ContestKind.REFERENDUM else "elected"
        mark = won if ident in got.elected else ""
        if ident in got.passed_over:
            mark = "passed over (quota)"
        table.add_row(label, str(count), mark)
    console.print(table)
    for rule in contest.constraints:
        bound = f"at least {rule.minimum}" if rule.minimum else ""
        if rule.maximum is not None:
            bound += f"{' and ' if bound else ''}at most {rule.maximum}"
        console.print(
            f"  quota rule: {bound} of {contest.seats} seats to {rule.attribute} = "
            f"{rule.value}; passed over for it: {list(got.passed_over) or 'nobody'}"
        )
    if contest.kind is ContestKind.REFERENDUM and not got.elected:
        console.print("  no option has the most votes: a tie")
    decision = decide_contest(
        contest, got.counts, candidates=params.candidate_lists.get(contest.id), seed=seed
    )
    name = dict(zip(ids, labels, strict=True))
    for lot in decision.lots:
        say(
            console,
            f"  tie between {', '.join(name[i] for i in lot.tied)} {decided_by_lot(seed)}: "
            f"{', '.join(name[i] for i in lot.elected)} elected",
        )


def _ranked(
    contest: Contest, got: RankedContestResult, count: CountResult | None, console: Console
) -> None:
    method = contest.method.value if contest.method is not None else "?"
    say(
        console,
        f"{contest.title} ({contest.id}): ranked, {method}, {contest.seats} seat(s); "
        f"{len(got.papers)} papers decrypted by trustees {list(got.trustees)} after mixing",
    )
    if count is None:
        say(console, "  no paper is a valid ranking: nothing to count, nobody elected")
        return
    say(
        console,
        f"  {count.valid_ballots} valid and {count.invalid_ballots} invalid papers, "
        f"{count.distinct_sequences} distinct preference lists, quota {count.value(count.quota)}"
        + (f"; constraints {', '.join(count.constraints)}" if count.constraints else ""),
    )
    print_stages(console, count)
    say(console, "  elected, in order: " + (", ".join(count.elected_names) or "nobody"))


def write_reports(
    params: ElectionParameters, result: Result, path: Path, console: Console
) -> list[Path]:
    """Spec §12.1.5 The count report (self-contained HTML) of each ranked contest: ``path``
    itself when there is one, else ``path`` with the contest id before its suffix."""
    counts = ranked_counts(params, result)
    written = []
    for contest, count in counts.items():
        target = path if len(counts) == 1 else path.with_name(f"{path.stem}-{contest}{path.suffix}")
        target.write_text(render_html(count), encoding="utf-8")
        written.append(target)
        console.print(f"count report of {contest}: {target}")
    return written
