"""Benchmark of ``verivote verify`` (spec §13) against belenios-tool 2.0 on elections of the same
shape, measured in the same run.

Shapes: ``k10`` (one 10-candidate vote-for-1 contest) and ``demo`` (the demo's paper: a 9-of-20
block vote with a gender quota, and a yes/no referendum: 22 ciphertexts). For each shape and
number of ballots N the script builds (or reads from benchmarks/.cache) a complete election with
real crypto (ceremony, credentials, N ballots, tally, decryptions, result), then times the
verifier on one core (CPU ms per ballot) and on every core (wall time). For belenios it builds
an election of the same N and k with belenios-tool's own commands (setup, credentials, trustee
key, generate-ballot per voter, encrypted tally, decryption, result; BELENIOS-2048, the only
group this build offers) and times ``belenios-tool election verify``.

Belenios elections are built with at most 1,000 ballots by default (``--belenios-ballots``):
belenios-tool's archive grows quadratically to build; the verivote election of the same N is
then also timed, so the ratio compares the same N and k.

Targets (issue 5): <= 1.5 ms CPU per ballot at k = 10; >= 40x faster per ballot than
belenios-tool at the same N and k; 100,000 ballots verified in <= 150 s wall.

    .venv/bin/python benchmarks/verify_bench.py --ballots 10000 --shape k10
    .venv/bin/python benchmarks/verify_bench.py --ballots 100000 --shape k10 --no-belenios
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_board.export import format_export
from bulletin_board.wire import ED25519, parse_entry, sign_entry, sign_tree_head
from crypto import canonical
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.elgamal import PublicKey
from crypto.merkle import Frontier, leaf_hash
from crypto.signing import SigningKey
from crypto.threshold import (
    ThresholdParameters,
    confirm_key,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    partial_decrypt,
    verify_ceremony,
)
from election import admin
from election.definition import ElectionDefinition
from election.rules import ElectionState, apply, to_ms
from election.voter import encrypt_ballot, sign_voter_entry
from election.wire import (
    BallotLayout,
    Candidate,
    CandidateList,
    CredentialScheme,
    ElectionKey,
    tally_decryption_context,
)
from verifier import verify_export_file

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
ELECTION = "bench"
ADMIN = SigningKey(bytes([1] * 32))
ISSUER = SigningKey(bytes([2] * 32))
TRUSTEES = [SigningKey(bytes([10 + i] * 32)) for i in range(5)]
BOARD = SigningKey(bytes([77] * 32))
DAY = 86_400_000
TARGET_CPU_MS = 1.5
TARGET_RATIO = 40.0
TARGET_100K_WALL_S = 150.0
# Building a belenios election is quadratic: ``belenios-tool archive add-event`` reads the whole
# archive for every ballot (about 5 minutes for the first 1,000 ballots here, growing). Its
# verification is linear, so the ratio is measured at min(N, this) ballots for both tools.
BELENIOS_DEFAULT_MAX = 1000


@dataclass(frozen=True)
class Shape:
    """An election's paper: per contest (kind, seats, candidates, max selections)."""

    name: str
    toml: str
    candidates: dict[str, int]
    belenios: list[dict[str, Any]]

    @property
    def k(self) -> int:
        return sum(len(q["answers"]) for q in self.belenios)


def _toml(contests: str) -> str:
    trustees = ",\n".join(
        f'  {{ name = "Trustee {i + 1}", key = "{k.verify_key.to_hex()}" }}'
        for i, k in enumerate(TRUSTEES)
    )
    return f"""
version = 1
id = "{ELECTION}"
title = "Benchmark election"
organisation = "Example Party"
time_zone = "UTC"
sections = ["member"]
[timetable]
nominations_open = 2027-01-01T00:00:00Z
nominations_close = 2027-01-10T00:00:00Z
voting_open = 2027-01-20T00:00:00Z
voting_close = 2027-01-30T00:00:00Z
[administrator]
name = "Returning Officer"
key = "{ADMIN.verify_key.to_hex()}"
[issuer]
name = "Membership Office"
key = "{ISSUER.verify_key.to_hex()}"
[trustees]
threshold = 3
members = [
{trustees}
]
{contests}
"""


SHAPES = {
    "k10": Shape(
        "k10",
        _toml('[[contests]]\nid = "leader"\ntitle = "Leader"\nkind = "block"\nseats = 1\n'),
        {"leader": 10},
        [{"answers": [f"c{i}" for i in range(10)], "min": 0, "max": 1, "question": "Leader"}],
    ),
    "demo": Shape(
        "demo",
        _toml(
            '[[contests]]\nid = "nec-clp"\ntitle = "NEC"\nkind = "block"\nseats = 9\n'
            'constraints = [ { attribute = "gender", value = "woman", min = 5 } ]\n'
            '[[contests]]\nid = "rule-change-1"\ntitle = "Rule change 1"\n'
            'kind = "referendum"\nquestion = "Adopt rule change 1?"\noptions = ["Yes", "No"]\n'
        ),
        {"nec-clp": 20},
        [
            {"answers": [f"n{i}" for i in range(20)], "min": 0, "max": 9, "question": "NEC"},
            {"answers": ["Yes", "No"], "min": 0, "max": 1, "question": "Rule change 1"},
        ],
    ),
}


# --- building a verivote election --------------------------------------------------------------


class _Log:
    """The election's leaves, folded by the board's rules (apply only: honest entries)."""

    def __init__(self, definition: ElectionDefinition) -> None:
        self.leaves: list[tuple[bytes, int]] = []
        self.entries: list[Any] = []
        self.state = ElectionState(ELECTION, leaves=lambda i: self.entries[i])
        self.schemes = {
            "voter": CredentialScheme(definition.fingerprint),
            **dict.fromkeys(("administrator", "issuer", "trustee", "board"), ED25519),
        }
        self.post(
            sign_entry(election=ELECTION, type="board-key", role="board",
                       payload={"key": BOARD.verify_key.to_hex()}, key=BOARD),
            0,
            fold=False,
        )  # fmt: skip

    def post(self, raw: bytes, received: int, *, fold: bool = True) -> None:
        entry = parse_entry(raw, self.schemes, verify=False)
        index = len(self.leaves)
        if fold:
            apply(self.state, entry, index=index, received=received)
        self.leaves.append((raw, received))
        self.entries.append(entry)


def _signed(type: str, payload: Any, key: SigningKey, role: str) -> bytes:
    return sign_entry(election=ELECTION, type=type, role=role, payload=payload, key=key)


_WORKER: dict[str, Any] = {}


def _init_worker(toml: str, lists: list[bytes], joint_key: bytes) -> None:
    definition = ElectionDefinition.from_toml(toml)
    candidate_lists = {}
    for raw in lists:
        parsed = CandidateList.from_json(canonical.decode(raw))
        candidate_lists[parsed.contest] = parsed
    params = ThresholdParameters(definition.fingerprint, 5, 3)
    key = ElectionKey.from_json(canonical.decode(joint_key), params)
    _WORKER.update(
        definition=definition,
        layout=BallotLayout.build(definition, candidate_lists),
        public_key=PublicKey(key.joint_key.public_key).precompute(),
    )


def _make_ballots(shape_name: str, seeds: Sequence[int]) -> list[tuple[str, bytes]]:
    definition: ElectionDefinition = _WORKER["definition"]
    out = []
    for seed in seeds:
        rng = random.Random(seed)
        code = CredentialCode.generate()
        credential = derive_credential_key(code, fingerprint=definition.fingerprint)
        if shape_name == "k10":
            choices = {"leader": [rng.randrange(10)]}
            style = "leader"
        else:
            choices = {
                "nec-clp": sorted(rng.sample(range(20), rng.randint(0, 9))),
                "rule-change-1": [rng.randrange(2)],
            }
            style = "nec-clp+rule-change-1"
        encrypted = encrypt_ballot(
            _WORKER["layout"], style, choices, public_key=_WORKER["public_key"],
            credential=credential,
        )  # fmt: skip
        raw = sign_voter_entry(
            election=ELECTION, type="ballot", payload=encrypted.ballot.to_json(),
            credential=credential,
        )  # fmt: skip
        out.append((credential.public.to_hex(), raw))
    return out


def build_verivote(shape: Shape, n: int, jobs: int) -> Path:
    """A complete election of ``n`` ballots of ``shape`` as an export, cached."""
    path = CACHE / f"verivote-{shape.name}-{n}.jsonl"
    if path.exists():
        return path
    started = time.monotonic()
    definition = ElectionDefinition.from_toml(shape.toml)
    log = _Log(definition)
    t = definition.timetable
    nominations_open, voting_open = to_ms(t.nominations_open), to_ms(t.voting_open)
    voting_close = to_ms(t.voting_close)
    log.post(
        _signed("election-definition", {"definition": definition.to_json()}, ADMIN,
                "administrator"),
        nominations_open - DAY,
    )  # fmt: skip
    # The ceremony, as the trustees run it.
    params = ThresholdParameters(definition.fingerprint, 5, 3)
    now = nominations_open + DAY
    pairs = {j: generate_trustee_key(params, j) for j in params.indices}
    for j, pair in pairs.items():
        log.post(_signed("trustee-key", {"key": pair.public.to_json()}, TRUSTEES[j - 1],
                         "trustee"), now)  # fmt: skip
    publics = [pairs[j].public for j in params.indices]
    dealt = {j: deal(params, j, publics) for j in params.indices}
    for j, (_, dealing) in dealt.items():
        log.post(_signed("dealing", {"dealing": dealing.to_json()}, TRUSTEES[j - 1], "trustee"),
                 now)  # fmt: skip
    for j in params.indices:
        log.post(_signed("shares-accepted", {"trustee": j}, TRUSTEES[j - 1], "trustee"), now)
    ceremony = verify_ceremony(params, publics, [d for _, d in dealt.values()], [])
    joint_key_payload = {"joint_key": ceremony.joint_key.to_json(), "disqualified": []}
    log.post(_signed("election-key", joint_key_payload, ADMIN, "administrator"), now)
    shares = {}
    for j in params.indices:
        received = {i: open_share(params, pairs[j], d) for i, (_, d) in dealt.items() if i != j}
        shares[j] = derive_key_share(dealt[j][0], received, ceremony.joint_key)
        log.post(
            _signed("key-confirmation",
                    {"confirmation": confirm_key(shares[j], ceremony.joint_key).to_json()},
                    TRUSTEES[j - 1], "trustee"),
            now,
        )  # fmt: skip
    # Nominations and candidate lists.
    lists = []
    for contest, count in shape.candidates.items():
        candidates = [
            Candidate(f"c{i}", f"Candidate {i}", {"gender": "woman" if i % 2 else "man"}).to_json()
            for i in range(count)
        ]
        for candidate in candidates:
            log.post(
                _signed("nomination", {"contest": contest, "nominee": candidate,
                                       "nominated_by": "Branch", "received": "2027-01-02"},
                        ADMIN, "administrator"),
                nominations_open + DAY,
            )  # fmt: skip
        payload = {"contest": contest, "candidates": candidates}
        lists.append(canonical.encode(payload))
        log.post(_signed("candidate-list", payload, ADMIN, "administrator"),
                 to_ms(t.nominations_close) + DAY)  # fmt: skip
    # Ballots, in parallel (the cost of building).
    chunk = 250
    seeds = [list(range(s, min(s + chunk, n))) for s in range(0, n, chunk)]
    with ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_init_worker,
        initargs=(shape.toml, lists, canonical.encode(joint_key_payload)),
    ) as pool:
        made = [b for part in pool.map(_make_ballots, [shape.name] * len(seeds), seeds)
                for b in part]  # fmt: skip
        print(f"  built {n} ballots in {time.monotonic() - started:.0f} s", flush=True)
    style_id = "leader" if shape.name == "k10" else "nec-clp+rule-change-1"
    credentials = sorted(c for c, _ in made)
    issue = to_ms(t.nominations_close) + 2 * DAY
    for part, start in enumerate(range(0, len(credentials), 10_000)):
        log.post(
            _signed("credentials", {"style": style_id, "part": part,
                                    "credentials": credentials[start : start + 10_000]},
                    ISSUER, "issuer"),
            issue,
        )  # fmt: skip
    log.post(_signed("credentials-complete", {"counts": {style_id: n}}, ISSUER, "issuer"), issue)
    for _, raw in made:
        log.post(raw, voting_open + 1000)
    log.post(_signed("tally", admin.tally(log.state).to_json(), ADMIN, "administrator"),
             voting_close)  # fmt: skip
    tally = log.state.tallying.tally
    assert tally is not None
    for j in (1, 2, 3):
        rows = []
        for contest in tally.contests:
            row: list[Any] = []
            for k, a in enumerate(contest.aggregates or ()):
                context = tally_decryption_context(definition.fingerprint, contest.contest, k)
                if a.alpha.is_identity:
                    row.append(None)
                    continue
                row.append(partial_decrypt(shares[j], a.alpha, context=context).to_json())
            rows.append(row)
        payload = {"trustee": j, "tally": log.state.tallying.tally_hash.hex(), "shares": rows}
        log.post(_signed("decryption", payload, TRUSTEES[j - 1], "trustee"), voting_close + 1)
    log.post(_signed("result", admin.result(log.state).to_json(), ADMIN, "administrator"),
             voting_close + 2)  # fmt: skip
    _write_export(path, log.leaves)
    print(f"  built the election in {time.monotonic() - started:.0f} s: {path}", flush=True)
    return path


def _write_export(path: Path, leaves: list[tuple[bytes, int]]) -> None:
    blobs = [
        b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (raw, i, received)
        for i, (raw, received) in enumerate(leaves)
    ]
    frontier = Frontier.empty()
    heads = []
    for i, blob in enumerate(blobs):
        frontier = frontier.append(leaf_hash(blob))[0]
        if (i + 1) % 1000 == 0 or i + 1 == len(blobs):
            sth = sign_tree_head(election=ELECTION, tree_size=i + 1, root_hash=frontier.root(),
                                 timestamp=leaves[i][1], key=BOARD)  # fmt: skip
            heads.append((i + 1, sth.to_bytes()))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as out:
        for line in format_export(election=ELECTION, board_key=BOARD.verify_key.raw,
                                  leaves=blobs, tree_heads=heads):  # fmt: skip
            out.write(line)
    temporary.replace(path)


# --- timing verivote ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_verivote(path: Path, jobs: int) -> Timing:
    cpu0, children0, wall0 = time.process_time(), _children_cpu(), time.monotonic()
    report = verify_export_file(path, jobs=jobs)
    wall = time.monotonic() - wall0
    cpu = time.process_time() - cpu0 + _children_cpu() - children0
    if not report.passed:
        for line in report.lines():
            print(line)
        raise SystemExit("the benchmark election did not verify")
    return Timing(wall, cpu)


# --- belenios ----------------------------------------------------------------------------------


def ensure_belenios() -> str:
    found = shutil.which("belenios-tool")
    if found:
        return found
    print("  installing belenios-tool (apt-get install belenios-tool)", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "belenios-tool"], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    found = shutil.which("belenios-tool")
    if not found:
        raise SystemExit("belenios-tool is not installed")
    return found


def _tool(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "BELENIOS_USE_URANDOM": "1"}
    done = subprocess.run(["belenios-tool", *args], cwd=cwd, input=stdin, capture_output=True,
                          env=env, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"belenios-tool {' '.join(args)}: {done.stderr.decode()[-500:]}")
    return done.stdout


def _belenios_choice(shape: Shape, rng: random.Random) -> list[list[int]]:
    out = []
    for question in shape.belenios:
        size = len(question["answers"])
        marked = set(rng.sample(range(size), rng.randint(question["min"] or 1, question["max"])))
        out.append([1 if i in marked else 0 for i in range(size)])
    return out


def build_belenios(shape: Shape, n: int, jobs: int) -> Path:
    """A belenios election of ``n`` ballots of the same shape, built with belenios-tool."""
    folder = CACHE / f"belenios-{shape.name}-{n}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.monotonic()
    group = "BELENIOS-2048"
    uuid = _tool("setup", "generate-token", cwd=folder).decode().strip()
    (folder / "voters.txt").write_text(
        "".join(f"voter{i}@example.com,voter{i},1\n" for i in range(n))
    )
    _tool("setup", "generate-credentials", "--uuid", uuid, "--group", group, "--file",
          "voters.txt", cwd=folder)  # fmt: skip
    for name in folder.iterdir():
        if name.suffix == ".pubcreds":
            name.rename(folder / "public_creds.json")
        elif name.suffix == ".privcreds":
            name.rename(folder / "private_creds.txt")
    _tool("setup", "generate-trustee-key", "--group", group, cwd=folder)
    pubkey = next(folder.glob("*.pubkey"))
    (folder / "public_keys.jsons").write_bytes(pubkey.read_bytes())
    _tool("setup", "make-trustees", cwd=folder)
    (folder / "public_keys.jsons").unlink()
    template = {"description": "benchmark", "name": "benchmark", "questions": shape.belenios}
    (folder / "template.json").write_text(json.dumps(template))
    _tool("setup", "make-election", "--uuid", uuid, "--group", group, "--template",
          "template.json", cwd=folder)  # fmt: skip
    _tool("archive", "init", cwd=folder)
    for name in ("election.json", "trustees.json", "public_creds.json"):
        (folder / name).unlink()
    creds = [line.split()[1] for line in (folder / "private_creds.txt").read_text().splitlines()]
    rng = random.Random(1)
    choices = [_belenios_choice(shape, rng) for _ in creds]

    def ballot(i: int) -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            cred, choice = Path(scratch) / "cred", Path(scratch) / "choice"
            cred.write_text(creds[i] + "\n")
            choice.write_text(json.dumps(choices[i]))
            return _tool("election", "generate-ballot", "--privcred", str(cred), "--ballot",
                         str(choice), cwd=folder)  # fmt: skip

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, made in enumerate(pool.map(ballot, range(n))):
            _tool("archive", "add-event", "--type=Ballot", cwd=folder, stdin=made)
            if (i + 1) % 1000 == 0:
                print(f"  belenios: {i + 1} ballots", flush=True)
    _tool("archive", "add-event", "--type=EndBallots", cwd=folder, stdin=b"")
    tally = _tool("election", "compute-encrypted-tally", cwd=folder)
    _tool("archive", "add-event", "--type=EncryptedTally", cwd=folder, stdin=tally)
    privkey = next(folder.glob("*.privkey"))
    share = _tool("election", "decrypt", "--privkey", privkey.name, "--trustee-id", "1",
                  cwd=folder)  # fmt: skip
    _tool("archive", "add-event", "--type=PartialDecryption", cwd=folder, stdin=share)
    result = _tool("election", "compute-result", cwd=folder)
    _tool("archive", "add-event", "--type=Result", cwd=folder, stdin=result)
    (folder / "done").write_text("")
    print(f"  built the belenios election in {time.monotonic() - started:.0f} s", flush=True)
    return folder


def time_belenios(folder: Path) -> Timing:
    cpu0, wall0 = _children_cpu(), time.monotonic()
    out = subprocess.run(["belenios-tool", "election", "verify", "--dir", str(folder)],
                         capture_output=True, check=False)  # fmt: skip
    wall = time.monotonic() - wall0
    if out.returncode != 0 or b"all checks passed" not in out.stderr + out.stdout:
        raise SystemExit(f"belenios-tool election verify failed: {out.stderr.decode()[-500:]}")
    return Timing(wall, _children_cpu() - cpu0)


# --- report ------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _row(tool: str, shape: Shape, n: int, text: str) -> str:
    return f"{tool:9} {shape.name:5} k={shape.k:<3} N={n:<7} {text}"


def run(
    shape: Shape, n: int, belenios_n: int | None, jobs: int, *, wall_only: bool = False
) -> Iterator[str]:
    print(f"{shape.name}: a {n}-ballot verivote election (k = {shape.k})", flush=True)
    path = build_verivote(shape, n, jobs)
    every = time_verivote(path, jobs)
    cpu_ms = 1000 * every.cpu / n
    if not wall_only:
        one = time_verivote(path, 1)
        cpu_ms = 1000 * one.cpu / n
        text = f"1 core : {cpu_ms:7.3f} ms CPU/ballot ({one.wall:.1f} s)"
        yield _row("verivote", shape, n, text)
    per = 1000 * every.wall / n
    yield _row(
        "verivote", shape, n, f"{jobs} cores: {every.wall:7.1f} s wall ({per:.3f} ms/ballot)"
    )
    if shape.name == "k10" and not wall_only:
        ok = _verdict(cpu_ms <= TARGET_CPU_MS)
        yield f"  target <= {TARGET_CPU_MS} ms CPU per ballot at k = 10: {ok}"
    if n >= 100_000:
        scaled = every.wall * 100_000 / n
        ok = _verdict(scaled <= TARGET_100K_WALL_S)
        yield f"  target 100,000 ballots <= {TARGET_100K_WALL_S:.0f} s wall: {scaled:.1f} s {ok}"
    if belenios_n is None:
        return
    ensure_belenios()
    print(f"{shape.name}: a {belenios_n}-ballot belenios election", flush=True)
    theirs = time_belenios(build_belenios(shape, belenios_n, jobs))
    their_ms = 1000 * theirs.cpu / belenios_n
    text = f"1 core : {their_ms:7.3f} ms CPU/ballot ({theirs.wall:.1f} s)"
    yield _row("belenios", shape, belenios_n, text)
    ours_ms = cpu_ms
    if belenios_n != n:
        same = time_verivote(build_verivote(shape, belenios_n, jobs), 1)
        ours_ms = 1000 * same.cpu / belenios_n
        yield _row("verivote", shape, belenios_n, f"1 core : {ours_ms:7.3f} ms CPU/ballot")
    ratio = their_ms / ours_ms
    ok = _verdict(ratio >= TARGET_RATIO)
    yield (
        f"  belenios / verivote per ballot at N={belenios_n}, k={shape.k}: {ratio:.1f}x "
        f"(target >= {TARGET_RATIO:.0f}x): {ok}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, action="append",
                        help="ballots (repeatable; default 10000 and 100000)")  # fmt: skip
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--belenios-ballots", type=int, default=None,
                        help="N for the belenios election (default: the same N, at most "
                             f"{BELENIOS_DEFAULT_MAX})")  # fmt: skip
    parser.add_argument("--no-belenios", action="store_true")
    parser.add_argument("--wall-only", action="store_true",
                        help="time only the run on every core (skip the one-core run)")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = args.ballots or [10_000, 100_000]
    shapes = list(SHAPES.values()) if args.shape == "all" else [SHAPES[args.shape]]
    lines = []
    for shape in shapes:
        for n in sizes:
            belenios_n = (
                None
                if args.no_belenios
                else (args.belenios_ballots or min(n, BELENIOS_DEFAULT_MAX))
            )
            for line in run(shape, n, belenios_n, args.jobs, wall_only=args.wall_only):
                print(line, flush=True)
                lines.append(line)
    print(f"\nsummary (machine: {os.cpu_count() or 1} cores)")
    print("\n".join(lines))
    if any(line.endswith("FAIL") for line in lines):
        sys.exit(1)


if __name__ == "__main__":
    main()
