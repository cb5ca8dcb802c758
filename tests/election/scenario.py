"""Test helpers: a whole election's entries built with real crypto by the election builder
(simulation/), and an in-memory log that runs the election rules exactly as a board does
(precheck, check, apply, leaf reads): ``Log``, the builder's ``MemoryBoard`` for this election.

``Scenario`` keeps what tests reach for (the trustees' secrets, the members' credentials) and
adds hand-made entries for the rules' refusal tests: the ceremony's entries built one by one
before they are posted (``trustee_key_entries``, ``dealing_entries``, ``checking_entries``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.elgamal import PublicKey
from crypto.errors import InvalidShare
from crypto.group import Scalar
from crypto.proofs.disjunctive import prove_range, prove_sum_range
from crypto.proofs.randomness import prove_randomness
from crypto.signing import SigningKey
from crypto.threshold import (
    DealerSecret,
    Dealing,
    KeyShare,
    ThresholdParameters,
    TrusteeKeyPair,
    complain,
    deal,
    generate_trustee_key,
    open_share,
    verify_ceremony,
)
from election.definition import ElectionDefinition
from election.rules import Refusal, to_ms
from election.trustee import TrusteeState, decrypt, decrypt_ranked, mix
from election.voter import EncryptedBallot, encrypt_ballot, sign_voter_entry
from election.wire import (
    Ballot,
    Candidate,
    HomomorphicContestBallot,
    HomomorphicOpening,
    RankedContestBallot,
    RankedOpening,
    ranking_context,
    selection_context,
    total_context,
)
from simulation.boards import MemoryBoard
from simulation.builder import DealingTamper, ElectionBuilder, Member
from simulation.plan import ElectionPlan, Nominee, RoleKeys, Timetable, contest_toml

ELECTION = "nec-2027"
KEYS = RoleKeys.fixed_for_testing(5)
ADMIN = KEYS.administrator
ISSUER = KEYS.issuer
TRUSTEES = list(KEYS.trustees)
STRANGER = SigningKey(bytes([99] * 32))

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
NOMINATIONS_OPEN = to_ms(T0)
NOMINATIONS_CLOSE = to_ms(T0 + timedelta(days=10))
VOTING_OPEN = to_ms(T0 + timedelta(days=20))
VOTING_CLOSE = to_ms(T0 + timedelta(days=30))
DAY = 86_400_000
NOW = VOTING_OPEN + 1000  # a moment of the voting window

STYLE_ALL = "nec-clp+leader+rule-change-1"
STYLE_YOUTH = "nec-clp+youth-rep+leader+rule-change-1"
STYLE_BAME = "nec-clp+bame-rep+leader+rule-change-1"


CONTESTS = (
    contest_toml("nec-clp", "NEC: constituency section", "block", seats=3, nomination_threshold=2,
                 constraints=[{"attribute": "gender", "value": "woman", "min": 2}])
    + contest_toml("youth-rep", "NEC: youth representative", "block", seats=1,
                   sections=["youth"])
    + contest_toml("bame-rep", "NEC: BAME representatives", "approval", seats=1,
                   sections=["bame"])
    + contest_toml("leader", "Leader", "ranked", seats=1, max_selections=3, method="irv")
    + contest_toml("rule-change-1", "Rule change 1", "referendum",
                   question="Adopt rule change 1?", options=["Yes", "No"])
)  # fmt: skip


@dataclass(frozen=True)
class Posted:
    """A signed entry as the rules see it (the board's ``Entry`` has the same attributes)."""

    type: str
    role: str
    key: bytes
    payload: Mapping[str, Any]
    raw: bytes

    @classmethod
    def from_bytes(cls, raw: bytes) -> Posted:
        obj: Any = canonical.decode(raw)
        assert isinstance(obj, dict)
        author = obj["author"]
        return cls(obj["type"], author["role"], bytes.fromhex(author["key"]), obj["payload"], raw)


def signed(type: str, payload: Mapping[str, Any], key: SigningKey, role: str) -> Posted:
    """An Ed25519-signed entry (Spec §10.1, purpose board/entry)."""
    unsigned: dict[str, JsonValue] = {
        "version": 1,
        "election": ELECTION,
        "type": type,
        "author": {"role": role, "key": key.verify_key.to_hex()},
        "payload": dict(payload),
    }
    signature = key.sign(b"board/entry", canonical.encode(unsigned))
    return Posted.from_bytes(canonical.encode({**unsigned, "signature": signature.hex()}))


def admin(type: str, payload: Mapping[str, Any], key: SigningKey = ADMIN) -> Posted:
    return signed(type, payload, key, "administrator")


def issuer(type: str, payload: Mapping[str, Any], key: SigningKey = ISSUER) -> Posted:
    return signed(type, payload, key, "issuer")


def trustee(type: str, payload: Mapping[str, Any], j: int) -> Posted:
    return signed(type, payload, TRUSTEES[j - 1], "trustee")


def voter(type: str, payload: Mapping[str, Any], credential: CredentialKey) -> Posted:
    return Posted.from_bytes(
        sign_voter_entry(election=ELECTION, type=type, payload=payload, credential=credential)
    )


@dataclass
class Log(MemoryBoard):
    """This election's log in memory, run by the rules as the board runs them; leaf 0 (the
    board key) the day before nominations open."""

    election: str = ELECTION
    created: int = NOMINATIONS_OPEN - DAY


def nominee(nominee_id: str, name: str, gender: str) -> dict[str, Any]:
    return Candidate(nominee_id, name, {"gender": gender}).to_json()


NEC_NOMINEES = [
    ("ana", "Ana Alves", "woman"),
    ("ben", "Ben Brown", "man"),
    ("cat", "Cat Cole", "woman"),
    ("dan", "Dan Dale", "man"),
    ("eve", "Eve Ekwe", "woman"),
]


YOUTH_NOMINEES = [("yan", "Yan Yu", "woman"), ("zed", "Zed Zola", "man")]
BAME_NOMINEES = [("kim", "Kim Kaur", "woman"), ("raj", "Raj Rao", "man")]
LEADER_NOMINEES = [
    ("lea", "Lea Lund", "woman"),
    ("max", "Max Moss", "man"),
    ("noa", "Noa Nye", "woman"),
]


def _nominees(people: list[tuple[str, str, str]], *by: str) -> list[Nominee]:
    return [Nominee(i, name, {"gender": gender}, by) for i, name, gender in people]


#: The election: nominations open at T0, close 10 days later; voting from day 20 to day 30;
#: trustees 3 of 5 (1 and 3 absent at the count).
PLAN = ElectionPlan(
    election=ELECTION,
    contests=CONTESTS,
    nominees={
        "nec-clp": _nominees(NEC_NOMINEES, "Ashton CLP", "Barnet CLP"),
        "youth-rep": _nominees(YOUTH_NOMINEES, "Young Members"),
        "bame-rep": _nominees(BAME_NOMINEES, "BAME Members"),
        "leader": _nominees(LEADER_NOMINEES, "Members"),
    },
    title="NEC election 2027",
    sections=("member", "youth", "bame"),
    absent=frozenset({1, 3}),
    start=T0 - timedelta(days=1),
    timetable=Timetable(1, 11, 21, 31),
)
DEFINITION = ElectionDefinition.from_toml(PLAN.definition_toml_for(KEYS))
SECTIONS = {
    STYLE_ALL: ("member",),
    STYLE_YOUTH: ("member", "youth"),
    STYLE_BAME: ("member", "bame"),
}


def nomination(contest: str, who: tuple[str, str, str], by: str, day: str = "2027-01-05") -> Posted:
    return admin(
        "nomination",
        {"contest": contest, "nominee": nominee(*who), "nominated_by": by, "received": day},
    )


@dataclass
class Scenario:
    """Secrets and published entries of one election, built phase by phase."""

    log: Log = field(default_factory=Log)
    params: ThresholdParameters = field(
        default_factory=lambda: ThresholdParameters(DEFINITION.fingerprint, 5, 3)
    )
    trustee_keys: dict[int, TrusteeKeyPair] = field(default_factory=dict)
    dealer_secrets: dict[int, DealerSecret] = field(default_factory=dict)
    dealings: dict[int, Dealing] = field(default_factory=dict)
    key_shares: dict[int, KeyShare] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    public_key: PublicKey | None = None

    def fork(self) -> Scenario:
        """The same election so far, on a new log (its state refolded): tests change the fork."""
        return Scenario(
            log=self.log.copy(),
            params=self.params,
            trustee_keys=dict(self.trustee_keys),
            dealer_secrets=dict(self.dealer_secrets),
            dealings=dict(self.dealings),
            key_shares=dict(self.key_shares),
            members=list(self.members),
            public_key=self.public_key,
        )

    @property
    def builder(self) -> ElectionBuilder:
        """The election builder on this scenario's (current) log."""
        return ElectionBuilder(PLAN, self.log, keys=KEYS)

    # --- phases -------------------------------------------------------------------------
    def define(self) -> None:
        self.builder.define(at=NOMINATIONS_OPEN - DAY)

    def nominate(self) -> None:
        self.builder.nominate(at=NOMINATIONS_OPEN + DAY)

    def candidate_lists(self) -> None:
        self.builder.candidate_lists(at=NOMINATIONS_CLOSE + DAY)

    def trustee_key_entries(self) -> list[Posted]:
        out = []
        for j in self.params.indices:
            pair = generate_trustee_key(self.params, j)
            self.trustee_keys[j] = pair
            out.append(trustee("trustee-key", {"key": pair.public.to_json()}, j))
        return out

    def dealing_entries(self, tamper: Mapping[int, DealingTamper] | None = None) -> list[Posted]:
        publics = [self.trustee_keys[j].public for j in self.params.indices]
        out = []
        for i in self.params.indices:
            secret, dealing = deal(self.params, i, publics)
            if tamper and i in tamper:
                dealing = tamper[i](self.params, dealing, publics)
            self.dealer_secrets[i] = secret
            self.dealings[i] = dealing
            out.append(trustee("dealing", {"dealing": dealing.to_json()}, i))
        return out

    def checking_entries(self) -> tuple[list[Posted], dict[int, dict[int, Any]]]:
        """Each trustee opens its shares: complaints (if any) then shares-accepted."""
        out: list[Posted] = []
        received: dict[int, dict[int, Any]] = {}
        for j in self.params.indices:
            received[j] = {}
            for i, dealing in self.dealings.items():
                if i == j:
                    continue
                try:
                    received[j][i] = open_share(self.params, self.trustee_keys[j], dealing)
                except InvalidShare:
                    c = complain(self.params, self.trustee_keys[j], dealing)
                    out.append(trustee("complaint", {"complaint": c.to_json()}, j))
        for j in self.params.indices:
            out.append(trustee("shares-accepted", {"trustee": j}, j))
        return out, received

    def election_key_entry(self) -> Posted:
        ceremony = self.log.state.ceremony
        result = verify_ceremony(
            self.params,
            [ceremony.trustee_keys[i] for i in sorted(ceremony.trustee_keys)],
            [ceremony.dealings[i] for i in sorted(ceremony.dealings)],
            ceremony.complaints,
        )
        return admin(
            "election-key",
            {
                "joint_key": result.joint_key.to_json(),
                "absent": [{"reason": d.code, "trustee": d.dealer} for d in result.disqualified],
            },
        )

    def ceremony(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        """The key ceremony by the builder (each trustee's steps of election/trustee.py); its
        secrets kept here."""
        builder = self.builder
        builder.ceremony(at=NOMINATIONS_OPEN + 2 * DAY, tamper=tamper)
        for j, state in builder.trustees.items():
            assert state.dealer_secret is not None
            self.trustee_keys[j] = state.key_pair
            self.dealer_secrets[j] = state.dealer_secret
            if state.key_share is not None:  # None: absent from the key (§7.5)
                self.key_shares[j] = state.key_share
        self.dealings.update(builder.dealings)
        key = self.log.state.params.election_key  # type: ignore[union-attr]
        assert key is not None
        self.public_key = PublicKey(key.joint_key.public_key).precompute()

    def issue(
        self, styles: Sequence[str] = (STYLE_ALL, STYLE_ALL, STYLE_YOUTH, STYLE_BAME)
    ) -> None:
        """A credential for a member of each style (by the issuer's code)."""
        roll = [SECTIONS[style] for style in styles]
        self.members += self.builder.issue(roll, at=NOMINATIONS_CLOSE + 2 * DAY)

    def ready(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        """Everything up to the moment voting opens."""
        self.define()
        self.nominate()
        self.candidate_lists()
        self.ceremony(tamper)
        self.issue()

    def run(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        """A whole election: every member votes, member 0 revotes, member 1 audits, three
        trustees (``count``) decrypt the tally, mix the ranked contest and decrypt it, the
        result."""
        self.ready(tamper)
        now = VOTING_OPEN + 1000
        for m in self.members:
            self.log.post(self.ballot(m), now)
        self.log.post(self.ballot(self.members[0], self.choices(self.members[0], nec_clp=[1])), now)
        self.log.post(self.audit(self.members[1]), now)
        self.count()

    def count(self, trustees: Sequence[int] | None = None) -> None:
        """After the close: the tally, the trustees' decryptions, each trustee's mix of the
        ranked contest, their ranked decryptions, the result. By default trustees 2, 4 and 5
        (3, 4 and 5 when 2 is absent from the election key, §7.5)."""
        if trustees is None:
            trustees = (2, 4, 5) if 2 in self.key_shares else (3, 4, 5)
        self.log.post(self.tally_entry(), VOTING_CLOSE)
        for j in trustees:
            self.log.post(self.decryption_entry(j), VOTING_CLOSE + 1)
        self.mix_and_decrypt(trustees, VOTING_CLOSE + 1)
        self.log.post(self.result_entry(), VOTING_CLOSE + 2)

    def mix_and_decrypt(self, trustees: Sequence[int], at: int) -> None:
        """Each of ``trustees`` mixes the ranked contest in turn, then each decrypts it."""
        for j in trustees:
            self.log.post(self.mix_entry(j), at)
        for j in trustees:
            self.log.post(self.ranked_decryption_entry(j), at)

    # --- voting -------------------------------------------------------------------------
    def choices(self, member: Member, **overrides: Sequence[int]) -> dict[str, Sequence[int]]:
        choices: dict[str, Sequence[int]] = {
            "nec-clp": [0, 2],
            "leader": [1, 0],
            "rule-change-1": [0],
        }
        if "youth-rep" in member.style:
            choices["youth-rep"] = [1]
        if "bame-rep" in member.style:
            choices["bame-rep"] = [0, 1]
        choices.update({k.replace("_", "-"): v for k, v in overrides.items()})
        return choices

    def encrypt(
        self, member: Member, choices: Mapping[str, Sequence[int]] | None = None
    ) -> EncryptedBallot:
        assert self.public_key is not None
        return encrypt_ballot(
            self.log.state.params.layout,  # type: ignore[union-attr]
            member.style,
            choices or self.choices(member),
            public_key=self.public_key,
            credential=member.key,
        )

    def ballot(self, member: Member, choices: Mapping[str, Sequence[int]] | None = None) -> Posted:
        return Posted.from_bytes(self.builder.ballot(member, choices or self.choices(member)))

    def audit(self, member: Member) -> Posted:
        audit, _ = self.builder.audit_entry(member, self.choices(member))
        return Posted.from_bytes(audit)

    # --- tally --------------------------------------------------------------------------
    def tally_entry(self) -> Posted:
        return Posted.from_bytes(self.builder.tally_entry())

    def trustee_state(self, j: int) -> TrusteeState:
        """Trustee j's state after the key ceremony (its key share)."""
        return TrusteeState(
            ELECTION, self.params, j, self.trustee_keys[j], key_share=self.key_shares[j]
        )

    def decryption_entry(self, j: int) -> Posted:
        """Trustee j's ``decryption`` of the tally on the log (election.trustee.decrypt)."""
        return trustee("decryption", decrypt(self.trustee_state(j), self.log.state).to_json(), j)

    def mix_entry(self, j: int, contest: str = "leader") -> Posted:
        """Trustee j's ``mix`` of the ranked contest's latest list (election.trustee.mix)."""
        return trustee("mix", mix(self.trustee_state(j), self.log.state, contest).to_json(), j)

    def ranked_decryption_entry(self, j: int, contest: str = "leader") -> Posted:
        """Trustee j's ``ranked-decryption`` of the contest's last list."""
        payload = decrypt_ranked(self.trustee_state(j), self.log.state, contest).to_json()
        return trustee("ranked-decryption", payload, j)

    def result_entry(self) -> Posted:
        """The result the tally and the decryptions on the log give (counts by BSGS)."""
        raw, _ = self.builder.result_entry()
        return Posted.from_bytes(raw)


# --- for the rules' refusal tests --------------------------------------------------------------


def refused(log: Log, entry: Posted, now: int, code: str) -> Refusal:
    """``entry`` is refused with ``code`` and the log does not change."""
    size = len(log.entries)
    with pytest.raises(Refusal) as info:
        log.post(entry, now)
    assert info.value.code == code, str(info.value)
    assert len(log.entries) == size
    return info.value


def stranger(style: str = STYLE_ALL) -> Member:
    """A member with a fresh credential the issuer never published."""
    code = CredentialCode.generate()
    return Member(code, derive_credential_key(code, fingerprint=DEFINITION.fingerprint), style)


def reprove(s: Scenario, original: EncryptedBallot, member: Member) -> Posted:
    """Member re-proves every ciphertext of ``original`` (whose randomness it was given) under
    its own credential: a valid ballot reusing another voter's ciphertexts."""
    assert s.public_key is not None
    pk, f, x = s.public_key, DEFINITION.fingerprint, member.key.public
    contests: list[Any] = []
    for contest, opening in zip(original.ballot.contests, original.openings, strict=True):
        if isinstance(contest, RankedContestBallot):
            assert isinstance(opening, RankedOpening)
            proof = prove_randomness(
                opening.randomness[0], public_key=pk, ciphertext=contest.ranking,
                context=ranking_context(f, x, contest.contest),
            )  # fmt: skip
            contests.append(RankedContestBallot(contest.contest, contest.ranking, proof))
            continue
        assert isinstance(opening, HomomorphicOpening)
        assert isinstance(contest, HomomorphicContestBallot)
        proofs = tuple(
            prove_range(r, value=m, public_key=pk, ciphertext=c, maximum=1,
                        context=selection_context(f, x, contest.contest, k))
            for k, (m, r, c) in enumerate(
                zip(opening.choices, opening.randomness, contest.selections, strict=True)
            )
        )  # fmt: skip
        total = None
        if contest.total is not None:
            r_sum = Scalar(0)
            for r in opening.randomness:
                r_sum = r_sum + r
            high = len(contest.total.branches) - 1
            total = prove_sum_range(
                r_sum, value=sum(opening.choices), public_key=pk, ciphertexts=contest.selections,
                minimum=0, maximum=high, context=total_context(f, x, contest.contest),
            )  # fmt: skip
        contests.append(
            HomomorphicContestBallot(contest.contest, contest.selections, proofs, total)
        )
    ballot = Ballot(original.ballot.style, original.ballot.paper, tuple(contests))
    return voter("ballot", ballot.to_json(), member.key)
