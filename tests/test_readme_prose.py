"""The commands README.md names in its prose (`verivote ...` in running text, outside the `sh`
blocks that tests/test_readme.py runs) are real commands, with options they have: checked
against the CLI's own definition, so a renamed command or option cannot linger in the text."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from cli.main import verivote

README = Path(__file__).resolve().parents[1] / "README.md"


def prose_commands(text: str) -> list[list[str]]:
    """Every `verivote ...` code span outside the README's fenced blocks, as shlex reads it."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    spans = re.findall(r"`([^`]+)`", prose.replace("\n", " "))
    return [shlex.split(s) for s in spans if s.startswith("verivote ")]


def problem(tokens: list[str]) -> str | None:
    """What is wrong with a command as written (an unknown command or option), or None."""
    command: click.Command = verivote
    words = tokens[1:]
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.commands.get(words[0])
        if found is None:
            return f"{command.name} has no command {words[0]!r}"
        command, words = found, words[1:]
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    unknown = [w.split("=")[0] for w in words if w.startswith("--")]
    unknown = [w for w in unknown if w not in options]
    return f"{command.name} has no option {', '.join(unknown)}" if unknown else None


def test_every_command_in_the_prose_is_one_the_cli_has() -> None:
    commands = prose_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 10  # the README names commands in its text: the reader finds them
    wrong = {shlex.join(c): problem(c) for c in commands if problem(c) is not None}
    assert not wrong, f"README.md names commands the CLI does not have: {wrong}"


def test_the_check_can_fail() -> None:
    assert problem(["verivote", "board", "serve", "--port", "1"]) is None
    assert problem(["verivote", "board", "serv"]) == "board has no command 'serv'"
    assert problem(["verivote", "cast", "--ballot", "x"]) == "cast has no option --ballot"
    text = "Run `verivote trustee mix --contst nec` now.\n```sh\nverivote nothing\n```\n"
    assert prose_commands(text) == [["verivote", "trustee", "mix", "--contst", "nec"]]
