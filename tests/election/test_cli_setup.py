"""A whole election set up through the CLI against a real board (uvicorn on 127.0.0.1, on a
simulated clock): role keys, the definition, nominations, candidate lists, a 3-of-5 key
ceremony with a cheating trustee named by a complaint, the roll, credentials issued to a CSV
and by SMTP (a real local SMTP server), a member's check, a reissue."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from bulletin_board.client import BoardClient
from cli.main import verivote
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.elgamal import PublicKey
from election.rules import to_ms
from election.trustee import TrusteeState, share
from simulation.builder import BallotContext
from simulation.served import free_port
from tests.crypto.threshold.ceremony import wrong_share_to
from tests.election.cli_setup import (
    DAY,
    ELECTION,
    ENV,
    MEMBERS,
    PASSPHRASE,
    T0,
    Mailbox,
    election_toml,
    generate_keys,
    run,
)
from tests.election.live_board import live_board


def test_a_whole_setup_through_the_cli(db_url: str, tmp_path: Path) -> None:
    keys = generate_keys(tmp_path)
    (tmp_path / "election.toml").write_text(election_toml(keys))
    run("election", "check", "election.toml", cwd=tmp_path)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with live_board(db_url, elections=(ELECTION,), now=to_ms(T0 - DAY)) as board:
            _setup(tmp_path, board, smtp.port, mailbox)
    finally:
        smtp.stop()


def _setup(tmp: Path, board: Any, smtp_port: int, mailbox: Mailbox) -> None:
    b = ["--board", board.url]
    admin = [*b, "--key", "administrator.key", "--passphrase-env", "VV_PASS"]
    out = run("admin", "publish", "election.toml", *admin, cwd=tmp).output
    assert "definition posted: leaf 1" in out
    # --- nominations: one by one and from a CSV -------------------------------------------
    board.clock.now = to_ms(T0 + DAY)
    for nominee, name, gender in [("ana", "Ana Alves", "woman"), ("ben", "Ben Brown", "man")]:
        for by in ("Ashton CLP", "Barnet CLP"):
            run(
                "admin",
                "nominate",
                *admin,
                "--contest",
                "nec",
                "--nominee",
                nominee,
                "--name",
                name,
                "--attribute",
                f"gender={gender}",
                "--by",
                by,
                "--received",
                "2027-03-02",
                cwd=tmp,
            )
    (tmp / "nominations.csv").write_text(
        "contest,nominee,name,attributes,nominated_by,received\n"
        "nec,cat,Cat Cole,gender=woman,Camden CLP,2027-03-03\n"
        "nec,cat,Cat Cole,gender=woman,Dover CLP,2027-03-03\n"
        "nec,dan,Dan Dale,gender=man,Dover CLP,2027-03-03\n"
        "youth-rep,yan,Yan Yu,gender=woman,Young Members,2027-03-04\n"
        "youth-rep,zed,Zed Zola,gender=man,Young Members,2027-03-04\n"
    )
    board.clock.now = to_ms(T0 + 4 * DAY)
    run("admin", "nominate", *admin, "--csv", "nominations.csv", cwd=tmp)
    late = run("admin", "candidate-list", *admin, "--contest", "nec", "--yes", cwd=tmp, ok=False)
    assert late.exit_code == 1
    assert "nominations_not_closed" in late.output
    lines = late.output.strip().splitlines()
    assert [line.startswith("error:") for line in lines] == [False] * (len(lines) - 1) + [True]
    board.clock.now = to_ms(T0 + 8 * DAY)
    run(
        "admin",
        "exclude",
        *admin,
        "--contest",
        "nec",
        "--nominee",
        "ben",
        "--reason",
        "Withdrew on 2027-03-08",
        cwd=tmp,
    )
    out = run("admin", "candidate-list", *admin, "--contest", "nec", "--yes", cwd=tmp).output
    assert "1. Ana Alves (ana; gender=woman)" in out
    assert "2. Cat Cole" in out
    assert "Dan" not in out  # one nomination: below the threshold of 2
    run(
        "admin",
        "candidate-list",
        *admin,
        "--contest",
        "youth-rep",
        "--order",
        "random",
        "--yes",
        cwd=tmp,
    )
    run(
        "admin",
        "timetable",
        *admin,
        "voting_close",
        "2027-03-23T12:00:00",
        "--reason",
        "Bank holiday",
        cwd=tmp,
    )
    # --- the key ceremony: trustee 2 sends trustee 4 a bad share ---------------------------
    for i in range(1, 6):
        trustee = [
            *b,
            "--key",
            f"trustee{i}.key",
            "--state",
            f"t{i}.sealed",
            "--passphrase-env",
            "VV_PASS",
        ]
        run("trustee", "keygen", *trustee, "--kdf", "interactive", cwd=tmp)
        assert stat.S_IMODE((tmp / f"t{i}.sealed").stat().st_mode) == 0o600
    early = run("trustee", "verify", *_t(b, 1), cwd=tmp, ok=False)
    assert early.exit_code == 1
    assert "waiting for the dealings" in early.output
    for i in (1, 3, 4, 5):
        run("trustee", "share", *_t(b, i), cwd=tmp)
    _cheat(tmp, board.url)
    for i in range(1, 6):
        out = run("trustee", "verify", *_t(b, i), cwd=tmp).output
        if i == 4:
            assert "complaint against trustee 2" in out
        else:
            assert "complaints against nobody" in out
    out = run("admin", "election-key", *admin, "--yes", cwd=tmp).output
    assert "qualified dealers [1, 3, 4, 5]" in out
    assert "absent trustee 2 (Trustee 2): dealer-at-fault, dealer 2 cheated trustee 4" in out
    absent = run("trustee", "publish", *_t(b, 2), cwd=tmp, ok=False)
    assert absent.exit_code != 0
    assert "trustee 2 is absent from the election key (dealer-at-fault)" in absent.output
    for i in (1, 3, 4, 5):
        out = run("trustee", "publish", *_t(b, i), cwd=tmp).output
        assert "the published election key is what the ceremony on the board gives" in out
    # --- the roll and the credentials ----------------------------------------------------
    (tmp / "members.csv").write_text(MEMBERS)
    out = run("roll", "import", "members.csv", "--issuer-dir", "issuer", cwd=tmp).output
    assert "4 members imported" in out
    assert stat.S_IMODE((tmp / "issuer").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp / "issuer" / "roll.json").stat().st_mode) == 0o600
    issuer = [*b, "--key", "issuer.key", "--passphrase-env", "VV_PASS", "--issuer-dir", "issuer"]
    result = run(
        "credentials",
        "issue",
        *issuer,
        "--out",
        "codes.csv",
        "--smtp",
        f"127.0.0.1:{smtp_port}",
        "--from",
        "ballots@example.org",
        cwd=tmp,
    )
    assert "WARNING" in result.output
    assert stat.S_IMODE((tmp / "codes.csv").stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO((tmp / "codes.csv").read_text())))
    assert [r["member_id"] for r in rows] == ["A001", "A002", "A003", "A004"]
    assert rows[1]["style"] == "nec+youth-rep+rule-1"
    assert len(mailbox.messages) == 4
    by_email = {m["To"]: m for m in mailbox.messages}
    for row in rows:
        letter = by_email[f"{row['name']} <{row['email']}>"].get_content().replace("\r\n", "\n")
        assert row["code"] in letter
        assert f"--board {board.url} --election {ELECTION}" in letter
        # Issue 15 item 3: the close in force (extended above), said to be current, and the
        # election's page for the timetable in force later; the booth to vote in.
        assert "and to close on Tuesday 23 March 2027 at 12:00 GMT" in letter
        assert "Voting is currently set to open on" in letter
        assert f"    {board.url}/e/{ELECTION}/\n" in letter
        assert f"    {board.url}/booth/{ELECTION}/\n" in letter
        assert (row["election_page"], row["vote_url"]) == (
            f"{board.url}/e/{ELECTION}/",
            f"{board.url}/booth/{ELECTION}/",
        )
    issued = (tmp / "issuer" / "issued.json").read_text()
    assert all(r["code"] not in issued for r in rows)  # the issuer keeps no private code
    again = run("credentials", "issue", *issuer, "--out", "again.csv", cwd=tmp, ok=False)
    assert "issued already" in again.output
    # --- a member checks; a credential is reissued ----------------------------------------
    check = ["credentials", "check"]
    election = [*b, "--election", ELECTION]
    out = run(*check, rows[0]["code"].lower(), *election, cwd=tmp).output
    assert "is on the published list" in out
    assert "nec+rule-1" in out
    typo = rows[0]["code"][:-1] + ("0" if rows[0]["code"][-1] != "0" else "1")
    bad = run(*check, typo, *election, cwd=tmp, ok=False)
    assert bad.exit_code == 2
    assert "mistyped" in bad.output
    stranger = CredentialCode.generate().formatted()
    missing = run(*check, stranger, *election, cwd=tmp, ok=False)
    assert missing.exit_code == 1
    assert "NOT on the published lists" in missing.output
    run(
        "credentials",
        "reissue",
        "A001",
        "--reason",
        "Letter lost in the post",
        *issuer,
        "--out",
        "a001.csv",
        cwd=tmp,
    )
    new = next(iter(csv.DictReader(io.StringIO((tmp / "a001.csv").read_text()))))["code"]
    revoked = run(*check, rows[0]["code"], *election, cwd=tmp, ok=False)
    assert "REVOKED" in revoked.output
    out = run(*check, new, *election, cwd=tmp).output
    assert "reissued" in out
    # --- the election is ready: a member votes with the new code --------------------------
    board.clock.now = to_ms(T0 + 15 * DAY)
    with BoardClient(board.url, ELECTION) as client:
        state, _ = client.fold()
        assert state.ready() is None
        definition = client.definition()
        assert definition is not None
        params = state.params
        assert params is not None
        assert params.election_key is not None
        assert [a.trustee for a in params.election_key.absent] == [2]
        credential = derive_credential_key(
            CredentialCode.parse(new), fingerprint=definition.fingerprint
        )
        key = PublicKey(params.election_key.joint_key.public_key)
        ballot = BallotContext(ELECTION, params.layout, key)
        raw = ballot.ballot(credential, "nec+rule-1", {"nec": [0], "rule-1": [1]})
        receipt = client.post(raw, what="ballot")
        assert receipt.leaf.entry.raw == raw
    codes = {"A001": new, **{r["member_id"]: r["code"] for r in rows[1:]}}
    _vote_and_count(tmp, board, codes)


def _cast(
    tmp: Path, url: str, code: str, *choices: str, ok: bool = True, receipt_out: str = ""
) -> Result:
    args = ["cast", "--board", url, "--election", ELECTION, "--credential", code]
    for c in choices:
        args += ["--choices", c]
    if receipt_out:
        args += ["--receipt-out", receipt_out]
    return run(*args, cwd=tmp, ok=ok)


def _vote_and_count(tmp: Path, board: Any, codes: dict[str, str]) -> None:
    """Members cast (one revotes, one audits first, one answers prompts), check receipts; the
    administrator tallies, trustees 1, 3 and 5 decrypt (2 and 4 absent), the result."""
    url = board.url
    out = _cast(tmp, url, codes["A001"], "nec=ana", "rule-1=yes").output
    assert "[nec] NEC: vote for up to 2" in out
    assert "1. Ana Alves (ana)" in out
    assert re.search(r"ballot cast: leaf \d+ of spring-2027", out)
    assert codes["A001"] not in out
    # choices refused before anything is encrypted, each in one line
    for choices, problem in [
        (("nec=ana,bob", "youth-rep=1", "rule-1=1"), "unknown candidate 'bob'"),
        (("nec=1", "youth-rep=1,2", "rule-1=1"), "at most 1 mark(s), got 2"),
        (("nec=3", "youth-rep=1", "rule-1=1"), "no option 3"),
        (("nec=1,1", "youth-rep=1", "rule-1=1"), "marked twice"),
        (("nec=1", "rule-1=1"), "no choices for contest youth-rep"),
        (("nec=1", "bame=1", "youth-rep=1", "rule-1=1"), "'bame' is not on your ballot paper"),
    ]:
        bad = _cast(tmp, url, codes["A002"], *choices, ok=False)
        assert bad.exit_code == 2, bad.output
        assert problem in bad.output.splitlines()[-1]
    first = _cast(
        tmp, url, codes["A002"], "nec=ana,cat", "youth-rep=yan", "rule-1=No",
        receipt_out="a002-first.json",
    )  # fmt: skip
    assert first.exit_code == 0
    _cast(
        tmp, url, codes["A002"], "nec=cat", "youth-rep=zed", "rule-1=Yes",
        receipt_out="a002.json",
    )  # fmt: skip
    # interactive: the code at a hidden prompt, then one prompt per contest (a bad answer asked
    # again), the choices read back: "n" marks again, "y" casts (issue 15 item 6)
    old = Path.cwd()
    os.chdir(tmp)
    try:
        prompted = CliRunner().invoke(
            verivote,
            ["cast", "--board", url, "--election", ELECTION, "--receipt-out", "a003.json"],
            input=f"{codes['A003']}\n1,2,3\n1\n1\nn\n2\n1\ny\n",
            env=ENV,
        )
    finally:
        os.chdir(old)
    assert prompted.exit_code == 0, prompted.output
    assert "no option 3" in prompted.output
    assert prompted.output.count("cast this ballot?") == 2
    assert "nothing was sent: mark your choices again" in prompted.output
    first_read, second_read = "  nec: Ana Alves", "  nec: Cat Cole"  # each marking read back
    assert prompted.output.index(first_read) < prompted.output.index(second_read)
    assert prompted.output.index("cast this ballot?") < prompted.output.index("tracker")
    assert codes["A003"] not in prompted.output
    # A004 audits (Benaloh), checks the audit, then casts afresh
    audit = run(
        "cast", "--board", url, "--election", ELECTION, "--credential", codes["A004"],
        "--choices", "nec=1", "--choices", "youth-rep=yan", "--choices", "rule-1=Yes",
        "--audit", cwd=tmp,
    ).output  # fmt: skip
    assert "AUDITED, not cast" in audit
    index = int(re.search(r"--index (\d+)", audit).group(1))  # type: ignore[union-attr]
    tracker = re.search(r"tracker: ([0-9a-f]{64})", audit).group(1)  # type: ignore[union-attr]
    check = run("audit", "check", "--board", url, "--election", ELECTION, "--index",
                str(index), cwd=tmp).output  # fmt: skip
    assert "MATCHES" in check
    assert tracker in check
    assert "nec: Ana Alves" in check
    assert "youth-rep: Yan Yu" in check
    assert "rule-1: Yes" in check
    # Item 8: the two mistakes a member makes with --index exit alike (2: could not do what was
    # asked), each in one line; a ballot that does not match its openings exits 1.
    not_audit = run("audit", "check", "--board", url, "--election", ELECTION, "--index", "1",
                    cwd=tmp, ok=False)  # fmt: skip
    assert not_audit.exit_code == 2
    assert "not an audit" in not_audit.output
    missing = run("audit", "check", "--board", url, "--election", ELECTION, "--index",
                  "999999", cwd=tmp, ok=False)  # fmt: skip
    assert missing.exit_code == 2
    assert missing.output.startswith("error: ")
    assert "[not_found]" in missing.output
    # the youth seat ends 1-1 (A002 Zed, A004 Yan): decided by lot (issue 15 item 4)
    cast = _cast(tmp, url, codes["A004"], "nec=ana", "youth-rep=yan", "rule-1=No").output
    assert "AUDITED" not in cast
    # receipts: the first of A002 superseded, the second counted
    out = run("receipt", "check", "a002-first.json", cwd=tmp).output
    assert "consistent with your receipt" in out
    assert "SUPERSEDED" in out
    out = run("receipt", "check", "a002.json", "--board", url, cwd=tmp).output
    assert "it is your counted ballot" in out
    forged = (tmp / "a002.json").read_text().replace('"leaf_index":', '"leaf_index":1', 1)
    (tmp / "forged.json").write_text(forged)
    assert run("receipt", "check", "forged.json", cwd=tmp, ok=False).exit_code != 0
    # the close
    board.clock.now = to_ms(T0 + 23 * DAY)
    late = _cast(tmp, url, codes["A003"], "nec=1", "rule-1=1", ok=False)
    assert late.exit_code == 1
    assert "voting_closed" in late.output
    assert "tracker" not in late.output  # printed only for a ballot the board accepted
    admin = ["--board", url, "--key", "administrator.key", "--passphrase-env", "VV_PASS"]
    out = run("admin", "tally", *admin, cwd=tmp).output
    assert "nec: 4 counted ballot(s)" in out
    assert "youth-rep: 2 counted ballot(s)" in out
    b = ["--board", url]
    early = run("trustee", "decrypt", *_t(b, 1), cwd=tmp).output
    assert "partial decryption(s) with proofs" in early
    too_few = run("admin", "result", *admin, cwd=tmp, ok=False)
    assert too_few.exit_code == 1
    assert "1 valid decryption share(s), 3 needed" in too_few.output
    for i in (3, 5):
        run("trustee", "decrypt", *_t(b, i), cwd=tmp)
    again = run("trustee", "decrypt", *_t(b, 1), cwd=tmp).output
    assert "on the board already" in again
    out = run("admin", "result", *admin, cwd=tmp).output
    rows = {m[0].strip(): (int(m[1]), m[2].strip()) for m in re.findall(
        r"│ ([A-Za-z ]+?)\s+│\s+(\d+) │ ([a-z ()]*?)\s*│", out)}  # fmt: skip
    assert rows["Ana Alves"] == (2, "elected")
    assert rows["Cat Cole"] == (2, "elected")
    assert rows["Yan Yu"][0] == rows["Zed Zola"][0] == 1
    assert sorted([rows["Yan Yu"][1], rows["Zed Zola"][1]]) == ["", "elected"]
    winner = "Yan Yu" if rows["Yan Yu"][1] else "Zed Zola"
    lot = re.search(
        r"tie between (?:Yan Yu|Zed Zola), (?:Yan Yu|Zed Zola) decided by lot, seed "
        r"([0-9a-f]{64}), rule §12\.6: (.+) elected", out
    )  # fmt: skip
    assert lot is not None, out
    assert lot.group(2) == winner
    assert rows["Yes"] == (3, "wins")
    assert rows["No"] == (1, "")
    assert "quota rule: at least 1 of 2 seats to gender = woman" in out
    assert "decrypted by trustees [1, 3, 5]" in out
    # the independent verifier: a verified result, and the same results with the same lot
    verified = run("verify", url, "--jobs", "1", "--quiet", cwd=tmp).output
    assert verified.splitlines()[-1].startswith("RESULT VERIFIED: every check passed")
    assert "contest youth-rep (" in verified
    assert "2 ballot(s) counted of 2 eligible, turnout 100.0%" in verified
    assert f"decided by lot, seed {lot.group(1)}, rule §12.6: " in verified


def _t(b: list[str], i: int) -> list[str]:
    return [
        *b,
        "--key",
        f"trustee{i}.key",
        "--state",
        f"t{i}.sealed",
        "--passphrase-env",
        "VV_PASS",
    ]


def _cheat(tmp: Path, url: str) -> None:
    """Trustee 2 deals with a bad share for trustee 4 (valid proofs: only a complaint shows)."""
    from bulletin_board.wire import sign_entry
    from election.role_keys import RoleKey
    from election.wire import DealingPayload

    passphrase = PASSPHRASE.encode()
    state = TrusteeState.open((tmp / "t2.sealed").read_bytes(), passphrase)
    key = RoleKey.open((tmp / "trustee2.key").read_bytes(), passphrase, role="trustee")
    with BoardClient(url, ELECTION) as client:
        log, _ = client.fold()
        state, honest = share(state, log)
        publics = [log.ceremony.trustee_keys[i] for i in range(1, 6)]
        dealing = wrong_share_to(4)(state.parameters, honest.dealing, publics)
        (tmp / "t2.sealed").write_bytes(state.seal(passphrase, strength="interactive"))
        raw = sign_entry(
            election=ELECTION,
            type="dealing",
            role="trustee",
            payload=DealingPayload(dealing).to_json(),
            key=key.key,
        )
        client.post(raw)
