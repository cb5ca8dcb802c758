"""A member's ballot paper (Spec §11.3, §11.5): the contests of their style with the candidates
in the published order, and how the member's choices are read (``CONTEST=1,3`` or candidate
ids). The results the administrator and the demo print are ``cli._results``'s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import click

from crypto.errors import MalformedInput
from election.definition import Contest, ContestKind
from election.rules import ElectionParameters, ElectionState
from election.voter import check_choices
from election.wire import EMPTY_RANKING, ContestShape, HomomorphicOpening, Opening


@dataclass(frozen=True, slots=True)
class PaperContest:
    """One contest of a ballot paper: its definition, shape, and option labels in order."""

    contest: Contest
    shape: ContestShape
    labels: tuple[str, ...]
    ids: tuple[str, ...]

    def how_to_vote(self) -> str:
        kind = self.contest.kind
        if kind is ContestKind.REFERENDUM:
            return "mark one option"
        if kind is ContestKind.RANKED:
            return f"rank up to {self.shape.max_selections}, most preferred first"
        if kind is ContestKind.APPROVAL:
            return "mark every candidate you approve of"
        return f"vote for up to {self.shape.max_selections}"


def options_of(
    params: ElectionParameters, contest_id: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The labels and ids of a contest's options in ballot order (Spec §11.5 list order)."""
    contest = params.definition.contest(contest_id)
    if contest.kind is ContestKind.REFERENDUM:
        return contest.options, contest.options
    listed = params.candidate_lists[contest_id].candidates
    return tuple(c.name for c in listed), tuple(c.id for c in listed)


def ballot_paper(params: ElectionParameters, style: str) -> tuple[PaperContest, ...]:
    """Spec §11.3 The contests of ``style`` in definition order, candidates in list order."""
    out = []
    for shape in params.layout.style(style):
        labels, ids = options_of(params, shape.id)
        out.append(PaperContest(params.definition.contest(shape.id), shape, labels, ids))
    return tuple(out)


def member_style(state: ElectionState, credential: bytes) -> str:
    """The ballot style of a published, unrevoked credential (Spec §11.7).

    Raises:
        MalformedInput: the credential is not on the published lists, or was revoked.
    """
    found = state.credentials.credentials.get(credential)
    if found is None:
        raise MalformedInput("your credential is not on the published lists: check the code")
    if found.revoked:
        raise MalformedInput("your credential was revoked by a reissue: use the newer code")
    return found.style


def show_paper(paper: Sequence[PaperContest]) -> None:
    for item in paper:
        c = item.contest
        click.echo(f"\n[{c.id}] {c.title}: {item.how_to_vote()}")
        if c.question:
            click.echo(f"  {c.question}")
        for k, label in enumerate(item.labels, start=1):
            extra = "" if item.ids[k - 1] == label else f" ({item.ids[k - 1]})"
            click.echo(f"  {k:3}. {label}{extra}")


def parse_marks(item: PaperContest, text: str) -> tuple[int, ...]:
    """Spec §11.8 The option indices (0-based) ``text`` marks: comma-separated numbers as on
    the paper (1-based), candidate ids or option names; empty marks nothing.

    Raises:
        MalformedInput: an unknown candidate, or choices the contest does not allow.
    """
    marks = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        if token.isascii() and token.isdigit():
            k = int(token)
            if not 1 <= k <= len(item.labels):
                raise MalformedInput(
                    f"contest {item.contest.id}: no option {k} (options 1 to {len(item.labels)})"
                )
            marks.append(k - 1)
            continue
        folded = token.casefold()
        matches = [
            k
            for k, (label, ident) in enumerate(zip(item.labels, item.ids, strict=True))
            if folded in (label.casefold(), ident.casefold())
        ]
        if not matches:
            raise MalformedInput(f"contest {item.contest.id}: unknown candidate {token!r}")
        marks.append(matches[0])
    if len(set(marks)) != len(marks):
        raise MalformedInput(f"contest {item.contest.id}: an option is marked twice")
    return check_choices(item.shape, marks)


def read_choices(
    paper: Sequence[PaperContest], given: Sequence[str], *, interactive: bool
) -> dict[str, tuple[int, ...]]:
    """Every contest's marks from ``--choices CONTEST=MARKS`` options, or prompted.

    Raises:
        MalformedInput: a contest not on the paper, given twice, or missing (non-interactive).
    """
    by_id = {item.contest.id: item for item in paper}
    texts: dict[str, str] = {}
    for option in given:
        contest, sep, marks = option.partition("=")
        contest = contest.strip()
        if not sep:
            raise MalformedInput(f"--choices {option!r}: write CONTEST=MARKS, e.g. nec=1,3")
        if contest not in by_id:
            raise MalformedInput(
                f"--choices: {contest!r} is not on your ballot paper ({', '.join(by_id)})"
            )
        if contest in texts:
            raise MalformedInput(f"--choices: contest {contest} given twice")
        texts[contest] = marks
    choices = {}
    for contest, item in by_id.items():
        if contest in texts:
            choices[contest] = parse_marks(item, texts[contest])
            continue
        if not interactive:
            raise MalformedInput(f"no choices for contest {contest}: add --choices {contest}=...")
        while True:
            typed = click.prompt(
                f"{contest} ({item.how_to_vote()}; numbers separated by commas, blank for none)",
                default="",
                show_default=False,
                err=True,
            )
            try:
                choices[contest] = parse_marks(item, str(typed))
                break
            except MalformedInput as exc:
                click.echo(f"  {exc}", err=True)
    return choices


def describe(paper: Sequence[PaperContest], choices: Mapping[str, Sequence[int]]) -> list[str]:
    """One line per contest naming the options marked, in order."""
    lines = []
    for item in paper:
        marked = [item.labels[k] for k in choices[item.contest.id]]
        lines.append(f"{item.contest.id}: {', '.join(marked) if marked else '(nothing marked)'}")
    return lines


def opened_choices(
    paper: Sequence[PaperContest], openings: Sequence[Opening]
) -> dict[str, tuple[int, ...]]:
    """The marks an audit's openings show (Spec §11.9), by contest."""
    out: dict[str, tuple[int, ...]] = {}
    for item, opening in zip(paper, openings, strict=True):
        if isinstance(opening, HomomorphicOpening):
            out[item.contest.id] = tuple(k for k, m in enumerate(opening.choices) if m)
        else:
            nobody = opening.ranking == tuple(EMPTY_RANKING)
            out[item.contest.id] = () if nobody else opening.ranking
    return out
