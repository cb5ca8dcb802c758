"""``verivote admin``: the administrator's signed entries (docs/spec.md §11.4-§11.6).

Each command signs one entry with the sealed administrator key and posts it to the board, whose
receipt is checked; a refusal is one line naming the board's code. The candidate list and the
election key are computed from the log on the board and shown before posting.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from cli._common import (
    board_options,
    election_id,
    key_option,
    load_definition,
    load_role_key,
    open_client,
    passphrase_option,
    post_entry,
)
from cli._paper import results_table
from crypto.errors import MalformedInput
from election.admin import ORDERS, candidate_list, election_key, result, tally
from election.definition import format_time
from election.wire import (
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
    Candidate,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    TimetableChange,
)


@click.group("admin")
def command() -> None:
    """The administrator's entries: definition, timetable, nominations, lists, decisions, key."""


_key_option = key_option(
    "administrator.key",
    envvar="VERIVOTE_ADMIN_KEY",
    help="the sealed administrator key (verivote keys generate --role administrator)",
)


def _admin(f: Any) -> Any:
    return board_options(_key_option(passphrase_option(f)))


def _post(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
    *,
    type: str,
    payload: dict[str, Any],
    what: str,
) -> None:
    with open_client(board_url, election_id(election, definition_path)) as client:
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(client, type=type, payload=payload, key=key, what=what)


@command.command("publish")
@click.argument("toml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--board", "board_url", required=True, envvar="VERIVOTE_BOARD")
@_key_option
@passphrase_option
def publish(toml: Path, board_url: str, key_path: Path, passphrase_env: str | None) -> None:
    """Publish the election definition TOML (leaf 1 of the election's log)."""
    definition = load_definition(toml)
    key = load_role_key(key_path, "administrator", passphrase_env)
    if key.public != definition.administrator.key:
        raise MalformedInput(f"{key_path} is not the administrator key named in {toml}")
    with open_client(board_url, definition.id) as client:
        post_entry(
            client,
            type=ELECTION_DEFINITION,
            payload=DefinitionPayload(definition).to_json(),
            key=key,
            what="definition",
        )
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
@_admin
def timetable(
    field: str,
    time: str,
    reason: str,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Move FIELD of the timetable to TIME (local time in the election's zone, or with an
    offset), before it passes."""
    with open_client(board_url, election_id(election, definition_path)) as client:
        definition = client.definition()
        if definition is None:
            raise MalformedInput("the definition is not on the board yet")
        change = TimetableChange(field, _instant(time, definition.time_zone), reason)
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(
            client,
            type=TIMETABLE_CHANGE,
            payload=change.to_json(),
            key=key,
            what=f"timetable change ({field} {format_time(change.time)})",
        )


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
@click.option("--received", help="the date received, YYYY-MM-DD (default: today)")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="record many: columns contest,nominee,name,attributes,nominated_by,received "
    "(attributes as NAME=VALUE;NAME=VALUE)",
)
@_admin
def nominate(
    contest: str | None,
    nominee_id: str | None,
    name: str | None,
    attributes: tuple[str, ...],
    nominated_by: str | None,
    received: str | None,
    csv_path: Path | None,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Record nominations received (one from the options, or many from --csv)."""
    nominations = []
    if csv_path is not None:
        nominations = _read_nominations(csv_path)
    else:
        if not (contest and nominee_id and name and nominated_by):
            raise MalformedInput("give --contest, --nominee, --name and --by (or --csv)")
        day = date.fromisoformat(received) if received else date.today()
        candidate = Candidate(nominee_id, name, _attributes(attributes))
        nominations.append(Nomination(contest, candidate, nominated_by, day))
    with open_client(board_url, election_id(election, definition_path)) as client:
        key = load_role_key(key_path, "administrator", passphrase_env)
        for n in nominations:
            post_entry(
                client,
                type=NOMINATION,
                payload=n.to_json(),
                key=key,
                what=f"nomination of {n.nominee.id} ({n.contest}) by {n.nominated_by}",
            )


def _read_nominations(path: Path) -> list[Nomination]:
    columns = ["contest", "nominee", "name", "attributes", "nominated_by", "received"]
    out = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise MalformedInput(f"{path}: the header must be {','.join(columns)}")
        for line, row in enumerate(reader, start=2):
            try:
                pairs = tuple(p for p in (row["attributes"] or "").split(";") if p.strip())
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
@_admin
def exclude(
    contest: str,
    nominee_id: str,
    reason: str,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Exclude a nominee from a contest (withdrawal, ineligibility), with a reason."""
    payload = Exclusion.from_json({"contest": contest, "nominee": nominee_id, "reason": reason})
    _post(
        board_url,
        election,
        definition_path,
        key_path,
        passphrase_env,
        type=EXCLUSION,
        payload=payload.to_json(),
        what=f"exclusion of {nominee_id} from {contest}",
    )


@command.command("decision")
@click.option("--subject", required=True)
@click.option("--decision", "decision_text", required=True)
@click.option("--reason", required=True)
@_admin
def decision(
    subject: str,
    decision_text: str,
    reason: str,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Publish an administrative decision with its reason."""
    payload = Decision.from_json({"subject": subject, "decision": decision_text, "reason": reason})
    _post(
        board_url,
        election,
        definition_path,
        key_path,
        passphrase_env,
        type=DECISION,
        payload=payload.to_json(),
        what="decision",
    )


@command.command("candidate-list")
@click.option("--contest", required=True)
@click.option("--order", type=click.Choice(ORDERS), default="alphabetical", show_default=True)
@click.option("--yes", is_flag=True, help="post without asking for confirmation")
@_admin
def candidates(
    contest: str,
    order: str,
    yes: bool,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Compute a contest's candidate list from the nominations on the board, show it, post it."""
    with open_client(board_url, election_id(election, definition_path)) as client:
        state, _ = client.fold()
        listed = candidate_list(state, contest, order=order)
        click.echo(f"candidate list of {contest} ({len(listed.candidates)}, {order} order):")
        for k, c in enumerate(listed.candidates, start=1):
            extra = ", ".join(f"{a}={v}" for a, v in sorted(c.attributes.items()))
            click.echo(f"  {k:3}. {c.name} ({c.id}{'; ' + extra if extra else ''})")
        if not yes:
            click.confirm("post this candidate list?", abort=True, err=True)
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(
            client,
            type=CANDIDATE_LIST,
            payload=listed.to_json(),
            key=key,
            what=f"candidate list of {contest}",
        )


@command.command("election-key")
@click.option("--yes", is_flag=True, help="post without asking for confirmation")
@_admin
def publish_key(
    yes: bool,
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Compute the election key from the key ceremony on the board, show it, post it."""
    with open_client(board_url, election_id(election, definition_path)) as client:
        state, _ = client.fold()
        outcome = election_key(state)
        joint = outcome.key.joint_key
        click.echo(f"qualified dealers {list(joint.qualified)}")
        for d in outcome.result.disqualified:
            click.echo(f"disqualified dealer {d.dealer}: {d.reason}")
        for verdict in outcome.result.verdicts:
            click.echo(f"complaint ruling: {verdict.ruling.value}, trustee {verdict.at_fault}")
        click.echo(f"election public key {joint.public_key.to_hex()}")
        if not yes:
            click.confirm("post this election key?", abort=True, err=True)
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(
            client, type=ELECTION_KEY, payload=outcome.key.to_json(), key=key, what="election key"
        )


@command.command("tally")
@_admin
def post_tally(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """After voting closes: compute the tally of the counted ballots on the board (the last
    ballot per credential), post it (docs/spec.md §11.11)."""
    with open_client(board_url, election_id(election, definition_path)) as client:
        state, _ = client.fold()
        payload = tally(state)
        for contest in payload.contests:
            click.echo(f"{contest.contest}: {contest.ballots} counted ballot(s)")
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(client, type=TALLY, payload=payload.to_json(), key=key, what="tally")


@command.command("result")
@_admin
def post_result(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    passphrase_env: str | None,
) -> None:
    """Once t trustees have decrypted: combine, decode the counts, apply each contest's rules
    (quotas, §12.7), post the result and print it (docs/spec.md §11.12)."""
    with open_client(board_url, election_id(election, definition_path)) as client:
        state, _ = client.fold()
        outcome = result(state)
        key = load_role_key(key_path, "administrator", passphrase_env)
        post_entry(client, type=RESULT, payload=outcome.to_json(), key=key, what="result")
        assert state.params is not None
        results_table(state.params, outcome, Console(width=100))
