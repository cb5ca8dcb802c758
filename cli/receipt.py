"""``verivote receipt check``: is my ballot still on the board, and does it count? (§11.13)

The receipt file (§11.13) holds the board's receipt for the ballot: the leaf with the
ballot entry, a signed tree head and the inclusion proof. Checking it against the board now:

1. the receipt itself: the ballot's signature, the tree head's signature, the inclusion proof;
2. the tree head is signed by the board's key (leaf 0's);
3. the board's current tree head is consistent with the receipt's (a consistency proof): the
   board has not rewritten the log since;
4. the ballot is at the same index of the current tree (an inclusion proof);
5. the credential's own leaves, read through the board's signed credential index (§11.15),
   or with ``--full`` the whole log folded and checked, count it: it is the credential's last
   ballot, or it is superseded by a later revote (leaf named), or the credential was revoked.
   A later ballot that an audit opens is not a revote: the member only audited it and the
   board cast it (§11.10); that is reported as evidence, exit status non-zero.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import click

from bulletin_board.client import BoardClient
from bulletin_board.credential_index import IndexAnswer, Standing, judge
from bulletin_board.wire import Receipt
from cli._context import REHEARSAL
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    MalformedInput,
    VerificationFailed,
)
from crypto.merkle import verify_consistency, verify_inclusion
from election.rules import opened_by_audit
from election.wire import BALLOT, ReceiptFile, format_receipt_file, parse_receipt_file


def write_receipt(path: Path, *, board: str, receipt: Receipt) -> Path:
    """Spec §11.13 Save a ballot's receipt file (``election.wire.ReceiptFile``) at ``path``,
    or, when a file is there (a revote's earlier receipt), at the first free ``stem-2.json``,
    ``stem-3.json``...: a receipt is never overwritten. The path written.

    Raises:
        OSError: the folder cannot be written.
    """
    data = format_receipt_file(ReceiptFile.for_receipt(board=board, receipt=receipt.to_json()))
    path.parent.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            with target.open("xb") as handle:  # created here, or taken: never overwritten
                handle.write(data)
        except FileExistsError:
            continue
        return target
    raise AssertionError("unreachable")


def read_receipt(document: ReceiptFile, client: BoardClient) -> Receipt:
    """Spec §11.13 Check a receipt file for ``client``'s election offline (step 1) and against
    the board's key (step 2).

    Raises:
        MalformedInput: of another election, not a ballot's receipt, or its tracker is not
            the ballot's.
        InvalidSignature, InclusionProofMismatch, InconsistentLog.
    """
    if document.election != client.election:
        raise MalformedInput(f"the receipt is for election {document.election!r}")
    receipt = Receipt.from_json(dict(document.receipt), client.schemes())
    if receipt.leaf.entry.type != BALLOT:
        raise MalformedInput("the receipt is not for a ballot")
    document.check_tracker()
    receipt.check(entry=receipt.leaf.entry.raw, board_key=client.key())
    client.check_tree_head(receipt.sth)
    return receipt


@click.group("receipt")
def command() -> None:
    """Check a ballot's receipt against the board (docs/spec.md §11.13)."""


@command.command("check")
@click.argument("receipt_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--board", "board_url", default=None, envvar="VERIVOTE_BOARD",
              help="the board's URL (default: the one in the receipt)")  # fmt: skip
@click.option("--full", is_flag=True,
              help="fold the whole log, not the board's credential index")  # fmt: skip
@click.option("--keep-index", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="save the index head relied on (evidence: verify --index-head)")  # fmt: skip
def check(receipt_file: Path, board_url: str | None, full: bool, keep_index: Path | None) -> None:
    """Check that your ballot is still on the board, unchanged, and whether it counts."""
    document = parse_receipt_file(receipt_file.read_bytes())
    with BoardClient(board_url or document.board, document.election) as client:
        receipt = read_receipt(document, client)
        if receipt.sth.rehearsal:
            click.echo(REHEARSAL)
        index, old = receipt.leaf.index, receipt.sth
        answer = None
        if full:
            head = client.tree_head()
        else:  # Spec §11.15: the index head's tree head is the board's current one
            current = max(old.tree_size, client.tree_head().tree_size)
            answer = client.credential_index(receipt.leaf.entry.key, current)
            head = answer.head.sth
            if keep_index is not None:
                keep_index.write_bytes(answer.head.to_bytes() + b"\n")
        try:
            verify_consistency(
                old_size=old.tree_size,
                new_size=head.tree_size,
                old_root=old.root_hash,
                new_root=head.root_hash,
                proof=client.consistency_proof(old.tree_size, head.tree_size),
            )
            verify_inclusion(
                leaf_hash=receipt.leaf.hash,
                index=index,
                tree_size=head.tree_size,
                proof=client.inclusion_proof(index, head.tree_size),
                root=head.root_hash,
            )
        except (InconsistentLog, InclusionProofMismatch) as exc:
            raise InconsistentLog(
                f"the board CONTRADICTS your receipt (keep it as evidence, report it): {exc}"
            ) from None
        click.echo(
            f"your ballot is on the board at leaf {index}, unchanged; the board's tree "
            f"(size {head.tree_size}) is consistent with your receipt's (size {old.tree_size})"
        )
        if answer is None:
            standing = _folded(client, receipt.leaf.entry.key)
        else:
            standing = _indexed(client, answer, index)
            click.echo(
                f"read from the board's signed credential index at size {head.tree_size} "
                "(--full folds the whole log instead)"
            )
    _report(standing, index)


def _folded(client: BoardClient, credential: bytes) -> Standing:
    """Spec §11.13 step 5 on the whole folded log."""
    log, _ = client.fold()
    found = log.credentials.credentials.get(credential)
    if found is None:
        raise VerificationFailed("your ballot's credential is not on the published lists")
    last = found.last_ballot
    opened = None if last is None else opened_by_audit(log, last)
    return Standing(revoked=0 if found.revoked else None, last_ballot=last, opened_by=opened)


def _indexed(client: BoardClient, answer: IndexAnswer, index: int) -> Standing:
    """Spec §11.15 step 5 from the credential's own leaves, proved in the index head."""
    record = answer.record
    evidence = "keep your receipt and the index head (--keep-index) as evidence, report it"
    if record is None or index not in record.ballots:
        raise InconsistentLog(
            f"the board's credential index OMITS your ballot (leaf {index}): {evidence}"
        )
    if not record.issued:
        raise VerificationFailed("your ballot's credential is not on the published lists")
    leaves = client.credential_leaves(answer, skip={"issued"})
    return judge(record, {i: leaf.entry.payload for i, leaf in leaves.items()})


def _report(standing: Standing, index: int) -> None:
    if standing.revoked is not None:
        raise VerificationFailed("your credential was REVOKED: this ballot does not count")
    last = standing.last_ballot
    if last == index:
        click.echo("it is your counted ballot (your last)")
        return
    if standing.opened_by is not None:
        raise VerificationFailed(
            f"your ballot was REPLACED by the ballot in leaf {last}, which you only AUDITED (the "
            f"audit in leaf {standing.opened_by} opened it): it is not a revote, the board cast "
            "a ballot you did not; keep your receipt as evidence and report it"
        )
    click.echo(
        f"it is SUPERSEDED by a later ballot of your credential (leaf {last}): only your last "
        "ballot counts"
    )
