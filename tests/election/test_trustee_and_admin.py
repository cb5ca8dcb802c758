"""Spec §7 and §11.5-§11.6 A trustee's steps and sealed state, the administrator's computed
candidate lists and election key, and the board client's checks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bulletin_board.client import BoardClient, BoardRefused
from crypto.errors import InconsistentLog, MalformedInput, VerificationFailed, WrongPassphrase
from election.admin import candidate_list, election_key
from election.role_keys import RoleKey
from election.rules import Refusal
from election.trustee import (
    CeremonyNotReady,
    TrusteeState,
    decrypt,
    decrypt_ranked,
    keygen,
    mix,
    publish,
    share,
    trustee_index,
    verify,
)
from election.wire import ElectionKey
from tests.crypto.threshold.ceremony import wrong_share_to
from tests.election.board_log import BOARD_KEY
from tests.election.live_board import live_board
from tests.election.scenario import (
    DEFINITION,
    ELECTION,
    NOMINATIONS_OPEN,
    TRUSTEES,
    VOTING_CLOSE,
    VOTING_OPEN,
    Scenario,
    admin,
    trustee,
)

PASSPHRASE = b"a long trustee passphrase"


def _post(s: Scenario, entries: list[object]) -> None:
    for e in entries:
        s.log.post(e, NOMINATIONS_OPEN + 2 * 86_400_000)  # type: ignore[arg-type]


def test_the_trustee_steps_and_their_sealed_state() -> None:
    s = Scenario()
    s.define()
    states = {}
    for j in range(1, 6):
        assert trustee_index(DEFINITION, TRUSTEES[j - 1].verify_key.raw) == j
        state, payload = keygen(DEFINITION, j)
        sealed = state.seal(PASSPHRASE, strength="interactive")
        assert b"secret" not in sealed
        assert state.key_pair.secret.to_hex().encode() not in sealed
        state = TrusteeState.open(sealed, PASSPHRASE)
        states[j] = state
        if j < 5:
            _post(s, [trustee("trustee-key", payload.to_json(), j)])
        else:
            last_key = trustee("trustee-key", payload.to_json(), j)
    with pytest.raises(CeremonyNotReady, match=r"waiting for the keys of trustee\(s\) \[5\]"):
        share(states[1], s.log.state)
    _post(s, [last_key])
    for j in range(1, 6):
        states[j], dealing = share(states[j], s.log.state)
        if j == 2:
            publics = [s.log.state.ceremony.trustee_keys[i] for i in range(1, 6)]
            dealing = replace(
                dealing, dealing=wrong_share_to(4)(states[j].parameters, dealing.dealing, publics)
            )
        if j == 2:
            with pytest.raises(
                CeremonyNotReady, match=r"waiting for the dealings of trustee\(s\) \[2, 3, 4, 5\]"
            ):
                verify(states[1], s.log.state)
        if j == 3:  # some dealt: the shares are checked, shares-accepted waits for the others
            assert verify(states[1], s.log.state)[2] is None
        _post(s, [trustee("dealing", dealing.to_json(), j)])
    with pytest.raises(CeremonyNotReady, match="this trustee's dealing is on the log already"):
        share(states[1], s.log.state)  # dealt already
    for j in range(1, 6):
        states[j], complaints, done = verify(states[j], s.log.state)
        assert [c.complaint.dealer for c in complaints] == ([2] if j == 4 else [])
        _post(s, [trustee("complaint", c.to_json(), j) for c in complaints])
        assert done is not None
        _post(s, [trustee("shares-accepted", done.to_json(), j)])
    assert states[4].complaints == (2,)
    with pytest.raises(CeremonyNotReady, match="the election key is not published yet"):
        publish(states[1], s.log.state)
    outcome = election_key(s.log.state, NOMINATIONS_OPEN)
    assert [(a.trustee, a.reason) for a in outcome.key.absent] == [(2, "dealer-at-fault")]
    _post(s, [admin("election-key", outcome.key.to_json())])
    with pytest.raises(CeremonyNotReady, match="trustee 2 is absent from the election key"):
        publish(states[2], s.log.state)
    for j in (1, 3, 4, 5):
        reopened = TrusteeState.open(states[j].seal(PASSPHRASE, strength="interactive"), PASSPHRASE)
        state, confirmation = publish(reopened, s.log.state)
        assert state.key_share is not None
        assert TrusteeState.open(
            state.seal(PASSPHRASE, strength="interactive"), PASSPHRASE
        ).key_share
        _post(s, [trustee("key-confirmation", confirmation.to_json(), j)])
    with pytest.raises(WrongPassphrase, match="wrong passphrase, or the file was altered"):
        TrusteeState.open(states[1].seal(PASSPHRASE, strength="interactive"), b"wrong")


def test_decrypt_waits_for_the_tally_and_a_qualified_key_share() -> None:
    s = Scenario()
    s.ready()
    for m in s.members:
        s.log.post(s.ballot(m), VOTING_OPEN + 1000)

    def state(j: int, **changes: object) -> TrusteeState:
        base = TrusteeState(ELECTION, s.params, j, s.trustee_keys[j], key_share=s.key_shares[j])
        return replace(base, **changes)  # type: ignore[arg-type]

    with pytest.raises(CeremonyNotReady, match="tally"):
        decrypt(state(1), s.log.state)
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    with pytest.raises(CeremonyNotReady, match="run publish"):
        decrypt(state(1, key_share=None), s.log.state)
    with pytest.raises(VerificationFailed, match="not the one the election key qualifies"):
        decrypt(state(1, key_share=s.key_shares[2]), s.log.state)
    payload = decrypt(state(3), s.log.state)
    assert payload.trustee == 3
    assert payload.tally == s.log.state.tallying.tally_hash
    # bame-rep: one member of that style voted; every aggregate but none is non-identity
    assert all(p is not None for row in payload.shares for p in row)
    s.log.post(trustee("decryption", payload.to_json(), 3), VOTING_CLOSE + 1)
    assert 3 in s.log.state.tallying.decryptions
    with pytest.raises(Refusal, match="has decrypted"):
        s.log.post(
            trustee("decryption", decrypt(state(3), s.log.state).to_json(), 3), VOTING_CLOSE + 2
        )


def test_mixing_and_ranked_decryption_wait_for_their_turn() -> None:
    s = Scenario()
    s.ready()
    for m in s.members:
        s.log.post(s.ballot(m), VOTING_OPEN + 1000)
    one = s.trustee_state(1)
    with pytest.raises(CeremonyNotReady, match="tally"):
        mix(one, s.log.state, "leader")
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    with pytest.raises(MalformedInput, match="not ranked"):
        mix(one, s.log.state, "nec-clp")
    with pytest.raises(MalformedInput, match="no contest 'mayor'"):
        mix(one, s.log.state, "mayor")
    units: list[int] = []
    first = mix(one, s.log.state, "leader", progress=units.append)
    assert (first.mix, first.trustee, len(first.outputs)) == (0, 1, 4)
    assert sum(units) == 4 * (1 + 3)  # the shuffle's N units, then the proof's 3 N
    s.log.post(trustee("mix", first.to_json(), 1), VOTING_CLOSE + 1)
    with pytest.raises(VerificationFailed, match="has mixed leader already"):
        mix(one, s.log.state, "leader")
    with pytest.raises(CeremonyNotReady, match="1 mix"):
        decrypt_ranked(one, s.log.state, "leader")
    for j in (2, 3):
        s.log.post(s.mix_entry(j), VOTING_CLOSE + 1)
    with pytest.raises(CeremonyNotReady, match="run publish"):
        decrypt_ranked(replace(one, key_share=None), s.log.state, "leader")
    with pytest.raises(VerificationFailed, match="not the one the election key qualifies"):
        decrypt_ranked(replace(one, key_share=s.key_shares[2]), s.log.state, "leader")
    decryption = decrypt_ranked(one, s.log.state, "leader")
    assert decryption.mix == s.log.state.tallying.lists["leader"].source
    s.log.post(trustee("ranked-decryption", decryption.to_json(), 1), VOTING_CLOSE + 1)
    with pytest.raises(VerificationFailed, match="mixing is closed"):
        mix(s.trustee_state(4), s.log.state, "leader")


def test_a_trustee_refuses_an_election_key_the_ceremony_does_not_give() -> None:
    s = Scenario()
    s.define()
    s.ceremony()
    log = s.log.state
    params = log.params
    assert params is not None
    assert params.election_key is not None
    forged_joint = replace(
        params.election_key.joint_key,
        commitments=(
            params.election_key.joint_key.commitments[1],
            *params.election_key.joint_key.commitments[1:],
        ),
    )
    log.params = replace(params, election_key=ElectionKey(forged_joint, ()))
    state, _ = keygen(DEFINITION, 1)
    state = replace(
        state, key_pair=s.trustee_keys[1], dealer_secret=s.dealer_secrets[1], received={}
    )
    with pytest.raises(
        VerificationFailed, match="the published election key is NOT what the ceremony gives"
    ):
        publish(state, log)


def test_redealing_keeps_the_polynomial() -> None:
    s = Scenario()
    s.define()
    states = {}
    for j in range(1, 6):
        states[j], payload = keygen(DEFINITION, j)
        _post(s, [trustee("trustee-key", payload.to_json(), j)])
    first, dealing1 = share(states[1], s.log.state)
    again, dealing2 = share(first, s.log.state)  # the first dealing never reached the log
    assert dealing1.dealing.commitments == dealing2.dealing.commitments
    assert dealing1.dealing.shares != dealing2.dealing.shares
    assert again.dealer_secret is not None


def test_computed_candidate_lists() -> None:
    s = Scenario()
    s.define()
    with pytest.raises(Refusal) as info:
        candidate_list(s.log.state, "nec-clp")
    assert info.value.code == "no_candidates"
    s.nominate()
    alphabetical = candidate_list(s.log.state, "nec-clp")
    assert [c.id for c in alphabetical.candidates] == ["ana", "ben", "cat", "dan", "eve"]
    nominated = candidate_list(s.log.state, "leader", order="nominated")
    assert [c.id for c in nominated.candidates] == ["lea", "max", "noa"]
    shuffled = candidate_list(s.log.state, "nec-clp", order="random")
    assert sorted(c.id for c in shuffled.candidates) == ["ana", "ben", "cat", "dan", "eve"]
    for contest, code in [("rule-change-1", "no_candidates"), ("mayor", "unknown_contest")]:
        with pytest.raises(Refusal) as info:
            candidate_list(s.log.state, contest)
        assert info.value.code == code
    with pytest.raises(ValueError, match="order must be one of alphabetical, nominated, random"):
        candidate_list(s.log.state, "nec-clp", order="by-height")
    with pytest.raises(Refusal) as info:
        election_key(s.log.state, NOMINATIONS_OPEN)
    assert info.value.code == "ceremony_incomplete"


def test_role_keys() -> None:
    key = RoleKey.generate("issuer")
    sealed = key.seal(PASSPHRASE, strength="interactive")
    assert RoleKey.open(sealed, PASSPHRASE).public == key.public
    assert key.key.seed not in sealed
    with pytest.raises(MalformedInput, match="this is the issuer's key, not the administrator's"):
        RoleKey.open(sealed, PASSPHRASE, role="administrator")
    with pytest.raises(WrongPassphrase, match="wrong passphrase, or the file was altered"):
        RoleKey.open(sealed, b"wrong")
    with pytest.raises(
        MalformedInput,
        match="role must be one of administrator, issuer, trustee, witness, got 'voter'",
    ):
        RoleKey.generate("voter")
    assert "seed" not in repr(key)


def test_the_client_trusts_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'b.db'}"
    with live_board(db, elections=(ELECTION,), now=NOMINATIONS_OPEN) as board:
        with BoardClient(board.url, ELECTION) as client:
            assert client.key() == BOARD_KEY.verify_key.raw
            assert client.definition() is None
            receipt = client.post(
                admin("election-definition", {"definition": DEFINITION.to_json()}).raw
            )
            assert receipt.leaf.index == 1
            assert client.definition() == DEFINITION
            with pytest.raises(BoardRefused) as info:
                client.post(
                    admin(
                        "decision",
                        {"subject": "x", "decision": "y", "reason": "z"},
                        key=TRUSTEES[0],
                    ).raw,
                    what="decision",
                )
            assert info.value.code == "wrong_author"
            assert str(info.value).startswith("the board refused the decision:")
            assert "this key is not the one the definition names" in str(info.value)
            state, head = client.fold()
            assert head.tree_size == 2
            assert state.params is not None
        with (
            BoardClient(board.url, ELECTION, board_key=bytes(32)) as pinned,
            pytest.raises(
                InconsistentLog, match=r"the board signs with key [0-9a-f]+, not the pinned 0000"
            ),
        ):
            pinned.tree_head()
        with (
            BoardClient(board.url, "no-such-election") as other,
            pytest.raises(BoardRefused) as info,
        ):
            other.tree_head()
        assert info.value.code == "unknown_election"
