"""A member's device reads only what was published before the first ballot (§11.4 fold with
``setup_only``, the prefix proven by a §9.3 consistency proof), so casting costs the same in an
election of 400,000 members as in one of 40; a credential reissued while voting is open, which
lies after the ballots, makes it read the whole log."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from click.testing import CliRunner

from bulletin_board.client import BoardClient
from cli.main import verivote
from crypto.credentials import CredentialCode, derive_credential_key
from tests.election.board_log import BoardLog
from tests.election.live_board import live_board
from tests.election.scenario import (
    DEFINITION,
    ELECTION,
    NOMINATIONS_OPEN,
    STYLE_ALL,
    VOTING_OPEN,
    Scenario,
    issuer,
)


def test_a_member_reads_the_setup_only_and_a_reissued_member_the_whole_log(
    tmp_path: Path,
) -> None:
    start = NOMINATIONS_OPEN - 86_400_000
    with (
        live_board(f"sqlite:///{tmp_path / 'b.db'}", elections=(ELECTION,), now=start) as board,
        httpx.Client(timeout=60, base_url=board.url) as http,
    ):
        log = BoardLog(client=http, clock=board.clock)
        log.entries[0] = (None, start)
        s = Scenario(log=log)
        s.ready()
        first_ballot = log.post(s.ballot(s.members[0]), VOTING_OPEN + 1000)
        for member in s.members[1:]:
            log.post(s.ballot(member), VOTING_OPEN + 2000)
        with BoardClient(board.url, ELECTION) as client:
            setup, head = client.fold(setup_only=True)
            whole, same_head = client.fold()
        assert head == same_head
        assert head.tree_size > first_ballot + 1
        assert setup.voting.ballots == 0
        assert whole.voting.ballots == len(s.members)
        assert setup.params is not None
        assert whole.params is not None
        assert setup.params.fingerprint == whole.params.fingerprint
        assert setup.params.public_key == whole.params.public_key
        # member 0 loses their letter while voting is open: the reissue follows the ballots
        new = CredentialCode.generate()
        key = derive_credential_key(new, fingerprint=DEFINITION.fingerprint)
        log.post(
            issuer(
                "credential-reissue",
                {
                    "style": STYLE_ALL,
                    "revoked": s.members[0].key.public.to_hex(),
                    "credential": key.public.to_hex(),
                    "reason": "Letter lost in the post",
                },
            ),
            VOTING_OPEN + 3000,
        )
        old = Path.cwd()
        os.chdir(tmp_path)
        try:
            cast = CliRunner().invoke(
                verivote,
                ["cast", "--board", board.url, "--election", ELECTION,
                 "--credential", new.formatted(),
                 "--choices", "nec-clp=1", "--choices", "leader=1",
                 "--choices", "rule-change-1=1"],
            )  # fmt: skip
        finally:
            os.chdir(old)
        assert cast.exit_code == 0, cast.output
        assert "ballot cast: leaf" in cast.output
        with BoardClient(board.url, ELECTION) as client:
            state, _ = client.fold()
        assert state.credentials.credentials[key.public.to_bytes()].last_ballot is not None
