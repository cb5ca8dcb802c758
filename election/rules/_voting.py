"""Spec §11.8-§11.10 Ballots and audited ballots: the stateless checks (``precheck``: the
ballot paper hash, and with ``verify`` every proof), and the O(1) stateful rules: window,
readiness, eligible credential of the right style, no ciphertext both cast and opened nor
reused under another credential, last ballot per credential."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, cast

from crypto.batch import BatchVerifier
from crypto.elgamal import Ciphertext
from crypto.errors import InvalidBatch, InvalidProof, InvalidSignature, MalformedInput
from crypto.group import Point
from election.rules._common import EntryRule, need_params
from election.rules._state import (
    Credential,
    ElectionParameters,
    ElectionState,
    LoggedEntry,
    Refusal,
)
from election.wire import (
    AUDIT,
    BALLOT,
    Audit,
    Ballot,
    add_ballot_proofs,
    credential_from_bytes,
    verify_audit,
    verify_ballot,
)


def _ready_params(params: ElectionParameters | None) -> ElectionParameters:
    params = need_params(params)
    if params.public_key is None:
        raise Refusal("voting_not_ready", "the election key is not published yet")
    return params


def read_back(state: ElectionState, index: int) -> LoggedEntry:
    """The entry at an earlier leaf (Spec §11.4: rules may read the log they fold).

    Raises:
        RuntimeError: the state was built without a leaf reader.
    """
    if state.leaves is None:
        raise RuntimeError(f"the election rules need leaf {index}: give the state a leaf reader")
    return state.leaves(index)


def ballot_of(state: ElectionState, entry: LoggedEntry) -> Ballot:
    """The ballot a logged ``ballot`` or ``audit`` entry holds (parsed, not verified)."""
    params = need_params(state.params)
    if entry.type == AUDIT:
        return Audit.from_json(entry.payload, params.layout).ballot.ballot
    return Ballot.from_json(entry.payload, params.layout, proofs=False)


# --- the shared voter checks -----------------------------------------------------------------


def _voter(
    state: ElectionState, entry: LoggedEntry, style: str, received: int, what: str
) -> Credential:
    """Spec §11.4 and §11.8 Window, readiness, and an eligible credential of this style."""
    if received < state.instant("voting_open"):
        raise Refusal("voting_not_open", f"{what}s are accepted once voting opens")
    if received >= state.instant("voting_close"):
        raise Refusal("voting_closed", f"voting has closed: no more {what}s")
    not_ready = state.ready()
    if not_ready is not None:
        raise Refusal("voting_not_ready", f"voting cannot start: {not_ready}")
    credential = state.credentials.credentials.get(entry.key)
    if credential is None:
        raise Refusal("unknown_credential", "the credential is not on the published lists")
    if credential.revoked:
        raise Refusal("credential_revoked", "the credential was revoked by a reissue")
    if credential.style != style:
        raise Refusal("wrong_style", f"the credential is for style {credential.style}, not {style}")
    return credential


def _holds(state: ElectionState, entry: LoggedEntry, alpha: Point) -> bool:
    return any(c.alpha == alpha for c in ballot_of(state, entry).ciphertexts())


def _no_reuse(
    state: ElectionState, entry: LoggedEntry, ciphertexts: Iterable[Ciphertext], *, cast: bool
) -> None:
    """Spec §11.8 No ciphertext is both cast and opened, in either order, whatever the
    credentials: a ballot reusing an alpha of an earlier audit is ``ciphertext_audited`` (casting
    it would publish the vote), an audit reusing an alpha of an earlier ballot is
    ``ciphertext_cast`` (§11.9: a board could otherwise cast the inner ballot before the audit);
    otherwise no alpha appears earlier under another credential (``ciphertext_reused``). The
    index gives candidate leaves by fingerprint; each is read back to compare whole alphas."""
    index = state.voting.alphas
    for ciphertext in ciphertexts:
        for leaf in index.leaves(ciphertext.alpha):
            earlier = read_back(state, leaf)
            opposite = (earlier.type == AUDIT) == cast
            if earlier.key == entry.key and not opposite:
                continue
            if not _holds(state, earlier, ciphertext.alpha):
                continue
            if opposite and cast:
                raise Refusal(
                    "ciphertext_audited",
                    f"a ciphertext of this ballot was opened by the audit in leaf {leaf}",
                )
            if opposite:
                raise Refusal(
                    "ciphertext_cast",
                    f"a ciphertext of this audit was cast by the ballot in leaf {leaf}: a cast "
                    "ballot is never opened",
                )
            raise Refusal(
                "ciphertext_reused",
                f"a ciphertext of this ballot is in leaf {leaf} under another credential",
            )


def opened_by_audit(state: ElectionState, index: int) -> int | None:
    """Spec §11.10 The leaf of an audit that opens a ciphertext of the ballot at ``index`` (an
    audited ballot, which never counts), or None. Only a board that broke §11.8-§11.9 logs one;
    a voter's receipt check asks this of the ballot that replaced theirs."""
    ballot = read_back(state, index)
    for ciphertext in ballot_of(state, ballot).ciphertexts():
        for leaf in state.voting.alphas.leaves(ciphertext.alpha):
            earlier = read_back(state, leaf)
            if earlier.type == AUDIT and _holds(state, earlier, ciphertext.alpha):
                return leaf
    return None


def _index_alphas(state: ElectionState, ciphertexts: Iterable[Ciphertext], index: int) -> None:
    alphas = state.voting.alphas
    seen: set[Point] = set()
    for ciphertext in ciphertexts:
        if ciphertext.alpha not in seen:
            seen.add(ciphertext.alpha)
            alphas.add(ciphertext.alpha, index)


# --- ballot ----------------------------------------------------------------------------------


def _check_paper(params: ElectionParameters, ballot: Ballot, what: str) -> None:
    """Spec §11.8 The ballot carries the paper hash of the candidate lists in force."""
    if ballot.paper != params.layout.paper:
        raise Refusal(
            "wrong_paper",
            f"{what} was built against other candidate lists than those in force (paper hash "
            f"{ballot.paper.hex()[:16]}…)",
        )


def _precheck_ballot(params: ElectionParameters | None, entry: LoggedEntry, verify: bool) -> Ballot:
    params = _ready_params(params)
    # Without verify (folding a ballot already on the log) the proofs are not even read.
    ballot = Ballot.from_json(entry.payload, params.layout, proofs=verify)
    _check_paper(params, ballot, "the ballot")
    if verify:
        _verify(params, entry, ballot)
    return ballot


def _verify(params: ElectionParameters, entry: LoggedEntry, ballot: Ballot) -> None:
    """Spec §11.8 Every proof of the ballot, one by one. Raises: Refusal ``invalid_proof``."""
    assert params.public_key is not None
    try:
        verify_ballot(
            ballot,
            credential=credential_from_bytes(entry.key, "voter key"),
            fingerprint=params.fingerprint,
            public_key=params.public_key,
            layout=params.layout,
        )
    except InvalidProof as exc:
        raise Refusal("invalid_proof", str(exc)) from None


# Spec §6.7 From how many ballots one batch verification costs less than verifying each alone
# (measured: a 10-candidate ballot's proofs cost 1.6x alone in a batch of 1, 1.1x in one of 3,
# 0.8x in one of 6, 0.7x from 32 on; the demo's paper likewise).
BATCH_FROM: Final = 6


def precheck_ballots(
    params: ElectionParameters | None, entries: Sequence[LoggedEntry]
) -> list[Ballot | Refusal | MalformedInput]:
    """Spec §11.8, §6.7 The verifying prechecks of many ballots at once: each is parsed and its
    paper checked alone, its rankings' randomness proofs verified alone, and every range and
    sum proof of them all in ONE batch verification (§6.7); fewer than ``BATCH_FROM`` ballots
    are verified one by one (a batch would cost more). A batch that fails is verified
    proof by proof (``crypto.batch``), so each ballot gets the refusal its own precheck gives
    (``invalid_proof``, naming its first failing proof), and the valid ones pass.

    Returns, per entry in order, its ballot or what its ``precheck`` would raise.

    Raises:
        Refusal: ``no_definition`` or ``voting_not_ready`` (for every entry alike).
    """
    params = _ready_params(params)
    assert params.public_key is not None
    if len(entries) < BATCH_FROM:
        return [_precheck_alone(params, entry) for entry in entries]
    batch = BatchVerifier()
    outcomes: list[Ballot | Refusal | MalformedInput] = []
    for position, entry in enumerate(entries):
        try:
            ballot = Ballot.from_json(entry.payload, params.layout)
            _check_paper(params, ballot, "the ballot")
            add_ballot_proofs(
                batch,
                ballot,
                credential=credential_from_bytes(entry.key, "voter key"),
                fingerprint=params.fingerprint,
                public_key=params.public_key,
                layout=params.layout,
                label=position,
            )
        except (Refusal, MalformedInput) as exc:
            outcomes.append(exc)
            continue
        except InvalidProof:  # a ranking's proof: the first failing proof, as alone
            outcomes.append(_refusal(params, entry, ballot))
            continue
        outcomes.append(ballot)
    try:
        batch.verify()
    except InvalidBatch as exc:
        for label, reason in exc.failures:
            position, where = cast(tuple[int, str], label)
            if isinstance(outcomes[position], Ballot):  # its first failing proof, in order
                outcomes[position] = Refusal("invalid_proof", f"{where}: {reason}")
    return outcomes


def _precheck_alone(
    params: ElectionParameters, entry: LoggedEntry
) -> Ballot | Refusal | MalformedInput:
    try:
        return _precheck_ballot(params, entry, True)
    except (Refusal, MalformedInput) as exc:
        return exc


def _refusal(params: ElectionParameters, entry: LoggedEntry, ballot: Ballot) -> Refusal:
    """The refusal of a ballot found invalid, naming its first failing proof (as alone)."""
    try:
        _verify(params, entry, ballot)
    except Refusal as exc:
        return exc
    raise AssertionError("a proof that failed verified")


def _check_ballot(
    state: ElectionState, entry: LoggedEntry, ballot: Ballot, index: int, received: int
) -> None:
    _voter(state, entry, ballot.style, received, "ballot")
    _no_reuse(state, entry, ballot.ciphertexts(), cast=True)


def _apply_ballot(
    state: ElectionState, entry: LoggedEntry, ballot: Ballot, index: int, received: int
) -> None:
    credential = state.credentials.credentials[entry.key]
    voting = state.voting
    if credential.last_ballot is None:
        voting.voters[credential.style] = voting.voters.get(credential.style, 0) + 1
    else:
        voting.superseded.append(credential.last_ballot)
    credential.last_ballot = index
    _index_alphas(state, ballot.ciphertexts(), index)
    voting.add(ballot, index)
    voting.ballots += 1


# --- audit -----------------------------------------------------------------------------------


def _precheck_audit(params: ElectionParameters | None, entry: LoggedEntry, verify: bool) -> Audit:
    params = _ready_params(params)
    audit = Audit.from_json(entry.payload, params.layout)
    _check_paper(params, audit.ballot.ballot, "the audited ballot")
    if verify:
        assert params.public_key is not None
        try:
            verify_audit(
                audit,
                election=params.election,
                author=credential_from_bytes(entry.key, "voter key"),
                fingerprint=params.fingerprint,
                public_key=params.public_key,
                layout=params.layout,
            )
        except (InvalidProof, InvalidSignature, MalformedInput) as exc:
            raise Refusal("invalid_audit", str(exc)) from None
    return audit


def _check_audit(
    state: ElectionState, entry: LoggedEntry, audit: Audit, index: int, received: int
) -> None:
    _voter(state, entry, audit.ballot.ballot.style, received, "audit")
    _no_reuse(state, entry, audit.ballot.ballot.ciphertexts(), cast=False)


def _apply_audit(
    state: ElectionState, entry: LoggedEntry, audit: Audit, index: int, received: int
) -> None:
    _index_alphas(state, audit.ballot.ballot.ciphertexts(), index)
    state.voting.audits += 1


RULES = (
    EntryRule(
        BALLOT, _precheck_ballot, _check_ballot, _apply_ballot, precheck_many=precheck_ballots
    ),
    EntryRule(AUDIT, _precheck_audit, _check_audit, _apply_audit),
)
