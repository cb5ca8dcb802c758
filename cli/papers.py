"""``verivote papers``: a ranked contest's decrypted papers, as the result on a board publishes
them, written as a BLT file (spec §12.1.2, §12.1.6) that ``verivote count`` or any other STV
program counts again; with the contest's constraints, an attributes file beside it (§12.1.4).

It reads a board export (or downloads one from a board URL), checks it as a log (§10.4:
signatures, tree heads), and takes the definition, the candidate list in force, the tally and
the result from it. Whether the papers are really the ballots' plaintexts is the verifier's
question (``verivote verify``, checks 9 and 10), not this command's.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from bulletin_board.export import MAX_LINE, export_fingerprint, read_export
from bulletin_board.wire import Leaf
from crypto.errors import MalformedInput
from election.counting import blt_names, papers_blt
from election.definition import Contest, ContestKind, ElectionDefinition
from election.wire import (
    CANDIDATE_LIST,
    ELECTION_DEFINITION,
    RESULT,
    TALLY,
    BallotLayout,
    CandidateList,
    DefinitionPayload,
    RankedContestResult,
    Result,
    Tally,
    election_schemes,
)
from verifier import download_export

__all__ = ["Published", "command", "read_published"]


@dataclass(frozen=True, slots=True)
class Published:
    """What an export publishes about the count: the definition, the candidate lists in force,
    the result (None before it)."""

    definition: ElectionDefinition
    candidate_lists: dict[str, CandidateList]
    result: Result | None


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while line := stream.readline(MAX_LINE + 2):
            yield line


def read_published(path: Path) -> Published:
    """Spec §10.4 The definition, candidate lists and result of the export at ``path``, read as
    a checked log (each entry's signature, every tree head's root).

    Raises:
        MalformedInput: not an export, or no election definition in it.
        InvalidSignature, InconsistentLog: the export does not check.
    """
    fingerprint = export_fingerprint(_lines(path))
    if fingerprint is None:
        raise MalformedInput(f"{path}: leaf 1 is not an election definition")
    definition: ElectionDefinition | None = None
    lists: dict[str, CandidateList] = {}
    hashes: dict[str, bytes] = {}
    tally: Tally | None = None
    result: Result | None = None
    for item in read_export(_lines(path), election_schemes(fingerprint)):
        if not isinstance(item, Leaf):
            continue
        entry = item.entry
        if entry.type == ELECTION_DEFINITION and definition is None:
            definition = DefinitionPayload.from_json(entry.payload).definition
        elif definition is None:
            continue
        elif entry.type == CANDIDATE_LIST:
            listed = CandidateList.from_json(entry.payload)
            lists[listed.contest] = listed
            hashes[listed.contest] = entry.hash
        elif entry.type == TALLY:
            layout = BallotLayout.build(definition, lists, list_hashes=hashes)
            tally = Tally.from_json(entry.payload, layout)
        elif entry.type == RESULT and tally is not None:
            layout = BallotLayout.build(definition, lists, list_hashes=hashes)
            result = Result.from_json(entry.payload, layout, ranked=tally.ranked())
    if definition is None:
        raise MalformedInput(f"{path}: no election definition")
    return Published(definition, lists, result)


@contextmanager
def _export(source: str) -> Iterator[Path]:
    """The export file ``source`` names, downloaded first when it is a board URL."""
    if not source.startswith(("http://", "https://")):
        yield Path(source)
        return
    with tempfile.TemporaryDirectory(prefix="verivote-papers-") as folder:
        path = Path(folder) / "export.jsonl"
        with path.open("wb") as target:
            download_export(source, target)
        yield path


def _group(attribute: str, value: str) -> str:
    """A constraint's group name in the attributes file (``--min GROUP=N`` must parse it)."""
    return f"{attribute}:{value}".replace("=", "-").replace(",", ";")


def _attributes(contest: Contest, candidates: CandidateList, names: tuple[str, ...]) -> str:
    """Spec §12.1.4 One row per candidate and constrained group it belongs to."""
    rows = ["candidate,group"]
    for name, candidate in zip(names, candidates.candidates, strict=True):
        for rule in contest.constraints:
            if candidate.attributes.get(rule.attribute) == rule.value:
                rows.append(f'"{name}",{_group(rule.attribute, rule.value)}')
    return "\n".join(rows) + "\n"


@click.command("papers")
@click.argument("source")
@click.option("--contest", required=True, help="the ranked contest's id")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the BLT file to write (and FILE.attributes.csv beside it for constraints)",
)
def command(source: str, contest: str, out: Path) -> None:
    """Write ranked contest CONTEST's decrypted papers from the result on the board as a BLT
    file (docs/spec.md §12.1.2, §12.1.6), for verivote count or any STV program to recount.
    SOURCE is a board export file or a board URL (.../v1/elections/ID)."""
    with _export(source) as path:
        published = read_published(path)
    definition = published.definition
    try:
        chosen = definition.contest(contest)
    except KeyError:
        raise MalformedInput(f"the election has no contest {contest!r}") from None
    if chosen.kind is not ContestKind.RANKED or chosen.max_selections is None:
        raise MalformedInput(f"{contest} is a {chosen.kind.value} contest: it has no papers")
    if published.result is None:
        raise MalformedInput("the board holds no result yet: the papers are in the result")
    got = next(c for c in published.result.contests if c.contest == contest)
    assert isinstance(got, RankedContestResult)
    candidates = published.candidate_lists[contest]
    names = blt_names(candidates)
    blt, profile = papers_blt(chosen, candidates, got.papers)
    out.write_bytes(blt)
    click.echo(
        f"{out}: {len(got.papers)} papers of {contest} ({profile.valid} valid, "
        f"{profile.invalid} invalid), {len(names)} candidates, {chosen.seats} seat(s)"
    )
    method = chosen.method.value if chosen.method is not None else "scottish"
    recount = ["verivote", "count", str(out), "--method", method, "--seats", str(chosen.seats)]
    recount += ["--seed", published.result.seed.hex(), "--contest", contest]
    if chosen.constraints:
        attributes = out.with_name(f"{out.stem}.attributes.csv")
        attributes.write_text(_attributes(chosen, candidates, names), encoding="utf-8")
        click.echo(f"{attributes}: the constrained groups")
        recount += ["--attributes", str(attributes)]
        for rule in chosen.constraints:
            group = _group(rule.attribute, rule.value)
            if rule.minimum:
                recount += ["--min", f"{group}={rule.minimum}"]
            if rule.maximum is not None:
                recount += ["--max", f"{group}={rule.maximum}"]
    click.echo("recount with: " + shlex.join(recount))
