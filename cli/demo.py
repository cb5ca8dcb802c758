"""``verivote demo``: run the most end-to-end thing verivote can do, for real, and verify it.

Until the election layer lands this is the cryptographic heart of an election: a 3-of-5
trustee key ceremony, members' encrypted votes with range proofs, the homomorphic tally, and a
threshold decryption with one trustee absent. Nothing is simulated: every proof is checked.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from crypto.elgamal import Ciphertext, PublicKey, aggregate, discrete_log, encrypt
from crypto.hashing import encode_parts
from crypto.proofs.disjunctive import prove_range, verify_range
from crypto.threshold import (
    ThresholdParameters,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    partial_decrypt_many,
    threshold_decrypt_many,
    verify_ceremony,
    verify_dealing,
)

OPTIONS = ("Yes", "No", "Abstain")


@click.command("demo")
@click.option("--voters", default=200, show_default=True, help="How many members vote.")
def command(voters: int) -> None:
    """Run a key ceremony, encrypted voting, a tally and threshold decryption, and verify all."""
    if voters < 1:
        raise click.BadParameter("must be at least 1", param_hint="--voters")
    console = Console()
    fingerprint = hashlib.sha256(b"verivote demo " + secrets.token_bytes(16)).digest()
    params = ThresholdParameters(fingerprint, trustees=5, threshold=3)

    # 1. Key ceremony: every trustee publishes a key, deals, and checks what it received.
    keys = [generate_trustee_key(params, i) for i in params.indices]
    publics = [k.public for k in keys]
    dealt = [deal(params, i, publics) for i in params.indices]
    dealings = [dealing for _, dealing in dealt]
    for dealing in dealings:
        verify_dealing(dealing, params)
    result = verify_ceremony(params, publics, dealings, complaints=[])
    shares = []
    for j, (secret, _) in zip(params.indices, dealt, strict=True):
        received = {d.dealer: open_share(params, keys[j - 1], d) for d in dealings if d.dealer != j}
        shares.append(derive_key_share(secret, received, result.joint_key))
    public_key = PublicKey(result.joint_key.public_key).precompute()
    console.print(f"key ceremony: 5 trustees, any 3 decrypt; joint key {public_key.to_hex()[:20]}…")

    # 2. Voting: each member encrypts a 0/1 per option and proves each is 0 or 1.
    truth: Counter[str] = Counter()
    ballots: list[list[Ciphertext]] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("members vote", total=voters)
        for member in range(voters):
            choice = secrets.choice(OPTIONS)
            truth[choice] += 1
            row = []
            for k, option in enumerate(OPTIONS):
                value = int(option == choice)
                ciphertext, r = encrypt(public_key, value)
                context = encode_parts(fingerprint, member.to_bytes(4, "big"), bytes([k]))
                proof = prove_range(
                    r,
                    value=value,
                    public_key=public_key,
                    ciphertext=ciphertext,
                    maximum=1,
                    context=context,
                )
                verify_range(
                    proof, public_key=public_key, ciphertext=ciphertext, maximum=1, context=context
                )
                row.append(ciphertext)
            ballots.append(row)
            progress.advance(task)
    console.print(
        f"voting: {voters} encrypted ballots, {voters * len(OPTIONS)} range proofs verified"
    )

    # 3. Tally: multiply the ciphertexts; trustees 1, 2 and 4 decrypt (3 and 5 are absent).
    sums = [aggregate(b[k] for b in ballots) for k in range(len(OPTIONS))]
    present = [shares[0], shares[1], shares[3]]
    context = encode_parts(fingerprint, b"tally")
    batches = [partial_decrypt_many(s, [c.alpha for c in sums], context=context) for s in present]
    points = threshold_decrypt_many(
        [(c.alpha, c.beta) for c in sums], batches, joint_key=result.joint_key, context=context
    )
    counts = [discrete_log(p, bound=voters) for p in points]

    table = Table("option", "decrypted count", "actual")
    for option, count in zip(OPTIONS, counts, strict=True):
        table.add_row(option, str(count), str(truth[option]))
    console.print(table)
    if counts != [truth[o] for o in OPTIONS]:
        raise click.ClickException("the decrypted tally differs from the votes cast")
    console.print("threshold decryption by trustees 1, 2 and 4 (3 and 5 absent): verified")
