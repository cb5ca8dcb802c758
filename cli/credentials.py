"""``verivote credentials``: issue one credential per member, check one, reissue a lost one.

The issuer's directory holds the roll and the member → public credential record (mode 0600);
private codes exist in memory until delivered (a mail-merge CSV, which then holds secrets, or
SMTP), then are dropped. Spec §8.3, §11.7.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import click

from bulletin_board.wire import Leaf
from cli._common import console, progress, replace_secret, write_new_secret
from cli._context import ISSUER, BoardSession, board_options, show_rehearsal
from cli._mail import Smtp, send_letters, smtp_options, where
from cli.roll import ROLL_FILE, issuer_dir_option, private_dir
from crypto.errors import MalformedInput, VerificationFailed
from crypto.group import Point
from election.definition import ElectionDefinition, Timetable
from election.issuer import Issued, Letter, Where, issue_credentials, reissue_credential
from election.roll import Roll
from election.wire import (
    CREDENTIAL_REISSUE,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    CredentialReissue,
)

ISSUED_FILE = "issued.json"
CSV_COLUMNS = ("member_id", "name", "email", "style", "code", "election_page", "vote_url")


@click.group("credentials")
def command() -> None:
    """Voting credentials: issue, check, reissue (docs/spec.md §8.3, §11.7)."""


_issuer = board_options(role=ISSUER)


def _out_option(f: Any) -> Any:
    return click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="write the codes to this CSV for a mail merge (it holds SECRETS: deliver, delete)",
    )(f)


def _load_roll(issuer_dir: Path) -> Roll:
    path = issuer_dir / ROLL_FILE
    if not path.exists():
        raise MalformedInput(f"no roll in {issuer_dir}: run verivote roll import first")
    return Roll.from_bytes(path.read_bytes())


def _codes_csv(letters: list[Letter], where: Where) -> bytes:
    """The mail merge's rows: who, their code, the election's page (the timetable in force:
    a letter states no time that may change) and where to vote."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for letter in letters:
        m = letter.member
        code = letter.code.formatted()
        writer.writerow((m.id, m.name, m.email, letter.style, code, where.page, where.booth))
    return buffer.getvalue().encode("utf-8")


def _smtp(options: dict[str, Any]) -> Smtp | None:
    if options["smtp_address"] is None:
        return None
    return Smtp.from_options(
        options["smtp_address"],
        options["sender"],
        starttls=options["smtp_starttls"],
        user=options["smtp_user"],
        password_env=options["smtp_password_env"],
    )


def _deliver(
    letters: list[Letter],
    definition: ElectionDefinition,
    smtp: Smtp | None,
    *,
    where: Where,
    timetable: Timetable,
) -> None:
    if smtp is None or not letters:
        return
    with progress("sending letters", len(letters)) as advance:
        failures = send_letters(
            smtp, letters, definition, where=where, timetable=timetable, advance=advance
        )
    click.echo(f"{len(letters) - len(failures)} letter(s) sent by email")
    for member, reason in failures:
        click.echo(f"not sent to member {member}: {reason} (reissue their credential)", err=True)


def _warn_secret_file(path: Path, count: int) -> None:
    console.print(
        f"[bold red]WARNING[/]: {path} holds {count} secret credential code(s) in clear "
        "(mode 0600). Deliver them, then delete the file securely."
    )


@command.command("issue")
@issuer_dir_option
@_issuer
@_out_option
@smtp_options
@click.option("--resume", is_flag=True, help="finish an issue that was interrupted")
def issue(
    session: BoardSession, issuer_dir: Path, out: Path | None, resume: bool, **mail: Any
) -> None:
    """Issue one credential per eligible member: public credentials to the board (sorted
    parts per ballot style, then the counts), private codes to --out and/or --smtp."""
    smtp = _smtp(mail)
    if out is None and smtp is None and not resume:
        raise MalformedInput("say how to deliver the codes: --out CODES.csv and/or --smtp")
    if out is not None and out.exists():
        raise MalformedInput(f"{out} exists: choose another file (it is never overwritten)")
    roll = _load_roll(issuer_dir)
    issued_path = issuer_dir / ISSUED_FILE
    definition = session.definition()
    session.key()
    state = session.fold()
    links = where(session.board_url, definition.id, mail["vote_url"])
    letters: list[Letter] = []
    partial = None if out is None else out.with_name(out.name + ".partial")
    if resume:
        if not issued_path.exists():
            raise MalformedInput(f"nothing to resume: no {issued_path}")
        record = Issued.from_bytes(issued_path.read_bytes())
    else:
        if issued_path.exists():
            raise MalformedInput(
                f"credentials were issued already ({issued_path}); "
                "if that issue was interrupted, add --resume"
            )
        if state.credentials.parts or state.credentials.complete:
            raise MalformedInput("the board already holds credentials for this election")
        with progress("deriving credentials", len(roll.members)) as advance:
            result = issue_credentials(roll, definition, advance=advance)
        letters, record = list(result.letters), result.issued
        replace_secret(issued_path, record.to_bytes())
        if partial is not None:
            write_new_secret(partial, _codes_csv(letters, links))
    if record.fingerprint != definition.fingerprint:
        raise MalformedInput("the issuer record is for another definition than the board's")
    if not state.credentials.complete:
        parts = record.parts()
        with progress("posting credentials", len(record.credentials)) as advance:
            for part in parts:
                what = f"credentials part {part.part} of {part.style}"
                session.post(CREDENTIALS, part.to_json(), what=what, quiet=True)
                advance(len(part.credentials))
        complete = record.complete().to_json()
        session.post(CREDENTIALS_COMPLETE, complete, what="credentials-complete")
    counts = record.complete().counts if not record.revoked else {}
    for style, n in sorted(counts.items()):
        click.echo(f"  {n:>8} credentials of style {style}")
    if partial is not None and out is not None and partial.exists():
        os.replace(partial, out)
        _warn_secret_file(out, len(letters) or len(record.credentials))
    elif resume and smtp is not None and not letters:
        click.echo(
            "the codes of the interrupted issue are gone: reissue to members who did "
            "not receive theirs",
            err=True,
        )
    assert state.timetable is not None  # the definition is on the board
    _deliver(letters, definition, smtp, where=links, timetable=state.timetable)
    del letters
    click.echo(f"issuer record (member -> public credential) kept in {issued_path} (mode 0600)")


@command.command("check")
@click.argument("code", required=False)
@click.option("--full", is_flag=True,
              help="read the whole log, not the board's credential index")  # fmt: skip
@board_options()
def check(session: BoardSession, code: str | None, full: bool) -> None:
    """Check that your credential is on the published lists and not revoked. The code never
    leaves this computer: only the public credential it gives is looked for."""
    show_rehearsal(session.client)
    definition, credential = session.member_credential(code)
    public = credential.public
    target = public.to_hex()
    found, revoked = _scanned(session, public) if full else _indexed(session, public.to_bytes())
    if found is None:
        raise VerificationFailed(
            f"your credential {target[:16]}... is NOT on the published lists of "
            f"{definition.id}: contact {definition.issuer.name}"
        )
    if revoked is not None:
        raise VerificationFailed(
            f"your credential was REVOKED by a reissue (leaf {revoked}): use the newer one"
        )
    click.echo(f"your credential is on the published list of {definition.id}: {found}; not revoked")


def _indexed(session: BoardSession, credential: bytes) -> tuple[str | None, int | None]:
    """Spec §11.15 Where the credential was issued and revoked, from the board's signed index:
    only the leaves that name it are read, each proved in the index head's tree head."""
    current = session.client.tree_head().tree_size  # an index at least as new as this
    answer = session.client.credential_index(credential, current)
    if answer.record is None:  # its absence proved by the neighbouring records in the index
        return None, None
    # The issuing leaf is read whole (a `credentials` part is ~700 KB): its inclusion proof is
    # over the whole leaf, and the device checks itself that the part lists the credential.
    leaves = session.client.credential_leaves(answer, skip={"ballots", "audits"})
    return _issue_of(leaves[answer.record.issued[-1]]), (
        answer.record.revoked[0] if answer.record.revoked else None
    )


def _issue_of(leaf: Leaf) -> str:
    if leaf.entry.type == CREDENTIALS:
        return f"style {leaf.entry.payload['style']} (leaf {leaf.index})"
    return f"style {leaf.entry.payload['style']} (reissued, leaf {leaf.index})"


def _scanned(session: BoardSession, public: Point) -> tuple[str | None, int | None]:
    """Where the credential was issued and revoked, from every leaf of the log."""
    found: str | None = None
    revoked: int | None = None
    target = public.to_hex()
    for leaf in session.client.leaves():
        entry = leaf.entry
        if entry.type == CREDENTIALS and target in entry.payload["credentials"]:
            found = _issue_of(leaf)
        elif entry.type == CREDENTIAL_REISSUE:
            reissue = CredentialReissue.from_json(entry.payload)
            if reissue.credential == public:
                found = _issue_of(leaf)
            if reissue.revoked == public:
                revoked = leaf.index
    return found, revoked


@command.command("reissue")
@click.argument("member_id")
@click.option("--reason", required=True, help="why (published), e.g. letter lost in the post")
@issuer_dir_option
@_issuer
@_out_option
@smtp_options
def reissue(
    session: BoardSession,
    member_id: str,
    reason: str,
    issuer_dir: Path,
    out: Path | None,
    **mail: Any,
) -> None:
    """Give MEMBER_ID a new credential; the old one is revoked on the board."""
    smtp = _smtp(mail)
    if out is None and smtp is None:
        raise MalformedInput("say how to deliver the new code: --out FILE.csv and/or --smtp")
    if out is not None and out.exists():
        raise MalformedInput(f"{out} exists: choose another file (it is never overwritten)")
    roll = _load_roll(issuer_dir)
    issued_path = issuer_dir / ISSUED_FILE
    if not issued_path.exists():
        raise MalformedInput(f"no issued credentials in {issuer_dir}")
    record = Issued.from_bytes(issued_path.read_bytes())
    try:
        member = roll.member(member_id)
    except KeyError:
        raise MalformedInput(f"member {member_id} is not on the roll") from None
    definition = session.client.definition()
    if definition is None or definition.fingerprint != record.fingerprint:
        raise MalformedInput("the board's definition is not the one credentials were issued for")
    session.key()
    timetable = session.fold().timetable  # in force now: the letter states it as current
    assert timetable is not None
    links = where(session.board_url, definition.id, mail["vote_url"])
    letter, payload, updated = reissue_credential(record, member, definition, reason=reason)
    session.post(CREDENTIAL_REISSUE, payload.to_json(), what=f"reissue for member {member_id}")
    replace_secret(private_dir(issuer_dir) / ISSUED_FILE, updated.to_bytes())
    if out is not None:
        write_new_secret(out, _codes_csv([letter], links))
        _warn_secret_file(out, 1)
    _deliver([letter], definition, smtp, where=links, timetable=timetable)
    del letter
