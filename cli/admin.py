"""``verivote admin``: the administrator's signed entries (docs/spec.md §11.4-§11.6).

Each command signs one entry with the sealed administrator key and posts it to the board, whose
receipt is checked; a refusal is one line naming the board's code. The candidate list and the
election key are computed from the log on the board and shown before posting.
``advance-clock`` moves a rehearsal log's clock (§10.2), refused on a real election's board.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from bulletin_board.booth import BoothFiles
from bulletin_board.wire import sign_clock_request
from cli._common import load_definition, read_text
from cli._context import ADMINISTRATOR, BoardSession, board_options
from cli._results import results_table, write_reports
from crypto.errors import MalformedInput, VerificationFailed
from election.admin import ORDERS, candidate_list, election_key, result, tally
from election.definition import format_time, local_date, to_ms
from election.roll import sheet_rows
from election.wire import (
    BOOTH_RELEASE,
    CANDIDATE_LIST,
    DECISION,
    ELECTION_DEFINITION,
    ELECTION_KEY,
    EXCLUSION,
    NOMINATION,
    RESULT,
    TALLY,
    TIMETABLE_CHANGE,
    TIMETABLE_FIELDS,
    BoothRelease,
    Candidate,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    TimetableChange,
)

#: Seconds the result may take to post: with its papers it is a large entry (a few MB at
#: 100,000 ballots) whose check replays every ranked count.
LARGE_POST_SECONDS = 1800.0


@click.group("admin")
def command() -> None:
    """The administrator's entries: definition, timetable, nominations, lists, decisions, key."""


_administrator = board_options(role=ADMINISTRATOR)


@command.command("publish")
@click.argument("toml", type=click.Path(dir_okay=False, path_type=Path))
@board_options(role=ADMINISTRATOR, election=False)
def publish(session: BoardSession, toml: Path) -> None:
    """Publish the election definition TOML (leaf 1 of the election's log)."""
    definition = load_definition(toml)
    if session.key().public != definition.administrator.key:
        raise MalformedInput(f"{session.key_path} is not the administrator key named in {toml}")
    session.use_election(definition.id)
    session.post(ELECTION_DEFINITION, DefinitionPayload(definition).to_json(), what="definition")
    click.echo(f"fingerprint {definition.fingerprint.hex()}")


def _instant(text: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedInput(f"not a date and time: {text!r} (e.g. 2027-01-26T12:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    if moment.microsecond:
        raise MalformedInput("whole seconds only")
    return moment.astimezone(UTC)


@command.command("timetable")
@click.argument("field", type=click.Choice(TIMETABLE_FIELDS))
@click.argument("time")
@click.option("--reason", required=True, help="why (published)")
@_administrator
def timetable(session: BoardSession, field: str, time: str, reason: str) -> None:
    """Move FIELD of the timetable to TIME (local time in the election's zone, or with an
    offset), before it passes."""
    definition = session.definition()
    change = TimetableChange(field, _instant(time, definition.time_zone), reason)
    what = f"timetable change ({field} {format_time(change.time)})"
    session.post(TIMETABLE_CHANGE, change.to_json(), what=what)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MalformedInput(f"not a date: {text!r} (YYYY-MM-DD, e.g. 2027-01-05)") from None


def _attributes(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise MalformedInput(f"attribute {pair!r}: write NAME=VALUE, e.g. gender=woman")
        out[name.strip()] = value.strip()
    return out


@command.command("nominate")
@click.option("--contest", help="the contest id")
@click.option("--nominee", "nominee_id", help="the nominee's id, e.g. ana-alves")
@click.option("--name", help="the nominee's name as on the ballot")
@click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE, e.g. gender=woman")
@click.option("--by", "nominated_by", help="who nominated, e.g. Ashton CLP")
@click.option("--received", help="the date received, YYYY-MM-DD (default: today on the board)")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="record many: columns contest,nominee,name,attributes,nominated_by,received "
    "(attributes as NAME=VALUE;NAME=VALUE)",
)
@_administrator
def nominate(
    session: BoardSession,
    contest: str | None,
    nominee_id: str | None,
    name: str | None,
    attributes: tuple[str, ...],
    nominated_by: str | None,
    received: str | None,
    csv_path: Path | None,
) -> None:
    """Record nominations received (one from the options, or many from --csv)."""
    nominations = []
    if csv_path is not None:
        nominations = _read_nominations(csv_path)
    else:
        if not (contest and nominee_id and name and nominated_by):
            raise MalformedInput("give --contest, --nominee, --name and --by (or --csv)")
        if received:
            day = _date(received)
        else:  # the board's date: a rehearsal's clock may run ahead (§10.2)
            day = local_date(session.client.clock(), session.definition().time_zone)
        candidate = Candidate(nominee_id, name, _attributes(attributes))
        nominations.append(Nomination(contest, candidate, nominated_by, day))
    for n in nominations:
        what = f"nomination of {n.nominee.id} ({n.contest}) by {n.nominated_by}"
        session.post(NOMINATION, n.to_json(), what=what)


def _read_nominations(path: Path) -> list[Nomination]:
    """Nominations from ``contest,nominee,name,attributes,nominated_by,received`` rows, read as
    the roll is (election/roll.py): a spreadsheet's byte-order mark dropped, CRLF line ends
    fine, a header that differs refused saying how."""
    columns = ("contest", "nominee", "name", "attributes", "nominated_by", "received")
    out = []
    for line, cells in sheet_rows(read_text(path), columns):
        if isinstance(cells, str):
            raise MalformedInput(f"{path}, line {line}: {cells}")
        row = dict(zip(columns, cells, strict=True))
        try:
            pairs = tuple(p for p in row["attributes"].split(";") if p.strip())
            candidate = Candidate(row["nominee"], row["name"], _attributes(pairs))
            value = Nomination(
                row["contest"],
                candidate,
                row["nominated_by"],
                date.fromisoformat(row["received"]),
            )
            out.append(Nomination.from_json(value.to_json()))
        except (MalformedInput, ValueError) as exc:
            raise MalformedInput(f"{path}, line {line}: {exc}") from None
    return out


@command.command("exclude")
@click.option("--contest", required=True)
@click.option("--nominee", "nominee_id", required=True)
@click.option("--reason", required=True, help="e.g. withdrew on 2027-01-03 (published)")
@_administrator
def exclude(session: BoardSession, contest: str, nominee_id: str, reason: str) -> None:
    """Exclude a nominee from a contest (withdrawal, ineligibility), with a reason."""
    payload = Exclusion.from_json({"contest": contest, "nominee": nominee_id, "reason": reason})
    session.post(EXCLUSION, payload.to_json(), what=f"exclusion of {nominee_id} from {contest}")


@command.command("decision")
@click.option("--subject", required=True)
@click.option("--decision", "decision_text", required=True)
@click.option("--reason", required=True)
@_administrator
def decision(session: BoardSession, subject: str, decision_text: str, reason: str) -> None:
    """Publish an administrative decision with its reason."""
    payload = Decision.from_json({"subject": subject, "decision": decision_text, "reason": reason})
    session.post(DECISION, payload.to_json(), what="decision")


@command.command("booth-release")
@click.option("--release", "version", help="the release's name (default: verivote's version)")
@_administrator
def booth_release(session: BoardSession, version: str | None) -> None:
    """Publish the SHA-256 of every file of the web booth this installation serves (spec
    §11.14), before voting opens; the board then serves exactly those files."""
    files = BoothFiles.read().files
    release = BoothRelease.of_files(files, version=version or metadata.version("verivote"))
    session.post(BOOTH_RELEASE, release.to_json(), what="booth release")
    click.echo(f"booth release {release.version}: {len(release.files)} files")


@command.command("candidate-list")
@click.option("--contest", required=True)
@click.option("--order", type=click.Choice(ORDERS), default="alphabetical", show_default=True)
@click.option("--yes", is_flag=True, help="post without asking for confirmation")
@_administrator
def candidates(session: BoardSession, contest: str, order: str, yes: bool) -> None:
    """Compute a contest's candidate list from the nominations on the board, show it, post it."""
    listed = candidate_list(session.fold(), contest, order=order)
    click.echo(f"candidate list of {contest} ({len(listed.candidates)}, {order} order):")
    for k, c in enumerate(listed.candidates, start=1):
        extra = ", ".join(f"{a}={v}" for a, v in sorted(c.attributes.items()))
        click.echo(f"  {k:3}. {c.name} ({c.id}{'; ' + extra if extra else ''})")
    if not yes:
        click.confirm("post this candidate list?", abort=True, err=True)
    session.post(CANDIDATE_LIST, listed.to_json(), what=f"candidate list of {contest}")


@command.command("election-key")
@click.option("--yes", is_flag=True, help="post without asking for confirmation")
@_administrator
def publish_key(session: BoardSession, yes: bool) -> None:
    """Compute the election key from the key ceremony on the board, show it, post it."""
    outcome = election_key(session.fold(), session.client.clock())
    joint = outcome.key.joint_key
    trustees = session.definition().trustees
    click.echo(f"qualified dealers {list(joint.qualified)} (they hold the key shares)")
    for d in outcome.result.disqualified:
        click.echo(
            f"absent trustee {d.dealer} ({trustees[d.dealer - 1].name}): {d.code}, {d.reason}"
        )
    for verdict in outcome.result.verdicts:
        click.echo(f"complaint ruling: {verdict.ruling.value}, trustee {verdict.at_fault}")
    click.echo(f"election public key {joint.public_key.to_hex()}")
    if not yes:
        click.confirm("post this election key?", abort=True, err=True)
    session.post(ELECTION_KEY, outcome.key.to_json(), what="election key")


@command.command("tally")
@_administrator
def post_tally(session: BoardSession) -> None:
    """After voting closes: compute the tally of the counted ballots on the board (the last
    ballot per credential), post it (docs/spec.md §11.11). Ranked contests are then mixed by
    the trustees (verivote trustee mix)."""
    payload = tally(session.fold())
    for contest in payload.contests:
        click.echo(f"{contest.contest}: {contest.ballots} counted ballot(s)")
    session.post(TALLY, payload.to_json(), what="tally")


@command.command("result")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write each ranked contest's count report here (FILE-CONTEST.html when several)",
)
@_administrator
def post_result(session: BoardSession, html_out: Path | None) -> None:
    """Once t trustees have decrypted the tally and each ranked contest's mixed list: combine,
    decode the counts and papers, apply each contest's rules (quotas §12.7, STV or IRV §12),
    post the result and print it, each ranked count stage by stage (docs/spec.md §11.12)."""
    session.timeout = session.patience = LARGE_POST_SECONDS
    state = session.fold()
    outcome = result(state)
    session.post(RESULT, outcome.to_json(), what="result")
    assert state.params is not None
    console = Console(width=100)
    results_table(state.params, outcome, console)
    if html_out is not None:
        write_reports(state.params, outcome, html_out, console)


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def _duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None:
        raise MalformedInput(f"not a duration: {text!r} (e.g. 3d, 12h, 90m, 1d6h)")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


@command.command("advance-clock")
@click.option("--to", "to_time", help="move the clock to TIME (local time in the election's "
              "zone, e.g. 2027-01-20T09:00, or with an offset)")  # fmt: skip
@click.option("--by", "by", help="move the clock on by DURATION, e.g. 2d, 6h, 1d12h, 30m")
@_administrator
def advance_clock(session: BoardSession, to_time: str | None, by: str | None) -> None:
    """REHEARSALS only: advance the election's clock on a rehearsal board (`verivote board
    serve --rehearsal`), e.g. to the opening of voting (docs/spec.md §10.2)."""
    if (to_time is None) == (by is None):
        raise MalformedInput("give --to TIME or --by DURATION")
    client = session.client
    if not client.rehearsal():
        raise VerificationFailed(
            f"{client.election} is a real election's log, not a rehearsal: its clock follows "
            "real time and cannot be advanced (rehearse on a board run with --rehearsal)"
        )
    definition = session.definition()
    if to_time is not None:
        to = to_ms(_instant(to_time, definition.time_zone))
    else:
        assert by is not None
        to = client.clock() + int(_duration(by).total_seconds() * 1000)
    request = sign_clock_request(election=client.election, to=to, key=session.key().key)
    now = client.advance_clock(request)
    shown = datetime.fromtimestamp(now / 1000, UTC).astimezone(ZoneInfo(definition.time_zone))
    click.echo(
        f"REHEARSAL: the clock of {client.election} now reads {shown:%Y-%m-%d %H:%M:%S %Z} "
        f"({definition.time_zone})"
    )
