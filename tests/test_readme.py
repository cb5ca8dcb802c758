"""Issue 15 item 5: every command of README.md's `sh` blocks, run as written, in the order of an
election, against a fresh rehearsal board, so that the README cannot drift from the CLI.

A new administrator, trustees 2 of 3, an issuer with a roll of six members and members run a
whole election from README.md alone: real `verivote` processes (no terminal: passphrases and
answers on stdin, as a user types them), a real board (`verivote board serve --rehearsal`, two
uvicorn workers), a real SMTP server speaking STARTTLS. Each README command is keyed below by
its text (continuation lines joined, comments dropped, as shlex reads it); ``STEPS`` runs them
in the order of an election, with what a reader replaces: the placeholders (URL, `...`, 1234,
SEED), the example's dates moved so the election starts tomorrow, and the names of the people
who run a command several times. A README command missing from ``STEPS`` (or listed there
but gone from the README) fails the test, naming it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtpd.controller import Controller

from bulletin_board.client import BoardClient
from simulation.served import free_port
from tests.election.cli_setup import Mailbox

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
VERIVOTE = str(Path(sys.executable).parent / "verivote")
E = "nec-2027"
PASS = "correct horse battery staple"
EXAMPLE_START = date(2026, 12, 1)  # docs/examples/election.toml: nominations open


# --- reading the README --------------------------------------------------------------------


def readme_commands(text: str) -> list[str]:
    """Every command of the README's ```sh blocks, as shlex reads it (continuations joined,
    comments dropped), in the README's order."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        for line in re.sub(r"\\\n", " ", block).splitlines():
            tokens = shlex.split(line, comments=True)
            if tokens:
                commands.append(shlex.join(tokens))
    return commands


def key(command: str) -> str:
    """A README command as written in ``STEPS`` (its own quoting), normalised."""
    return shlex.join(shlex.split(command, comments=True))


# --- the walk's table --------------------------------------------------------------------------

#: Not run, with the reason.
NOT_RUN = {
    "make demo": "tests/test_demo.py runs the demonstration (1,000 members by default: minutes)",
    "make test": "this test is part of it",
}


@dataclass(frozen=True)
class Run:
    """One run of a README command: who runs it (their folder), what they replace (a token by
    tokens), what they type, what status and output follow, and what to remember from it."""

    who: str
    replace: Mapping[str, Sequence[str]] = field(default_factory=dict)
    typed: str = ""
    status: int = 0
    says: Sequence[str] = ()
    remember: Mapping[str, str] = field(default_factory=dict)  # name -> regex on stdout
    env: Mapping[str, str] = field(default_factory=dict)
    serve: bool = False  # a board: started, kept until the walk ends (or stopped at once)
    stop: bool = False


@dataclass(frozen=True)
class Step:
    command: str
    runs: Sequence[Run]


@dataclass(frozen=True)
class Do:
    """Something the people of the walk do between commands (write a file, read a code)."""

    what: str
    action: Callable[[Walk], None]


def _pass(times: int = 1) -> str:
    return f"{PASS}\n" * times


TRUSTEES = ("trustee1", "trustee2", "trustee3")
WITNESSES = ("witness1", "witness2", "witness3")
URL_ELECTION = "https://board.example.org/v1/elections/nec-2027"


def _trustee_step(command: str, who: Sequence[str] = TRUSTEES, **more: Any) -> Step:
    return Step(command, [Run(t, typed=_pass(), **more) for t in who])


def _witness_step(who: Sequence[str] = WITNESSES) -> Step:
    """The witnesses (2 of 3 required) check and cosign the board's latest tree head."""
    return Step(
        "verivote witness --board https://board.example.org --state witness-state --once",
        [Run(w, typed=_pass(), says=["nec-2027: cosigned tree head"]) for w in who],
    )


def _clock(to: str) -> Run:
    return Run("admin", {"2026-12-15T17:00": [to]}, _pass(), says=["REHEARSAL: the clock of"])


# Sections of the six members (docs/examples/election.toml: member, youth, bame).
ROLL = [
    ("M0012345", "Ada Ames", "member"),
    ("M0012346", "Bo Bell", "member"),
    ("M0012347", "Cy Cole", "member"),
    ("M0012348", "Di Dunn", "member;youth"),
    ("M0012349", "Ed Eze", "member;bame"),
    ("M0012350", "Fay Fox", "member"),
]
# nec-clp: nine candidates, five women (the example's quota), five nominations each (its
# threshold); Ana's fifth is the README's own `admin nominate`; Ben withdraws.
NEC = [
    ("ana", "Ana Alves", "woman"), ("ben", "Ben Brown", "man"), ("cal", "Cal Cruz", "man"),
    ("dee", "Dee Diaz", "woman"), ("eli", "Eli Egan", "man"), ("fay", "Fay Ford", "woman"),
    ("gus", "Gus Gray", "man"), ("hal", "Hal Hunt", "man"), ("ivy", "Ivy Ide", "woman"),
    ("jo", "Jo Jones", "woman"),
]  # fmt: skip
CLPS = ("Ashton CLP", "Bolton CLP", "Crewe CLP", "Derby CLP", "Ely CLP")


def _nominations(walk: Walk) -> None:
    rows = ["contest,nominee,name,attributes,nominated_by,received"]
    for nominee, name, gender in NEC:
        for clp in CLPS[1:] if nominee == "ana" else CLPS:
            rows.append(f"nec-clp,{nominee},{name},gender={gender},{clp},2026-12-02")
    rows += [
        "youth-rep,yan,Yan Yu,,Youth Forum,2026-12-03",
        "youth-rep,zed,Zed Zito,,Youth Forum,2026-12-03",
        "bame-rep,bea,Bea Bose,,BAME Network,2026-12-04",
        "nec,raj,Raj Rao,,BAME Network,2026-12-04",
        "nec,sam,Sam Shah,,BAME Network,2026-12-04",
        "nec,tia,Tia Tan,,BAME Network,2026-12-04",
    ]
    walk.write("admin", "nominations.csv", walk.shift("\n".join(rows) + "\n"))


RANKED = """
[[contests]]
id = "nec"
title = "NEC: BAME section chair (ranked)"
kind = "ranked"
seats = 1
max_selections = 3
method = "irv"
sections = ["bame"]
"""


def _election_toml(walk: Walk) -> None:
    """docs/examples/election.toml with the keys `verivote keys generate` printed (its three
    witnesses' too, 2 required), its dates
    moved (the election starts tomorrow), trustees 2 of 3 (five take a minute longer), and a
    ranked contest `nec` for the README's mixing and recount (the bame section's, so that the
    README's --choices, for the example's contests, stay as written)."""
    text = (ROOT / "docs" / "examples" / "election.toml").read_text()
    text = re.sub(r"\[trustees\].*?\]\n", "", text, flags=re.S)
    witnesses = iter(WITNESSES)
    start = text.index("[witnesses]")
    listed = re.sub(
        r'key = "[0-9a-f]{64}"',
        lambda _m: f'key = "{walk.remembered[next(witnesses)]}"',
        text[start:],
        count=3,
    )
    text = text[:start] + listed  # fmt: skip
    keys = iter([walk.remembered["administrator"], walk.remembered["issuer"]])
    text = re.sub(r'key = "[0-9a-f]{64}"', lambda _m: f'key = "{next(keys)}"', text, count=2)
    members = ",\n".join(
        f'  {{ name = "Trustee {i}", key = "{walk.remembered[t]}" }}'
        for i, t in enumerate(TRUSTEES, start=1)
    )
    text = text.replace("[[contests]]", f"[trustees]\nthreshold = 2\nmembers = [\n{members},\n]\n\n"
                        "[[contests]]", 1)  # fmt: skip
    for who in ("admin", "issuer"):
        walk.write(who, "election.toml", walk.shift(text + RANKED))


def _roll(walk: Walk) -> None:
    rows = ["member_id,name,email,sections"]
    rows += [f"{m},{name},{name.split()[0].lower()}@example.org,{s}" for m, name, s in ROLL]
    walk.write("issuer", "members.csv", "\r\n".join(rows) + "\r\n")  # as a spreadsheet writes


def _codes(walk: Walk) -> None:
    """Each member gets their letter; Ada's was lost and reissued (new.csv)."""
    codes = {
        r["member_id"]: r for r in csv.DictReader(io.StringIO(walk.read("issuer", "codes.csv")))
    }
    letters = {m["To"]: m.get_content() for m in walk.mailbox.messages}
    assert len(letters) == len(ROLL), letters.keys()
    for member_id, name, _ in ROLL:
        letter = letters[f"{name} <{name.split()[0].lower()}@example.org>"]
        assert codes[member_id]["code"] in letter
        assert f"{walk.url}/e/{E}/" in letter  # the timetable in force, not a fixed time
        assert f"{walk.url}/booth/{E}/" in letter
        assert "Voting is currently set to open on" in letter
    new = next(csv.DictReader(io.StringIO(walk.read("issuer", "new.csv"))))
    assert new["member_id"] == "M0012345"
    walk.remembered.update(
        ada=new["code"],
        bo=codes["M0012346"]["code"],
        cy=codes["M0012347"]["code"],
        ed=codes["M0012349"]["code"],
    )


def _ballots(walk: Walk) -> None:
    """A ranked count's files (docs/spec.md §12.1.2, §12.1.4) for `verivote count`."""
    names = [name for _, name, _ in NEC if _ != "ben"] + ["Kim Kerr", "Lou Lee", "Max Moss"]
    lines = [f"{len(names)} 9"]
    for i in range(40):
        order = [(i * 7 + k * 5) % len(names) + 1 for k in range(6)]
        lines.append(" ".join(["1", *map(str, dict.fromkeys(order)), "0"]))
    lines += ["0", *(f'"{n}"' for n in names), '"NEC 2027 (a ranked recount)"']
    walk.write("scrutineer", "ballots.blt", "\n".join(lines) + "\n")
    women = [name for _, name, g in NEC if g == "woman"] + ["Kim Kerr"]
    walk.write(
        "scrutineer", "groups.csv", "candidate,group\n" + "".join(f"{w},women\n" for w in women)
    )


def _seed(walk: Walk) -> None:
    with BoardClient(walk.url, E) as client:
        result = [leaf for leaf in client.leaves() if leaf.entry.type == "result"]
    walk.remembered["seed"] = str(result[-1].entry.payload["seed"])


def _revote_kept(walk: Walk) -> None:
    """Item 6: Bo's revote kept his first receipt; both are on the board, the last counts."""
    first, second = (json.loads(walk.read("bo", n)) for n in ("receipt.json", "receipt-2.json"))
    assert first["tracker"] != second["tracker"]


def _pretty_receipt(walk: Walk) -> None:
    """Item 7: Ada's mail program re-saved her receipt pretty-printed: it still checks."""
    receipt = json.loads(walk.read("ada", "receipt.json"))
    walk.write("ada", "receipt.json", json.dumps(receipt, indent=4))


STEPS: list[Step | Do] = [
    # 1. the board operator: a real board starts (and stops), then the rehearsal board
    Step("verivote board new-election --db board.db --election nec-2027",
         [Run("operator", says=["election log nec-2027 created"])]),
    Step("verivote board serve --db board.db --host 127.0.0.1 --port 8000 --workers 2",
         [Run("operator", {"8000": ["{port}"]}, serve=True, stop=True)]),
    Step("verivote board serve --rehearsal --db rehearsal.db --create-election nec-2027 "
         "--port 8001",
         [Run("operator", {"8001": ["{board_port}"]}, serve=True)]),
    # 2. keys, election.toml, the definition
    Step("verivote keys generate --role administrator --out administrator.key",
         [Run("admin", typed=_pass(2), remember={"administrator": r"public key: ([0-9a-f]{64})"})]),
    Step("verivote keys generate --role issuer --out issuer.key",
         [Run("issuer", typed=_pass(2), remember={"issuer": r"public key: ([0-9a-f]{64})"})]),
    Step("verivote keys generate --role trustee --out trustee.key",
         [Run(t, typed=_pass(2), remember={t: r"public key: ([0-9a-f]{64})"}) for t in TRUSTEES]),
    Step("verivote keys generate --role witness --out witness.key",
         [Run(w, typed=_pass(2), remember={w: r"public key: ([0-9a-f]{64})"}) for w in WITNESSES]),
    Do("the administrator writes election.toml from docs/examples", _election_toml),
    Step("verivote election check election.toml", [Run("admin", says=["fingerprint"])]),
    Step("verivote admin publish election.toml --board URL",
         [Run("admin", typed=_pass(), says=["definition posted: leaf 1"])]),
    _witness_step(),
    # 3. nominations (the rehearsal's clock moved on into them), candidate lists
    Step("verivote admin advance-clock --to 2026-12-15T17:00", [_clock("2026-12-04T09:00")]),
    Do("nominations received by post", _nominations),
    Step('verivote admin nominate --contest nec-clp --nominee ana --name "Ana Alves" '
         '--attribute gender=woman --by "Ashton CLP" --received 2026-12-03',
         [Run("admin", typed=_pass(), says=["nomination of ana (nec-clp) by Ashton CLP posted"])]),
    Step("verivote admin nominate --csv nominations.csv", [Run("admin", typed=_pass())]),
    Step('verivote admin exclude --contest nec-clp --nominee ben --reason "Withdrew on 3 December"',
         [Run("admin", typed=_pass())]),
    Step('verivote admin decision --subject "Hustings" --decision "Two online hustings" '
         '--reason "Members asked for them"', [Run("admin", typed=_pass())]),
    Step("verivote admin advance-clock --to 2026-12-15T17:00", [_clock("2026-12-15T17:00")]),
    Step("verivote admin candidate-list --contest nec-clp --order alphabetical",
         [Run("admin", {"nec-clp": [c]}, "y\n" + _pass(), says=["candidate list of"])
          for c in ("nec-clp", "youth-rep", "bame-rep", "nec")]),
    # 4. the key ceremony: trustees 1-3, the election key, trustees 4
    _trustee_step("verivote trustee keygen --board URL --election nec-2027"),
    _trustee_step("verivote trustee share --board URL --election nec-2027"),
    _trustee_step("verivote trustee verify --board URL --election nec-2027"),
    Step("verivote admin election-key", [Run("admin", typed="y\n" + _pass(),
                                             says=["election key posted"])]),
    _trustee_step("verivote trustee publish --board URL --election nec-2027",
                  says=["the published election key is what the ceremony on the board gives"]),
    # 5. the roll and the credentials (letters by SMTP with STARTTLS, and a mail merge)
    Do("the membership office exports the roll", _roll),
    Step("verivote roll import members.csv", [Run("issuer", says=["6 members imported"])]),
    Step("verivote credentials issue --board URL --out codes.csv --smtp mail.example.org:587 "
         "--smtp-starttls --from ballots@example.org",
         [Run("issuer", {"mail.example.org:587": ["127.0.0.1:{smtp_port}"]}, _pass(),
              says=["6 letter(s) sent by email"])]),
    Step('verivote credentials reissue M0012345 --reason "Letter lost in the post" '
         "--board URL --out new.csv", [Run("issuer", typed=_pass())]),
    Do("members read their letters", _codes),
    # 6. voting: a rehearsal, said so; Ada at the prompts, Bo twice, Cy audits
    Step("verivote admin advance-clock --to 2026-12-15T17:00", [_clock("2027-01-05T09:00")]),
    Step("verivote board sth --url https://board.example.org --election nec-2027 "
         "--out kept-sth.json", [Run("scrutineer")]),
    Step("verivote cast --board URL --election nec-2027",
         [Run("ada", typed="{ada}\n2,4\nNo\ny\n",
              says=["REHEARSAL", "you marked:", "nec-clp: Cal Cruz, Eli Egan", "ballot cast"]),
          # Ed (bame) ranks the chair too: nec-clp, bame-rep, rule-change-1, then nec
          Run("ed", typed="{ed}\n1\n1\nYes\n3,1\ny\n",
              says=["nec: Tia Tan, Raj Rao", "ballot cast"])]),
    Step("verivote cast --board URL --election nec-2027 --choices nec-clp=1,3,4 "
         "--choices rule-change-1=Yes",
         [Run("bo", env={"VERIVOTE_CREDENTIAL": "{bo}"}, says=["receipt saved to receipt.json"]),
          Run("bo", env={"VERIVOTE_CREDENTIAL": "{bo}"},
              says=["receipt saved to receipt-2.json (your earlier receipt receipt.json is "
                    "kept)"])]),
    Do("Bo's revote kept his first receipt", _revote_kept),
    Step("verivote cast --board URL --election nec-2027 --audit --choices ...",
         [Run("cy", {"...": ["nec-clp=6", "--choices", "rule-change-1=No"]},
              env={"VERIVOTE_CREDENTIAL": "{cy}"}, says=["AUDITED, not cast"],
              remember={"audit": r"--index (\d+)"})]),
    Step("verivote audit check --board URL --election nec-2027 --index 1234",
         [Run("cy", {"1234": ["{audit}"]}, says=["MATCHES", "nec-clp: Gus Gray"])]),
    Do("Ada's mail program re-saves her receipt", _pretty_receipt),
    Step("verivote receipt check receipt.json",
         [Run("ada", says=["REHEARSAL", "it is your counted ballot"])]),
    _witness_step(("witness1", "witness2")),  # each checks the log grew from what it cosigned
    Step("verivote verify https://board.example.org/v1/elections/nec-2027 --in-progress",
         [Run("scrutineer", says=["IN PROGRESS (REHEARSAL"])]),
    Step("verivote admin advance-clock --by 2d", [Run("admin", typed=_pass())]),
    Step('verivote admin timetable voting_close 2027-01-28T12:00 --reason "Postal strike"',
         [Run("admin", typed=_pass(), says=["timetable change (voting_close"])]),
    # 7. the close, the tally, two trustees of three decrypt, the result
    Step("verivote admin advance-clock --to 2026-12-15T17:00", [_clock("2027-01-28T12:00")]),
    Step("verivote admin tally --board URL --key administrator.key",
         [Run("admin", typed=_pass(), says=["tally posted"])]),
    # (the example has no ranked contest: nothing to mix, and mix says nothing)
    _trustee_step("verivote trustee mix --board URL --election nec-2027", ("trustee1", "trustee3")),
    _trustee_step("verivote trustee decrypt --board URL --election nec-2027",
                  ("trustee1", "trustee3")),  # trustee 2 is away: any 2 of 3 decrypt
    Step("verivote admin result --board URL --key administrator.key --html count.html",
         [Run("admin", typed=_pass(), says=["result posted"])]),
    _witness_step(("witness1", "witness3")),  # witness 2 is away: any 2 of 3 suffice
    # 8. anyone verifies
    Step("verivote verify https://board.example.org/v1/elections/nec-2027 --json report.json",
         [Run("scrutineer", says=["RESULT VERIFIED (REHEARSAL"])]),
    Step("verivote verify https://board.example.org/v1/elections/nec-2027 --since kept-sth.json",
         [Run("scrutineer", says=["RESULT VERIFIED"])]),
    Step("verivote board export --db board.db --election nec-2027 --out nec-2027.export",
         [Run("operator", {"board.db": ["rehearsal.db"]})]),
    Step("verivote board verify-export nec-2027.export",
         [Run("operator", says=["a REHEARSAL's export of nec-2027 verified"])]),
    Step("verivote verify nec-2027.export --receipt receipt.json",
         [Run("ada", {"nec-2027.export": ["{dir:operator}/nec-2027.export"]},
              says=["RESULT VERIFIED", "is in the log, counted"])]),
    Step("verivote papers https://board.example.org/v1/elections/nec-2027 --contest nec "
         "--out nec.blt", [Run("scrutineer", says=["verivote count"])]),
    Do("a scrutineer prepares a ranked recount", _ballots),
    Do("the result's seed, from the board", _seed),
    Step("verivote count ballots.blt --seats 9 --min women=5 --attributes groups.csv --seed SEED "
         "--json count.json --csv count.csv --html count.html",
         [Run("scrutineer", {"SEED": ["{seed}"]})]),
    Step("verivote report https://board.example.org/v1/elections/nec-2027 --html report.html "
         "--pdf report.pdf", [Run("scrutineer")]),
    Step("verivote report nec-2027.export --html adroddiad.html --lang cy", [Run("operator")]),
]  # fmt: skip


# --- walking it ------------------------------------------------------------------------------


@dataclass
class Walk:
    folder: Path
    days: int  # how far the README's dates move
    mailbox: Mailbox
    smtp_port: int
    cert: Path
    url: str = ""
    board_port: int = 0
    remembered: dict[str, str] = field(default_factory=dict)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def dir(self, who: str) -> Path:
        path = self.folder / who
        path.mkdir(exist_ok=True)
        return path

    def write(self, who: str, name: str, text: str) -> None:
        (self.dir(who) / name).write_text(text, encoding="utf-8")

    def read(self, who: str, name: str) -> str:
        return (self.dir(who) / name).read_text(encoding="utf-8")

    def shift(self, text: str) -> str:
        def moved(m: re.Match[str]) -> str:
            return (date.fromisoformat(m[0]) + timedelta(days=self.days)).isoformat()

        return re.sub(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)", moved, text)

    def fill(self, text: str) -> str:
        """A value with the walk's placeholders filled: {board_port}, {seed}, {dir:ada}..."""
        values = {**self.remembered, "board_port": str(self.board_port),
                  "smtp_port": str(self.smtp_port)}  # fmt: skip
        values |= {f"dir:{p.name}": str(p) for p in self.folder.iterdir() if p.is_dir()}
        return re.sub(r"\{([\w:]+)\}", lambda m: values.get(m[1], m[0]), text)

    def argv(self, command: str, run: Run) -> list[str]:
        tokens: list[str] = []
        for token in shlex.split(command):
            if token in run.replace:
                tokens += [self.fill(t) for t in run.replace[token]]
                continue
            token = token.replace("https://board.example.org", self.url)
            tokens.append(self.url if token == "URL" else token)
        if run.serve and run.stop:
            tokens = [t.replace("{port}", str(free_port())) for t in tokens]
        return [VERIVOTE, *(self.shift(t) for t in tokens[1:])]

    def environment(self, run: Run) -> dict[str, str]:
        extra = {k: self.fill(v) for k, v in run.env.items()}
        return {**os.environ, "VERIVOTE_BOARD": self.url, "SSL_CERT_FILE": str(self.cert),
                "COLUMNS": "200", **extra}  # fmt: skip

    def do(self, command: str, run: Run) -> None:
        argv, cwd = self.argv(command, run), self.dir(run.who)
        if run.serve:
            self.serve(argv, cwd, stop=run.stop)
            return
        done = subprocess.run(
            argv, cwd=cwd, input=self.fill(run.typed), capture_output=True, text=True,
            timeout=600, env=self.environment(run), start_new_session=True, check=False,
        )  # fmt: skip
        said = done.stdout + done.stderr
        where = f"{run.who}$ {shlex.join(argv[1:])}\n{said}"
        assert done.returncode == run.status, where
        for text in run.says:
            assert self.fill(text) in said, f"{text!r} not said by\n{where}"
        for name, pattern in run.remember.items():
            found = re.search(pattern, done.stdout)
            assert found is not None, f"no {pattern!r} in\n{where}"
            self.remembered[name] = found[1]

    def serve(self, argv: list[str], cwd: Path, *, stop: bool) -> None:
        port = int(argv[argv.index("--port") + 1])
        log = (cwd / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=self.environment(Run("operator")),
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (cwd / f"serve-{port}.log").read_text()
            try:
                listed = httpx.get(f"{url}/v1/elections", timeout=2)
                if listed.status_code == 200:
                    assert E in listed.text
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the board did not start"
            time.sleep(0.1)  # polling readiness, not synchronising on time
        if stop:
            _stop(process)
            return
        self.servers.append(process)
        self.url = url

    def close(self) -> None:
        for process in self.servers:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    """A local SMTP server offering STARTTLS with a certificate for 127.0.0.1 (self-signed,
    made here by openssl; the walk trusts it through SSL_CERT_FILE, as a host trusts its CA)."""
    import ssl

    cert, private = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    openssl = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(private), "-out", str(cert)],
        capture_output=True, check=False,
    )  # fmt: skip
    assert openssl.returncode == 0, f"openssl is needed to make a test certificate: {openssl}"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, private)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True)  # fmt: skip
    controller.start()
    try:
        yield mailbox, controller.port, cert
    finally:
        controller.stop()


def test_every_readme_command_is_in_the_walk() -> None:
    listed = readme_commands((ROOT / "README.md").read_text())
    walked = {key(s.command) for s in STEPS if isinstance(s, Step)}
    missing = [c for c in listed if c not in walked and c not in NOT_RUN]
    assert not missing, (
        "README commands not run by tests/test_readme.py: add a step that runs each (or list "
        f"it in NOT_RUN with the reason): {missing}"
    )
    gone = sorted(walked - set(listed))
    assert not gone, f"steps of tests/test_readme.py no longer in README.md: {gone}"


def test_the_readme_runs_as_written(tmp_path: Path, smtp: tuple[Mailbox, int, Path]) -> None:
    mailbox, smtp_port, cert = smtp
    today = datetime.now(ZoneInfo("Europe/London")).date()
    walk = Walk(tmp_path, (today - EXAMPLE_START).days + 1, mailbox, smtp_port, cert)
    walk.board_port = free_port()
    try:
        for step in STEPS:
            if isinstance(step, Do):
                step.action(walk)
                continue
            for run in step.runs:
                walk.do(step.command, run)
    finally:
        walk.close()
    report = json.loads(walk.read("scrutineer", "report.json"))
    assert (report["outcome"], report["rehearsal"]) == ("result-verified", True)
