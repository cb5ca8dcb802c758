"""The commands README.md names in its prose (in running text, outside the `sh` blocks that
tests/test_readme.py runs) exist as written: `verivote ...` checked against the CLI's own
definition, `make TARGET` against the Makefile, `benchmarks/NAME.py --option` against the
script's arguments; so a renamed command, target or option cannot linger in the text."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from cli.main import verivote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def prose_spans(text: str) -> list[list[str]]:
    """Every code span outside the README's fenced blocks, as shlex reads it."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return [shlex.split(s) for s in re.findall(r"`([^`]+)`", prose.replace("\n", " "))]


def prose_commands(text: str) -> list[list[str]]:
    """Every `verivote ...` code span outside the README's fenced blocks."""
    return [s for s in prose_spans(text) if s[:1] == ["verivote"]]


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


def benchmark_problem(span: list[str]) -> str | None:
    """What is wrong with a `benchmarks/NAME.py --option` as written (an option the script does
    not define), or None; None too for a span that runs no benchmark."""
    script = next((t for t in span if t.startswith("benchmarks/") and t.endswith(".py")), None)
    if script is None:
        return None
    source = (ROOT / script).read_text(encoding="utf-8")
    options = set(re.findall(r"add_argument\(\s*\"(--[\w-]+)\"", source))
    unknown = [t for t in span if t.startswith("--") and t not in options]
    return f"{script} has no option {', '.join(unknown)}" if unknown else None


def test_every_make_target_and_benchmark_option_in_the_prose_exists() -> None:
    spans = prose_spans(README.read_text(encoding="utf-8"))
    targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))
    made = [s[1] for s in spans if s[:1] == ["make"]]
    assert len(made) >= 5
    assert not [t for t in made if t not in targets], f"README.md names make targets: {made}"
    wrong = {shlex.join(s): benchmark_problem(s) for s in spans if benchmark_problem(s)}
    assert not wrong, f"README.md runs benchmarks with options they do not have: {wrong}"


def test_the_check_can_fail() -> None:
    assert problem(["verivote", "board", "serve", "--port", "1"]) is None
    assert problem(["verivote", "board", "serv"]) == "board has no command 'serv'"
    assert problem(["verivote", "cast", "--ballot", "x"]) == "cast has no option --ballot"
    text = "Run `verivote trustee mix --contst nec` now.\n```sh\nverivote nothing\n```\n"
    assert prose_commands(text) == [["verivote", "trustee", "mix", "--contst", "nec"]]
    assert benchmark_problem([".venv/bin/python", "benchmarks/mix_bench.py", "--board"]) is None
    assert benchmark_problem(["benchmarks/mix_bench.py", "--cpu-time"]) == (
        "benchmarks/mix_bench.py has no option --cpu-time"
    )
