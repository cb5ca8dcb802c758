"""``verivote demo``: run the most end-to-end thing verivote can do, for real, and show it."""

from __future__ import annotations

import click

from crypto.group import G, Scalar, g_pow
from crypto.proofs.chaum_pedersen import prove_dleq, verify_dleq
from crypto.proofs.schnorr import prove_schnorr, verify_schnorr


@click.command("demo")
def command() -> None:
    """Run a demonstration with real keys and proofs, and verify it."""
    context = b"verivote demo"
    secret = Scalar.random()
    public = g_pow(secret)
    proof = prove_schnorr(secret, public=public, context=context)
    verify_schnorr(proof, public=public, context=context)
    click.echo(f"key pair generated; public key {public.to_hex()}")
    click.echo("Schnorr proof of knowledge of the private key: verified")
    h2 = g_pow(Scalar.random())
    dleq = prove_dleq(secret, g1=G, h1=public, g2=h2, h2=h2**secret, context=context)
    verify_dleq(dleq, g1=G, h1=public, g2=h2, h2=h2**secret, context=context)
    click.echo("Chaum-Pedersen proof of equal discrete logarithms: verified")
