"""``verivote roll``: the electoral roll, kept private in the issuer's directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from cli._common import load_definition, progress, read_text, replace_secret
from crypto.errors import MalformedInput
from election.roll import MAX_PROBLEMS_SHOWN, Roll, RollProblems, duplicate_emails

ROLL_FILE = "roll.json"


def issuer_dir_option(f: Any) -> Any:
    return click.option(
        "--issuer-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="issuer",
        show_default=True,
        envvar="VERIVOTE_ISSUER_DIR",
        help="the issuer's private directory (mode 0700): roll and issued credentials",
    )(f)


def private_dir(path: Path) -> Path:
    """Create the issuer directory with mode 0700 (tightening an existing one)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@click.group("roll")
def command() -> None:
    """The electoral roll (personal data: stays with the issuer, never on the board)."""


@command.command("import")
@click.argument("csv_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--definition",
    "definition_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="election.toml",
    show_default=True,
    envvar="VERIVOTE_DEFINITION",
)
@issuer_dir_option
@click.option("--replace", is_flag=True, help="replace a roll imported before (before issuing)")
def import_roll(csv_path: Path, definition_path: Path, issuer_dir: Path, replace: bool) -> None:
    """Check CSV_PATH (member_id,name,email,sections) and store it in the issuer directory."""
    definition = load_definition(definition_path)
    target = issuer_dir / ROLL_FILE
    if target.exists() and not replace:
        raise MalformedInput(f"{target} exists: add --replace to import again")
    if (issuer_dir / "issued.json").exists():
        raise MalformedInput("credentials are issued: the roll can no longer be replaced")
    try:
        text = read_text(csv_path)
    except MalformedInput as exc:
        raise MalformedInput(
            f'{exc}: export it as "CSV UTF-8" (Excel: Save As, CSV UTF-8 (Comma delimited))'
        ) from None
    try:
        with progress("checking the roll", text.count("\n")) as advance:
            roll = Roll.read_csv(text, definition, source=str(csv_path), advance=advance)
    except RollProblems as exc:
        for line, message in exc.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(f"{csv_path}, line {line}: {message}", err=True)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"... and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more", err=True)
        raise
    with progress("saving the roll", None):
        replace_secret(private_dir(issuer_dir) / ROLL_FILE, roll.to_bytes())
    styles: dict[str, int] = {}
    without = 0
    with progress("ballot styles", len(roll.members)) as advance:
        for count, style in enumerate(roll.styles(definition).values(), start=1):
            if style is None:
                without += 1
            else:
                styles[style.id] = styles.get(style.id, 0) + 1
            if count % 10_000 == 0:
                advance(10_000)
    click.echo(f"{len(roll.members)} members imported into {target} (mode 0600)")
    for style_id, n in sorted(styles.items()):
        click.echo(f"  {n:>8} with ballot style {style_id}")
    if without:
        click.echo(f"  {without:>8} with no contest (no credential)")
    shared = duplicate_emails(roll.members)
    if shared:
        click.echo(f"note: {len(shared)} email address(es) are shared by several members")
