"""Test helpers: a whole election's entries built with real crypto, and an in-memory log that
runs the election rules exactly as a board does (precheck, check, apply, leaf reads)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto import canonical
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.elgamal import PublicKey
from crypto.errors import InvalidShare
from crypto.signing import SigningKey
from crypto.threshold import (
    DealerSecret,
    Dealing,
    KeyShare,
    ThresholdParameters,
    TrusteeKeyPair,
    complain,
    confirm_key,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    verify_ceremony,
)
from election.admin import result as admin_result
from election.admin import tally as admin_tally
from election.definition import ElectionDefinition
from election.rules import (
    ElectionState,
    apply,
    check,
    precheck,
    to_ms,
)
from election.trustee import TrusteeState, decrypt
from election.voter import EncryptedBallot, audit_payload, encrypt_ballot, sign_voter_entry
from election.wire import Candidate
from tests.threshold.ceremony import DealingTamper

ELECTION = "nec-2027"
ADMIN = SigningKey(bytes([1] * 32))
ISSUER = SigningKey(bytes([2] * 32))
TRUSTEES = [SigningKey(bytes([10 + i] * 32)) for i in range(5)]
STRANGER = SigningKey(bytes([99] * 32))

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
NOMINATIONS_OPEN = to_ms(T0)
NOMINATIONS_CLOSE = to_ms(T0 + timedelta(days=10))
VOTING_OPEN = to_ms(T0 + timedelta(days=20))
VOTING_CLOSE = to_ms(T0 + timedelta(days=30))
DAY = 86_400_000

STYLE_ALL = "nec-clp+leader+rule-change-1"
STYLE_YOUTH = "nec-clp+youth-rep+leader+rule-change-1"
STYLE_BAME = "nec-clp+bame-rep+leader+rule-change-1"


def _time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def definition_toml(*, threshold: int = 3) -> str:
    trustees = ",\n".join(
        f'  {{ name = "Trustee {i + 1}", key = "{k.verify_key.to_hex()}" }}'
        for i, k in enumerate(TRUSTEES)
    )
    return f"""
version = 1
id = "{ELECTION}"
title = "NEC election 2027"
organisation = "Example Party"
time_zone = "Europe/London"
sections = ["member", "youth", "bame"]

[timetable]
nominations_open = {_time(NOMINATIONS_OPEN)}
nominations_close = {_time(NOMINATIONS_CLOSE)}
voting_open = {_time(VOTING_OPEN)}
voting_close = {_time(VOTING_CLOSE)}

[administrator]
name = "Returning Officer"
key = "{ADMIN.verify_key.to_hex()}"

[issuer]
name = "Membership Office"
key = "{ISSUER.verify_key.to_hex()}"

[trustees]
threshold = {threshold}
members = [
{trustees}
]

[[contests]]
id = "nec-clp"
title = "NEC: constituency section"
kind = "block"
seats = 3
nomination_threshold = 2
constraints = [ {{ attribute = "gender", value = "woman", min = 2 }} ]

[[contests]]
id = "youth-rep"
title = "NEC: youth representative"
kind = "block"
seats = 1
sections = ["youth"]

[[contests]]
id = "bame-rep"
title = "NEC: BAME representatives"
kind = "approval"
seats = 1
sections = ["bame"]

[[contests]]
id = "leader"
title = "Leader"
kind = "ranked"
seats = 1
max_selections = 3
method = "irv"

[[contests]]
id = "rule-change-1"
title = "Rule change 1"
kind = "referendum"
question = "Adopt rule change 1?"
options = ["Yes", "No"]
"""


DEFINITION = ElectionDefinition.from_toml(definition_toml())


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
        obj = canonical.decode(raw)
        assert isinstance(obj, dict)
        author = obj["author"]
        return cls(obj["type"], author["role"], bytes.fromhex(author["key"]), obj["payload"], raw)


def signed(type: str, payload: Mapping[str, Any], key: SigningKey, role: str) -> Posted:
    """An Ed25519-signed entry (Spec §10.1, purpose board/entry)."""
    unsigned = {
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
class Log:
    """An election log in memory, run by the rules as the board runs them."""

    election: str = ELECTION
    entries: list[tuple[Posted | None, int]] = field(default_factory=list)
    state: ElectionState = field(init=False)

    def __post_init__(self) -> None:
        self.state = ElectionState(self.election, leaves=self.read)
        if not self.entries:
            self.entries.append((None, NOMINATIONS_OPEN - DAY))  # leaf 0: the board key

    def read(self, index: int) -> Posted:
        entry = self.entries[index][0]
        assert entry is not None
        return entry

    def post(self, entry: Posted, now: int) -> int:
        """Precheck, check and apply ``entry`` at board time ``now``; its leaf index."""
        pre = precheck(self.state.params, entry)
        index = len(self.entries)
        check(self.state, entry, index=index, now=now, prechecked=pre)
        apply(self.state, entry, index=index, received=now, prechecked=pre)
        self.entries.append((entry, now))
        return index

    def copy(self) -> Log:
        """A new log with the same leaves, its state refolded (apply only)."""
        log = Log(self.election, [self.entries[0]])
        for entry, received in self.entries[1:]:
            assert entry is not None
            index = len(log.entries)
            apply(log.state, entry, index=index, received=received)
            log.entries.append((entry, received))
        return log


def nominee(nominee_id: str, name: str, gender: str) -> dict[str, Any]:
    return Candidate(nominee_id, name, {"gender": gender}).to_json()


NEC_NOMINEES = [
    ("ana", "Ana Alves", "woman"),
    ("ben", "Ben Brown", "man"),
    ("cat", "Cat Cole", "woman"),
    ("dan", "Dan Dale", "man"),
    ("eve", "Eve Ekwe", "woman"),
]


def nomination(contest: str, who: tuple[str, str, str], by: str, day: str = "2027-01-05") -> Posted:
    return admin(
        "nomination",
        {"contest": contest, "nominee": nominee(*who), "nominated_by": by, "received": day},
    )


@dataclass
class Member:
    code: CredentialCode
    key: CredentialKey
    style: str


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

    # --- phases -------------------------------------------------------------------------
    def define(self) -> None:
        self.log.post(
            admin("election-definition", {"definition": DEFINITION.to_json()}),
            NOMINATIONS_OPEN - DAY,
        )

    def nominate(self) -> None:
        now = NOMINATIONS_OPEN + DAY
        for who in NEC_NOMINEES:
            for by in ("Ashton CLP", "Barnet CLP"):
                self.log.post(nomination("nec-clp", who, by), now)
        for who in [("yan", "Yan Yu", "woman"), ("zed", "Zed Zola", "man")]:
            self.log.post(nomination("youth-rep", who, "Young Members"), now)
        for who in [("kim", "Kim Kaur", "woman"), ("raj", "Raj Rao", "man")]:
            self.log.post(nomination("bame-rep", who, "BAME Members"), now)
        for who in [
            ("lea", "Lea Lund", "woman"),
            ("max", "Max Moss", "man"),
            ("noa", "Noa Nye", "woman"),
        ]:
            self.log.post(nomination("leader", who, "Members"), now)

    def candidate_lists(self) -> None:
        now = NOMINATIONS_CLOSE + DAY
        lists = {
            "nec-clp": [nominee(*w) for w in NEC_NOMINEES],
            "youth-rep": [nominee("yan", "Yan Yu", "woman"), nominee("zed", "Zed Zola", "man")],
            "bame-rep": [nominee("kim", "Kim Kaur", "woman"), nominee("raj", "Raj Rao", "man")],
            "leader": [
                nominee("lea", "Lea Lund", "woman"),
                nominee("max", "Max Moss", "man"),
                nominee("noa", "Noa Nye", "woman"),
            ],
        }
        for contest, candidates in lists.items():
            self.log.post(
                admin("candidate-list", {"contest": contest, "candidates": candidates}), now
            )

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
            [ceremony.trustee_keys[i] for i in self.params.indices],
            [ceremony.dealings[i] for i in self.params.indices],
            ceremony.complaints,
        )
        return admin(
            "election-key",
            {
                "joint_key": result.joint_key.to_json(),
                "disqualified": [d.dealer for d in result.disqualified],
            },
        )

    def ceremony(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        now = NOMINATIONS_OPEN + 2 * DAY
        for e in self.trustee_key_entries():
            self.log.post(e, now)
        for e in self.dealing_entries(tamper):
            self.log.post(e, now)
        entries, received = self.checking_entries()
        for e in entries:
            self.log.post(e, now)
        self.log.post(self.election_key_entry(), now)
        key = self.log.state.params.election_key  # type: ignore[union-attr]
        assert key is not None
        self.public_key = PublicKey(key.joint_key.public_key).precompute()
        for j in self.params.indices:
            share = derive_key_share(self.dealer_secrets[j], received[j], key.joint_key)
            self.key_shares[j] = share
            self.log.post(
                trustee(
                    "key-confirmation",
                    {"confirmation": confirm_key(share, key.joint_key).to_json()},
                    j,
                ),
                now,
            )

    def issue(
        self, styles: Sequence[str] = (STYLE_ALL, STYLE_ALL, STYLE_YOUTH, STYLE_BAME)
    ) -> None:
        now = NOMINATIONS_CLOSE + 2 * DAY
        for style in styles:
            code = CredentialCode.generate()
            key = derive_credential_key(code, fingerprint=DEFINITION.fingerprint)
            self.members.append(Member(code, key, style))
        by_style: dict[str, list[str]] = {}
        for m in self.members:
            by_style.setdefault(m.style, []).append(m.key.public.to_hex())
        for style, keys in sorted(by_style.items()):
            self.log.post(
                issuer("credentials", {"style": style, "part": 0, "credentials": sorted(keys)}), now
            )
        counts = {s: len(k) for s, k in by_style.items()}
        self.log.post(issuer("credentials-complete", {"counts": counts}), now)

    def ready(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        """Everything up to the moment voting opens."""
        self.define()
        self.nominate()
        self.candidate_lists()
        self.ceremony(tamper)
        self.issue()

    def run(self, tamper: Mapping[int, DealingTamper] | None = None) -> None:
        """A whole election: every member votes, member 0 revotes, member 1 audits, trustees 2,
        4 and 5 decrypt, the result."""
        self.ready(tamper)
        now = VOTING_OPEN + 1000
        for m in self.members:
            self.log.post(self.ballot(m), now)
        self.log.post(self.ballot(self.members[0], self.choices(self.members[0], nec_clp=[1])), now)
        self.log.post(self.audit(self.members[1]), now)
        self.log.post(self.tally_entry(), VOTING_CLOSE)
        for j in (2, 4, 5):
            self.log.post(self.decryption_entry(j), VOTING_CLOSE + 1)
        self.log.post(self.result_entry(), VOTING_CLOSE + 2)

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
        return voter("ballot", self.encrypt(member, choices).ballot.to_json(), member.key)

    def audit(self, member: Member) -> Posted:
        encrypted = self.encrypt(member)
        inner = sign_voter_entry(
            election=ELECTION,
            type="ballot",
            payload=encrypted.ballot.to_json(),
            credential=member.key,
        )
        return voter("audit", audit_payload(inner, encrypted.openings), member.key)

    # --- tally --------------------------------------------------------------------------
    def tally_entry(self) -> Posted:
        return admin("tally", admin_tally(self.log.state).to_json())

    def decryption_entry(self, j: int) -> Posted:
        """Trustee j's ``decryption`` of the tally on the log (election.trustee.decrypt)."""
        state = TrusteeState(
            ELECTION, self.params, j, self.trustee_keys[j], key_share=self.key_shares[j]
        )
        return trustee("decryption", decrypt(state, self.log.state).to_json(), j)

    def result_entry(self) -> Posted:
        """The result the tally and the decryptions on the log give (counts by BSGS)."""
        return admin("result", admin_result(self.log.state).to_json())
