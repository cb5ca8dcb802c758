"""``verivote keys``: role keys for the administrator, the issuer, the trustees, the witnesses."""

from __future__ import annotations

from pathlib import Path

import click

from cli._common import STRENGTH_CHOICE, passphrase_option, read_passphrase, write_new_secret
from crypto.errors import MalformedInput
from election.role_keys import ROLES, RoleKey


@click.group("keys")
def command() -> None:
    """Role keys: Ed25519 signing keys sealed with a passphrase (docs/spec.md §8.1, §7.1)."""


@command.command("generate")
@click.option("--role", required=True, type=click.Choice(ROLES), help="whose key this is")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the sealed key file to create (mode 0600; never overwritten)",
)
@passphrase_option
@click.option(
    "--kdf",
    "strength",
    default="moderate",
    show_default=True,
    type=STRENGTH_CHOICE,
    help="passphrase hardening: libsodium's moderate (256 MiB) or interactive (64 MiB)",
)
def generate(role: str, out: Path, passphrase_env: str | None, strength: str) -> None:
    """Generate a signing key for ROLE, seal it with a passphrase, print its public key."""
    if out.exists():
        raise MalformedInput(f"{out} exists: a key file is never overwritten")
    passphrase = read_passphrase(passphrase_env, what=f"the new {role} key", confirm=True)
    key = RoleKey.generate(role)
    write_new_secret(out, key.seal(passphrase, strength=strength))
    public = key.public.to_hex()
    click.echo(f"{role} key sealed in {out}")
    click.echo(f"public key: {public}")
    section = (
        f"[[{role}s.members]] (with its name)" if role in ("trustee", "witness") else f"[{role}]"
    )
    click.echo(f'put it in election.toml under {section}: key = "{public}"')
