"""Spec §7 and §11.6 A trustee's side of the key ceremony, step by step, with every secret
kept in one sealed state file (§7.1 secrets at rest).

Each step reads the log (the election's folded state) and returns the new state and the
payloads to post:

1. ``keygen``: the trustee's encryption key pair (§7.1) → ``trustee-key``;
2. ``share``: once every trustee key is published, a dealing (§7.2-§7.3) → ``dealing``;
3. ``verify``: once every dealing is published, open each share addressed to this trustee
   (§7.4) → a ``complaint`` per bad share, then ``shares-accepted``;
4. ``publish``: once the election key is published, check it against the ceremony on the log
   (§7.5), derive the key share x_j → ``key-confirmation``;
5. ``decrypt``: once the tally is on the log, the partial decryption of every aggregate with
   its proof (§7.6, §11.11) → ``decryption``;
6. ``mix``: while a ranked contest is mixing, shuffle its latest list with a proof (§6.8,
   §11.11) → ``mix``;
7. ``decrypt_ranked``: once a ranked contest has t mixes, the decryption of its last list
   with one proof (§7.8, §11.11) → ``ranked-decryption``.
Producer code: it holds secrets (never shown in repr) and draws randomness.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import InvalidShare, MalformedInput, VerificationFailed, VerivoteError
from crypto.group import Scalar
from crypto.multiexp import Mapper
from crypto.sealing import open_sealed, seal
from crypto.shuffle import ShuffleStatement, gen_shuffle_proof, shuffle
from crypto.threshold import (
    DealerSecret,
    KeyShare,
    PartialDecryption,
    ThresholdParameters,
    TrusteeKeyPair,
    complain,
    confirm_key,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    partial_decrypt,
    partial_decrypt_list,
    unsafe_deal,
    verify_ceremony,
    verify_dealing,
)
from crypto.wire import expect_int, expect_list, expect_object, expect_str, parse_hex
from election.collector import collector_paused
from election.definition import ContestKind, ElectionDefinition
from election.rules import ElectionState, MixList
from election.wire import (
    ComplaintPayload,
    DealingPayload,
    Decryption,
    KeyConfirmationPayload,
    Mix,
    RankedDecryption,
    SharesAccepted,
    TrusteeKeyPayload,
    mix_context,
    ranked_decryption_context,
    tally_decryption_context,
)

__all__ = [
    "CeremonyNotReady",
    "TrusteeState",
    "decrypt",
    "decrypt_ranked",
    "keygen",
    "mix",
    "publish",
    "share",
    "trustee_index",
    "verify",
    "worker_processes",
]

FORMAT: Final = "verivote-trustee-state"


class CeremonyNotReady(VerificationFailed):
    """The log is not yet where this step can run (e.g. waiting for other trustees)."""


def trustee_index(definition: ElectionDefinition, key: bytes) -> int:
    """Spec §7.1 The 1-based index of the trustee whose Ed25519 key is ``key``.

    Raises:
        MalformedInput: the definition names no trustee with that key.
    """
    for i, member in enumerate(definition.trustees, start=1):
        if member.key.raw == key:
            return i
    raise MalformedInput("this key is not the key of any trustee in the definition")


@dataclass(frozen=True, slots=True, eq=False)
class TrusteeState:
    """Spec §7.1 Everything one trustee holds for one election. Secrets never in repr."""

    election: str
    parameters: ThresholdParameters
    trustee: int
    key_pair: TrusteeKeyPair = field(repr=False)
    dealer_secret: DealerSecret | None = field(default=None, repr=False)
    received: Mapping[int, Scalar] | None = field(default=None, repr=False)
    complaints: tuple[int, ...] = ()
    key_share: KeyShare | None = field(default=None, repr=False)

    def seal(self, passphrase: bytes, *, strength: str = "moderate") -> bytes:
        """Spec §7.1 The state, as canonical JSON, sealed under ``passphrase``."""
        document: dict[str, JsonValue] = {
            "format": FORMAT,
            "version": 1,
            "election": self.election,
            "fingerprint": self.parameters.fingerprint.hex(),
            "trustees": self.parameters.trustees,
            "threshold": self.parameters.threshold,
            "trustee": self.trustee,
            "key_pair": canonical.decode(self.key_pair.export_secret()),
            "dealer_secret": None
            if self.dealer_secret is None
            else canonical.decode(self.dealer_secret.export_secret()),
            "received": None
            if self.received is None
            else {str(i): s.to_hex() for i, s in sorted(self.received.items())},
            "complaints": list(self.complaints),
            "key_share": None
            if self.key_share is None
            else canonical.decode(self.key_share.export_secret()),
        }
        return seal(canonical.encode(document), passphrase, strength=strength)

    @classmethod
    def open(cls, sealed: bytes, passphrase: bytes) -> TrusteeState:
        """Spec §7.1 The state inside a sealed state file.

        Raises:
            WrongPassphrase: the passphrase is wrong or the file was altered.
            MalformedInput: not a trustee state file.
        """
        keys = {
            "format",
            "version",
            "election",
            "fingerprint",
            "trustees",
            "threshold",
            "trustee",
            "key_pair",
            "dealer_secret",
            "received",
            "complaints",
            "key_share",
        }
        obj = expect_object(
            canonical.decode(open_sealed(sealed, passphrase)), "state", required=keys
        )
        if obj["format"] != FORMAT:
            raise MalformedInput("not a verivote trustee state file")
        expect_int(obj["version"], "trustee state version", minimum=1, maximum=1)
        parameters = ThresholdParameters(
            parse_hex(obj["fingerprint"], 32, "fingerprint"),
            expect_int(obj["trustees"], "trustees"),
            expect_int(obj["threshold"], "threshold"),
        )
        received = obj["received"]
        return cls(
            election=expect_str(obj["election"], "election"),
            parameters=parameters,
            trustee=expect_int(obj["trustee"], "trustee", minimum=1, maximum=255),
            key_pair=TrusteeKeyPair.import_secret(canonical.encode(obj["key_pair"])),
            dealer_secret=None
            if obj["dealer_secret"] is None
            else DealerSecret.import_secret(canonical.encode(obj["dealer_secret"])),
            received=None
            if received is None
            else {
                int(i): Scalar.from_hex(expect_str(v, "share")) for i, v in dict(received).items()
            },
            complaints=tuple(
                expect_int(i, "complaint") for i in expect_list(obj["complaints"], "c")
            ),
            key_share=None
            if obj["key_share"] is None
            else KeyShare.import_secret(canonical.encode(obj["key_share"])),
        )


def _parameters(definition: ElectionDefinition) -> ThresholdParameters:
    return ThresholdParameters(
        definition.fingerprint, len(definition.trustees), definition.threshold
    )


def keygen(definition: ElectionDefinition, trustee: int) -> tuple[TrusteeState, TrusteeKeyPayload]:
    """Spec §7.1 Step 1: trustee ``trustee``'s encryption key pair and its ``trustee-key``."""
    parameters = _parameters(definition)
    pair = generate_trustee_key(parameters, trustee)
    state = TrusteeState(definition.id, parameters, trustee, pair)
    return state, TrusteeKeyPayload(pair.public)


def _check_log(state: TrusteeState, log: ElectionState) -> None:
    params = log.params
    if params is None or params.fingerprint != state.parameters.fingerprint:
        raise MalformedInput("the log's definition is not the one this trustee state is for")
    published = log.ceremony.trustee_keys.get(state.trustee)
    if published is not None and published != state.key_pair.public:
        raise MalformedInput(f"the log holds another key for trustee {state.trustee}")


def _participants(log: ElectionState) -> list[int]:
    """Spec §7.1 The trustees with a key on the log."""
    return sorted(log.ceremony.trustee_keys)


def share(
    state: TrusteeState, log: ElectionState, now: int | None = None
) -> tuple[TrusteeState, DealingPayload]:
    """Spec §7.2-§7.3 and §11.4 Step 2: once every trustee key is on the log, or from
    ``trustee_keys_close`` on (``now``, the board's time in ms), deal to the participants.

    A dealer secret already in the state (a dealing that never reached the log) is dealt
    again with fresh randomness, never replaced: the trustee keeps one polynomial.

    Raises:
        CeremonyNotReady: a trustee key is missing before the keys close, this trustee has no
            key on the log, or its dealing is on the log.
    """
    _check_log(state, log)
    missing = [i for i in state.parameters.indices if i not in log.ceremony.trustee_keys]
    if missing and (now is None or now < log.instant("trustee_keys_close")):
        raise CeremonyNotReady(
            f"waiting for the keys of trustee(s) {missing} (until trustee_keys_close)"
        )
    if state.trustee not in log.ceremony.trustee_keys:
        raise CeremonyNotReady("this trustee's key is not on the log: it takes no part")
    if state.trustee in log.ceremony.dealings:
        raise CeremonyNotReady("this trustee's dealing is on the log already")
    indices = _participants(log)
    keys = [log.ceremony.trustee_keys[i] for i in indices]
    if state.dealer_secret is None:
        secret, dealing = deal(state.parameters, state.trustee, keys)
    else:
        # Dealt before but the dealing never reached the log: the same polynomial, fresh boxes.
        secret, dealing = unsafe_deal(
            state.parameters,
            state.trustee,
            keys,
            coefficients=state.dealer_secret.coefficients,
            nonce=Scalar.random(),
            ephemerals={
                i: (Scalar.random(), Scalar.random()) for i in indices if i != state.trustee
            },
        )
    return replace(state, dealer_secret=secret), DealingPayload(dealing)


def verify(
    state: TrusteeState, log: ElectionState
) -> tuple[TrusteeState, list[ComplaintPayload], SharesAccepted | None]:
    """Spec §7.4 and §11.4 Step 3: open each share for this trustee in the dealings on the log;
    a complaint for each that fails (never for a dealing publicly invalid), then
    ``shares-accepted`` once every participant has dealt (None while one has not: run it again
    when it deals; a participant who never deals is left out at ``ceremony_close``).

    Raises:
        CeremonyNotReady: this trustee takes no part, or no other participant has dealt.
    """
    _check_log(state, log)
    parameters, j = state.parameters, state.trustee
    if j not in log.ceremony.trustee_keys:
        raise CeremonyNotReady("this trustee's key is not on the log: it takes no part")
    missing = [i for i in _participants(log) if i not in log.ceremony.dealings]
    if not [i for i in log.ceremony.dealings if i != j] and missing:
        raise CeremonyNotReady(f"waiting for the dealings of trustee(s) {missing}")
    received: dict[int, Scalar] = {}
    complaints: list[ComplaintPayload] = []
    for i, dealing in sorted(log.ceremony.dealings.items()):
        if i == j:
            continue
        try:
            verify_dealing(dealing, parameters, _participants(log))
        except VerivoteError:
            continue  # publicly invalid: the dealer is out without a complaint (§7.4)
        try:
            received[i] = open_share(parameters, state.key_pair, dealing)
        except InvalidShare:
            if (i, j) not in log.ceremony.complained:
                complaints.append(ComplaintPayload(complain(parameters, state.key_pair, dealing)))
    updated = replace(
        state,
        received=received,
        complaints=tuple(sorted(i for i in log.ceremony.dealings if i != j and i not in received)),
    )
    return updated, complaints, None if missing else SharesAccepted(j)


def publish(state: TrusteeState, log: ElectionState) -> tuple[TrusteeState, KeyConfirmationPayload]:
    """Spec §7.5 Step 4: check the published election key against the ceremony on the log,
    derive this trustee's key share x_j, and confirm it.

    Raises:
        CeremonyNotReady: no election key yet, or this trustee has not checked its shares.
        VerificationFailed: the published key is not what the ceremony gives.
        InvalidShare: g^x_j is not the published X_j.
    """
    _check_log(state, log)
    params = log.params
    assert params is not None
    if params.election_key is None:
        raise CeremonyNotReady(
            "the election key is not published yet: the administrator posts it (verivote admin "
            "election-key) once every trustee has run verify, or after the ceremony closes"
        )
    published = params.election_key
    if state.trustee not in published.holders:
        absent = {a.trustee: a.reason for a in published.absent}
        raise CeremonyNotReady(
            f"trustee {state.trustee} is absent from the election key "
            f"({absent.get(state.trustee, '?')}): it holds no key share and takes no further part"
        )
    if state.dealer_secret is None or state.received is None:
        raise CeremonyNotReady("run share and verify first")
    result = verify_ceremony(
        state.parameters,
        [log.ceremony.trustee_keys[i] for i in _participants(log)],
        [log.ceremony.dealings[i] for i in sorted(log.ceremony.dealings)],
        log.ceremony.complaints,
    )
    expected = result.joint_key
    if (published.joint_key.qualified, published.joint_key.commitments) != (
        expected.qualified,
        expected.commitments,
    ) or [a.trustee for a in published.absent] != [d.dealer for d in result.disqualified]:
        raise VerificationFailed("the published election key is NOT what the ceremony gives")
    key_share = derive_key_share(state.dealer_secret, state.received, expected)
    confirmation = confirm_key(key_share, expected)
    return replace(state, key_share=key_share), KeyConfirmationPayload(confirmation)


def decrypt(state: TrusteeState, log: ElectionState) -> Decryption:
    """Spec §7.6 and §11.11 Step 5: once the tally is on the log, trustee j's partial
    decryption D_j = alpha^x_j, with its DLEQ proof, of every aggregate of every homomorphic
    contest whose alpha is not the identity (``None`` where it is), each bound to the context
    of its contest and option; the ``decryption`` payload names the tally entry's hash.

    Raises:
        CeremonyNotReady: no tally on the log yet, or no key share in the state (run publish).
        VerificationFailed: the key share is not the one the published election key gives
            trustee j (g^x_j is not X_j).
    """
    _check_log(state, log)
    params = log.params
    assert params is not None
    tally = log.tallying.tally
    if tally is None:
        raise CeremonyNotReady("the tally is not on the log yet")
    share = _key_share(state, log)
    shares = []
    for contest in tally.contests:
        row: list[PartialDecryption | None] = []
        for k, aggregate in enumerate(contest.aggregates or ()):
            if aggregate.alpha.is_identity:
                row.append(None)  # no ballot: nothing to decrypt (§11.11)
                continue
            context = tally_decryption_context(params.fingerprint, contest.contest, k)
            row.append(partial_decrypt(share, aggregate.alpha, context=context))
        shares.append(tuple(row))
    return Decryption(state.trustee, log.tallying.tally_hash, tuple(shares))


def _ranked_list(log: ElectionState, contest: str) -> MixList:
    """The contest's latest list. Raises: MalformedInput (not a ranked contest),
    CeremonyNotReady (no tally yet)."""
    params = log.params
    assert params is not None
    try:
        kind = params.definition.contest(contest).kind
    except KeyError:
        raise MalformedInput(f"the definition has no contest {contest!r}") from None
    if kind is not ContestKind.RANKED:
        raise MalformedInput(f"contest {contest} is not ranked: it is never mixed")
    latest = log.tallying.lists.get(contest)
    if latest is None:
        raise CeremonyNotReady("the tally is not on the log yet")
    return latest


def mix(
    state: TrusteeState,
    log: ElectionState,
    contest: str,
    *,
    progress: Callable[[int], None] | None = None,
    mapper: Mapper = map,
) -> Mix:
    """Spec §6.8 and §11.11 Step 6: shuffle ranked ``contest``'s latest list (re-encrypted
    under the election key, permuted) and prove it, as the contest's next mix. The permutation
    and randomness are dropped once the proof is made. ``progress(n)`` is told of the work
    done: N units of shuffling, then ``crypto.shuffle.PROOF_UNITS`` · N of proving.
    ``mapper`` runs the exponentiations (``crypto.multiexp.Mapper``: in this process by
    default, or on this machine's worker processes).

    Raises:
        CeremonyNotReady: no tally on the log yet.
        VerificationFailed: the contest's mixing is closed (a ranked decryption is on the log),
            the result is out, or this trustee has mixed it already.
        MalformedInput: ``contest`` is not a ranked contest of the election.
    """
    _check_log(state, log)
    params = log.params
    assert params is not None
    assert params.public_key is not None
    latest = _ranked_list(log, contest)
    if log.tallying.result or log.tallying.ranked.get(contest):
        raise VerificationFailed(f"contest {contest}'s mixing is closed: its decryption began")
    if state.trustee in latest.mixers:
        raise VerificationFailed(f"trustee {state.trustee} has mixed {contest} already")
    k, j = latest.mixes, state.trustee
    with collector_paused():
        outputs, witness = shuffle(
            params.public_key, latest.ciphertexts, progress=progress, mapper=mapper
        )
        context = mix_context(params.fingerprint, contest, k, j)
        statement = ShuffleStatement(
            params.public_key, latest.ciphertexts, outputs, context, context
        )
        proof = gen_shuffle_proof(statement, witness, progress=progress, mapper=mapper)
        del witness  # §6.8: the permutation and randomness are erased once the proof is made
    return Mix(contest, k, j, outputs, proof)


@contextmanager
def worker_processes(jobs: int) -> Iterator[Mapper]:
    """A mapper for ``mix`` and ``decrypt_ranked``: the built-in ``map`` if ``jobs`` <= 1, else
    that of ``jobs`` worker processes on this machine (started afresh, stopped at the end)."""
    if jobs <= 1:
        yield map
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        yield pool.map


def decrypt_ranked(
    state: TrusteeState, log: ElectionState, contest: str, *, mapper: Mapper = map
) -> RankedDecryption:
    """Spec §7.8 and §11.11 Step 7: once ranked ``contest`` has t mixes, trustee j's
    decryption shares of its last list, with one proof, bound to the last mix's entry hash.
    ``mapper`` computes the shares (``crypto.multiexp.Mapper``: in this process by default, or
    on this trustee's machine's worker processes, which then hold the key share).

    Raises:
        CeremonyNotReady: no tally, fewer than t mixes, or no key share in the state (run
            publish).
        VerificationFailed: the key share is not the one the election key gives trustee j.
        MalformedInput: ``contest`` is not a ranked contest of the election.
    """
    _check_log(state, log)
    params = log.params
    assert params is not None
    assert params.election_key is not None
    latest = _ranked_list(log, contest)
    t = params.threshold.threshold
    if latest.mixes < t:
        raise CeremonyNotReady(
            f"contest {contest} has {latest.mixes} mix(es): t = {t} trustees must mix it first "
            "(verivote trustee mix)"
        )
    share = _key_share(state, log)
    context = ranked_decryption_context(params.fingerprint, contest, latest.source)
    alphas = [c.alpha for c in latest.ciphertexts]
    with collector_paused():
        decryption = partial_decrypt_list(share, alphas, context=context, mapper=mapper)
    return RankedDecryption(contest, latest.source, decryption)


def _key_share(state: TrusteeState, log: ElectionState) -> KeyShare:
    """This trustee's key share, checked against the election key's X_j.

    Raises:
        CeremonyNotReady: none in the state (run publish first).
        VerificationFailed: g^x_j is not the published X_j.
    """
    params = log.params
    assert params is not None
    assert params.election_key is not None
    share = state.key_share
    if share is None:
        raise CeremonyNotReady("this trustee has no key share: run publish first")
    if share.verification_key != params.election_key.joint_key.verification_key(state.trustee):
        raise VerificationFailed(
            f"trustee {state.trustee}'s key share is not the one the election key qualifies"
        )
    return share
