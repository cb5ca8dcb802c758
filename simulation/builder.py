"""Spec §11 A whole election, built with real crypto by the producers' own code and posted to a
board phase by phase: the election builder of the demonstration, the tests and the benchmarks.

``ElectionBuilder(plan, board)`` plays every role of ``plan`` (simulation/plan.py): the
administrator (election/admin.py), the trustees (election/trustee.py, one ``TrusteeState``
each, never sealed), the issuer (election/issuer.py) and the members (election/voter.py). Each
phase builds its entries from the state folded from ``board`` (simulation/boards.py) and posts
them at a board time, by default at these days of the plan's timetable:

=================================================  =========================
``define``                                         the plan's start
``nominate``                                       nominations open + 0.5
``candidate_lists``, ``ceremony``, ``issue``       nominations close + 0.5
``vote``, ``vote_all``, ``audit``                  voting open + 0.1
``tally``, ``decrypt``, ``mix``,                   voting close + 0.01
``decrypt_ranked``, ``result`` (``count``)
=================================================  =========================

``prepare()`` runs every phase up to the opening of voting; ``count()`` every phase after the
close. The ``*_entry`` methods build an entry without posting it (tests post them themselves).
"""

from __future__ import annotations

import functools
import multiprocessing
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Final

from bulletin_board.booth import BoothFiles
from crypto.envelope import MAX_ENTRY_BYTES, Entry, parse_entry, sign_entry
from crypto.multiexp import Mapper
from crypto.shuffle import PROOF_UNITS
from crypto.signing import SigningKey
from crypto.threshold import Dealing, ThresholdParameters, TrusteePublicKey
from election import admin
from election.definition import ContestKind, ElectionDefinition
from election.issuer import issue_credentials
from election.roll import Member as RollMember
from election.roll import Roll
from election.rules import CheckedDecryption, CheckedMix, ElectionParameters, ElectionState
from election.trustee import (
    TrusteeState,
    decrypt,
    decrypt_ranked,
    keygen,
    mix,
    publish,
    share,
    verify,
    worker_processes,
)
from election.voter import audit_payload, encrypt_ballot, sign_voter_entry
from election.wire import (
    AUDIT,
    BALLOT,
    BOOTH_RELEASE,
    CANDIDATE_LIST,
    COMPLAINT,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    DEALING,
    DECRYPTION,
    ELECTION_DEFINITION,
    ELECTION_KEY,
    EMPTY_RANKING,
    KEY_CONFIRMATION,
    MIX,
    NOMINATION,
    RANKED_DECRYPTION,
    RESULT,
    SHARES_ACCEPTED,
    TALLY,
    TRUSTEE_KEY,
    BoothRelease,
    DealingPayload,
    DefinitionPayload,
    Nomination,
    Result,
    election_schemes,
)
from simulation.boards import Board, HttpBoard
from simulation.choices import Choices, count
from simulation.device import SENDERS, BallotContext, Member, device_cast, start_device
from simulation.plan import ElectionPlan, RoleKeys

__all__ = ["BallotContext", "DealingTamper", "ElectionBuilder", "Member", "Progress"]

#: Ballots per task of a member-device process (simulation/device.py).
CHUNK: Final = 8

#: (trustee parameters, an honest dealing, the trustees' public keys) -> the dealing posted.
DealingTamper = Callable[[ThresholdParameters, Dealing, Sequence[TrusteePublicKey]], Dealing]
#: (description, total) -> a context yielding ``advance(n)``: a progress bar, or nothing.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


@functools.lru_cache(maxsize=16)
def _definition(toml: str) -> ElectionDefinition:
    """The definition a plan's election.toml gives (read once: definitions are immutable)."""
    return ElectionDefinition.from_toml(toml, source="the election plan")


@contextmanager
def _no_progress(_description: str, _total: int) -> Iterator[Callable[[int], None]]:
    yield lambda _n: None


class ElectionBuilder:
    """Builds ``plan``'s election on ``board``: see the module's docstring.

    ``keys`` sign its entries (fresh ones by default); ``rng`` draws the roll and whatever the
    caller simulates with it (never a secret: every secret comes from ``secrets``); ``jobs``
    worker processes compute each trustee's mixes and list decryptions (as a trustee's machine
    would with its cores).
    """

    def __init__(
        self,
        plan: ElectionPlan,
        board: Board,
        *,
        keys: RoleKeys | None = None,
        rng: random.Random | None = None,
        progress: Progress | None = None,
        jobs: int = 1,
    ) -> None:
        self.plan = plan
        self.jobs = jobs
        self.board = board
        self.keys = keys if keys is not None else RoleKeys.generate(plan.trustees, plan.witnesses)
        self.definition = _definition(plan.definition_toml_for(self.keys))
        self.rng = rng if rng is not None else random.Random(secrets.randbits(64))  # noqa: S311
        self.progress = progress or _no_progress
        self.trustees: dict[int, TrusteeState] = {}
        self.dealings: dict[int, Dealing] = {}
        self.members: list[Member] = []
        #: member id -> the choices of their last ballot (what the count must give)
        self.cast: dict[str, Choices] = {}
        self._schemes = election_schemes(self.definition.fingerprint)

    # --- the log -------------------------------------------------------------------------------

    @property
    def state(self) -> ElectionState:
        return self.board.state

    @property
    def params(self) -> ElectionParameters:
        params = self.board.state.params
        assert params is not None, "define the election first"
        return params

    def entry(self, raw: bytes) -> Entry:
        """An entry's bytes parsed for the rules (its signature is the board's to check)."""
        return parse_entry(
            raw,
            self._schemes,
            election=self.plan.election,
            verify=False,
            max_bytes=MAX_ENTRY_BYTES,
        )

    def post(self, raw: bytes, at: int) -> int:
        """Post an entry's bytes at board time ``at``; its leaf index."""
        return self.board.post(self.entry(raw), at)

    def _post_made(self, raw: bytes, at: int, *, type: str, payload: object) -> int:
        """Post the bytes of an entry this builder made of ``payload`` (what the rules'
        precheck makes of them): on an ``HttpBoard`` neither parsed before posting nor after
        (a mix's or a list decryption's points are not decoded again), else as ``post``."""
        if isinstance(self.board, HttpBoard):
            return self.board.post_raw(raw, at, what=type, payload=payload)
        return self.post(raw, at)

    def signed(self, role: str, type: str, payload: Mapping[str, Any], key: SigningKey) -> bytes:
        return sign_entry(
            election=self.plan.election, type=type, role=role, payload=dict(payload), key=key
        )

    def administrator(self, type: str, payload: Mapping[str, Any], *, at: int) -> int:
        """Post an administrator's entry."""
        return self.post(self.signed("administrator", type, payload, self.keys.administrator), at)

    def trustee(self, j: int, type: str, payload: Mapping[str, Any], *, at: int) -> int:
        """Post trustee ``j``'s entry."""
        return self.post(self.signed("trustee", type, payload, self.keys.trustee(j)), at)

    def _issuer(self, type: str, payload: Mapping[str, Any], *, at: int) -> int:
        return self.post(self.signed("issuer", type, payload, self.keys.issuer), at)

    def _when(self, at: int | None, days: float) -> int:
        return at if at is not None else self.plan.at(days)

    # --- before voting -------------------------------------------------------------------------

    def define(self, *, at: int | None = None) -> None:
        """Spec §11.2 The definition (leaf 1)."""
        payload = DefinitionPayload(self.definition).to_json()
        self.administrator(ELECTION_DEFINITION, payload, at=self._when(at, 0))

    def nominate(self, *, at: int | None = None) -> None:
        """Spec §11.5 One nomination per nominee and nominator of the plan, received the day
        they are posted."""
        when = self._when(at, self.plan.timetable.nominations_open + 0.5)
        day = datetime.fromtimestamp(when / 1000, UTC).date()
        for contest, nominees in self.plan.nominees.items():
            for nominee in nominees:
                for by in nominee.nominators:
                    nomination = Nomination(contest, nominee.candidate(), by, day)
                    self.administrator(NOMINATION, nomination.to_json(), at=when)

    def candidate_lists(self, *, at: int | None = None, order: str = "alphabetical") -> None:
        """Spec §11.5 The candidate list of every candidate contest, computed from the
        nominations and exclusions on the log."""
        when = self._when(at, self.plan.timetable.nominations_close + 0.5)
        for contest in self.definition.contests:
            if contest.kind is not ContestKind.REFERENDUM:
                listed = admin.candidate_list(self.state, contest.id, order=order)
                self.administrator(CANDIDATE_LIST, listed.to_json(), at=when)

    def booth_release(self, *, at: int | None = None, version: str = "demo") -> None:
        """Spec §11.14 The SHA-256 of every file of the web booth installed here."""
        release = BoothRelease.of_files(BoothFiles.read().files, version=version)
        when = self._when(at, self.plan.timetable.nominations_close + 0.5)
        self.administrator(BOOTH_RELEASE, release.to_json(), at=when)

    def ceremony(
        self,
        *,
        at: int | None = None,
        tamper: Mapping[int, DealingTamper] | None = None,
        confirm: bool = True,
        silent: Mapping[int, str] | None = None,
        key: bool = True,
    ) -> None:
        """Spec §7 and §11.6 The key ceremony, each trustee's four steps reading the log as it
        is; ``tamper[i]`` replaces trustee i's dealing (a cheat the others complain about);
        ``silent[i]`` is ``"key"`` (trustee i never posts a key) or ``"dealing"`` (it posts its
        key, then nothing): the others deal at ``trustee_keys_close`` and the election key is
        posted at ``ceremony_close`` (§11.4). Without ``confirm`` it stops at the election key:
        the key-share holders' confirmations (``confirm_keys``) come later; without ``key``
        before it (the administrator's step)."""
        when = self._when(at, self.plan.timetable.nominations_close + 0.5)
        quiet = dict(silent or {})
        indices = range(1, self.plan.trustees + 1)
        for j in indices:
            self.trustees[j], public = keygen(self.definition, j)
            if quiet.get(j) != "key":
                self.trustee(j, TRUSTEE_KEY, public.to_json(), at=when)
        if any(j not in self.state.ceremony.trustee_keys for j in indices):
            when = max(when, self.plan.at(self.plan.timetable.keys_close) + 1000)
        taking_part = [j for j in sorted(self.state.ceremony.trustee_keys) if j not in quiet]
        for j in taking_part:
            self.trustees[j], dealing = share(self.trustees[j], self.state, when)
            if tamper and j in tamper:
                publics = [
                    self.state.ceremony.trustee_keys[i]
                    for i in sorted(self.state.ceremony.trustee_keys)
                ]
                parameters = self.trustees[j].parameters
                dealing = DealingPayload(tamper[j](parameters, dealing.dealing, publics))
            self.dealings[j] = dealing.dealing
            self.trustee(j, DEALING, dealing.to_json(), at=when)
        for j in taking_part:
            if not [i for i in self.state.ceremony.dealings if i != j]:
                continue  # nobody else dealt: nothing to check
            self.trustees[j], complaints, accepted = verify(self.trustees[j], self.state)
            for complaint in complaints:
                self.trustee(j, COMPLAINT, complaint.to_json(), at=when)
            if accepted is not None:
                self.trustee(j, SHARES_ACCEPTED, accepted.to_json(), at=when)
        if any(j not in self.state.ceremony.shares_accepted for j in indices):
            when = max(when, self.plan.at(self.plan.timetable.ceremony_closes) + 1000)
        if not key:
            return
        self.administrator(
            ELECTION_KEY, admin.election_key(self.state, when).key.to_json(), at=when
        )
        if confirm:
            self.confirm_keys(at=when)

    def confirm_keys(self, *, at: int | None = None, trustees: Sequence[int] | None = None) -> None:
        """Spec §7.5 and §11.6 Each trustee of ``trustees`` (default: every key-share holder)
        confirms the election key on the log."""
        when = self._when(at, self.plan.timetable.nominations_close + 0.5)
        params = self.state.params
        holders = params.election_key.holders if params and params.election_key else ()
        for j in trustees or holders:
            self.trustees[j], confirmation = publish(self.trustees[j], self.state)
            self.trustee(j, KEY_CONFIRMATION, confirmation.to_json(), at=when)

    def issue(
        self, roll: Sequence[Sequence[str]] | None = None, *, at: int | None = None
    ) -> list[Member]:
        """Spec §11.7 One credential per member of ``roll`` (each member's sections; by
        default the plan's, drawn with ``rng``) with a ballot style: the public credentials
        and counts posted, the members (with their codes) kept in ``members``."""
        when = self._when(at, self.plan.timetable.nominations_close + 0.5)
        sections = roll if roll is not None else self.plan.roll(self.rng)
        members = tuple(
            RollMember(f"M{i:06d}", f"Member {i}", f"member{i}@example.org", tuple(s))
            for i, s in enumerate(sections, start=len(self.members) + 1)
        )
        with self.progress("issuing credentials", len(members)) as advance:
            issued = issue_credentials(
                Roll(self.plan.election, members), self.definition, advance=advance
            )
        for part in issued.issued.parts():
            self._issuer(CREDENTIALS, part.to_json(), at=when)
        self._issuer(CREDENTIALS_COMPLETE, issued.issued.complete().to_json(), at=when)
        fingerprint = self.definition.fingerprint
        added = [
            Member.deriving(letter.code, fingerprint, letter.style, letter.member.id)
            for letter in issued.letters
        ]
        self.members += added
        return added

    def prepare(self) -> None:
        """Every phase up to the opening of voting: definition, nominations, candidate lists,
        the booth release, key ceremony, credentials."""
        self.define()
        self.nominate()
        self.candidate_lists()
        self.booth_release()
        self.ceremony()
        self.issue()

    # --- voting --------------------------------------------------------------------------------

    def _ballot_context(self) -> BallotContext:
        params = self.params
        assert params.public_key is not None, "run the key ceremony first"
        return BallotContext(self.plan.election, params.layout, params.public_key)

    def ballot(self, member: Member, choices: Mapping[str, Sequence[int]]) -> bytes:
        """Spec §11.8 ``member``'s signed ballot of ``choices`` (not posted)."""
        return self._ballot_context().ballot(member.key, member.style, choices)

    def audit_entry(
        self, member: Member, choices: Mapping[str, Sequence[int]]
    ) -> tuple[bytes, bytes]:
        """Spec §11.9 An audited ballot of ``choices`` (not posted): the ``audit`` entry, and
        the signed ballot it opens (whose hash is the tracker the member was shown)."""
        params = self.params
        assert params.public_key is not None, "run the key ceremony first"
        encrypted = encrypt_ballot(
            params.layout,
            member.style,
            choices,
            public_key=params.public_key,
            credential=member.key,
        )
        ballot = sign_voter_entry(
            election=self.plan.election,
            type=BALLOT,
            payload=encrypted.ballot.to_json(),
            credential=member.key,
        )
        audit = sign_voter_entry(
            election=self.plan.election,
            type=AUDIT,
            payload=audit_payload(ballot, encrypted.openings),
            credential=member.key,
        )
        return audit, ballot

    def _voting(self, at: int | None) -> int:
        return self._when(at, self.plan.timetable.voting_open + 0.1)

    def vote(
        self, member: Member, choices: Mapping[str, Sequence[int]], *, at: int | None = None
    ) -> int:
        """Cast ``member``'s ballot; its leaf index."""
        index = self.post(self.ballot(member, choices), self._voting(at))
        self.cast[member.id] = {c: list(marks) for c, marks in choices.items()}
        return index

    def audit(
        self, member: Member, choices: Mapping[str, Sequence[int]], *, at: int | None = None
    ) -> tuple[int, bytes]:
        """Post an audited ballot of ``member`` (never counted): its leaf index, and the signed
        ballot it opens."""
        audit, ballot = self.audit_entry(member, choices)
        return self.post(audit, self._voting(at)), ballot

    def vote_all(
        self,
        votes: Sequence[tuple[Member, Choices]],
        *,
        at: int | None = None,
        processes: int = 1,
        senders: int = SENDERS,
        label: str = "casting ballots",
    ) -> None:
        """Cast every ballot of ``votes`` in order (a member's later ballot supersedes an
        earlier one), built by ``processes`` worker processes. On an ``HttpBoard`` each worker
        posts its ballots itself, ``senders`` at a time (the board commits them in groups),
        and the leaves they appended are folded into the state afterwards."""
        when = self._voting(at)
        if processes <= 1:
            with self.progress(label, len(votes)) as advance:
                for member, choices in votes:
                    self.vote(member, choices, at=when)
                    advance(1)
            return
        url = None
        if isinstance(self.board, HttpBoard):
            self.board.set_clock(when)
            url = self.board.url
        tasks = [(m.code.formatted(), m.style, choices) for m, choices in votes]
        size = max(CHUNK, 2 * senders)  # a chunk keeps every sender busy
        chunks = [tasks[k : k + size] for k in range(0, len(tasks), size)]
        context = multiprocessing.get_context("spawn")
        with (
            ProcessPoolExecutor(
                processes,
                mp_context=context,
                initializer=start_device,
                initargs=(self._ballot_context(), self.definition.fingerprint, url, senders),
            ) as pool,
            self.progress(label, len(tasks)) as advance,
        ):
            for cast, built in pool.map(device_cast, chunks):
                for raw in built:
                    self.post(raw, when)
                advance(cast)
        if isinstance(self.board, HttpBoard):
            self.board.catch_up()
        for member, choices in votes:
            self.cast[member.id] = {c: list(marks) for c, marks in choices.items()}

    # --- after the close -----------------------------------------------------------------------

    def _counting(self, at: int | None) -> int:
        return self._when(at, self.plan.timetable.voting_close + 0.01)

    def tally_entry(self) -> bytes:
        """Spec §11.11 The tally of the counted ballots on the log (the superseded ballots it
        reads back read from an ``HttpBoard`` on concurrent requests first)."""
        if isinstance(self.board, HttpBoard):
            self.board.prefetch(self.state.voting.superseded)
        return self.signed(
            "administrator", TALLY, admin.tally(self.state).to_json(), self.keys.administrator
        )

    def decryption_entry(self, j: int) -> bytes:
        """Spec §11.11 Trustee ``j``'s decryption of the tally on the log."""
        payload = decrypt(self.trustees[j], self.state).to_json()
        return self.signed("trustee", DECRYPTION, payload, self.keys.trustee(j))

    def result_entry(self) -> tuple[bytes, Result]:
        """Spec §11.12 The result the tally and the decryptions on the log give."""
        outcome = admin.result(self.state)
        return self.signed(
            "administrator", RESULT, outcome.to_json(), self.keys.administrator
        ), outcome

    def mix_entry(self, j: int, contest: str, *, mapper: Mapper = map) -> bytes:
        """Spec §11.11 Trustee ``j``'s mix of ranked ``contest``'s latest list on the log."""
        return self._mix_entry(j, contest, mapper)[0]

    def _mix_entry(self, j: int, contest: str, mapper: Mapper) -> tuple[bytes, CheckedMix]:
        size = len(self.state.tallying.lists[contest].ciphertexts)
        work = (1 + PROOF_UNITS) * size
        with self.progress(f"trustee {j} mixing {contest}", work) as advance:
            mixed = mix(self.trustees[j], self.state, contest, progress=advance, mapper=mapper)
        raw = self.signed("trustee", MIX, mixed.to_json(), self.keys.trustee(j))
        return raw, CheckedMix(mixed, None)

    def ranked_decryption_entry(self, j: int, contest: str, *, mapper: Mapper = map) -> bytes:
        """Spec §11.11 Trustee ``j``'s decryption of ranked ``contest``'s last list on the log."""
        return self._ranked_decryption_entry(j, contest, mapper)[0]

    def _ranked_decryption_entry(
        self, j: int, contest: str, mapper: Mapper
    ) -> tuple[bytes, CheckedDecryption]:
        decryption = decrypt_ranked(self.trustees[j], self.state, contest, mapper=mapper)
        raw = self.signed("trustee", RANKED_DECRYPTION, decryption.to_json(), self.keys.trustee(j))
        return raw, CheckedDecryption(decryption, None)

    def ranked_contests(self) -> list[str]:
        """The ids of the ranked contests, in definition order."""
        return [c.id for c in self.definition.contests if c.kind is ContestKind.RANKED]

    def _present(self, trustees: Sequence[int] | None) -> list[int]:
        params = self.state.params
        key = params.election_key if params else None
        holders = key.holders if key else tuple(self.trustees)
        return list(
            trustees or [j for j in self.trustees if j not in self.plan.absent and j in holders]
        )

    def tally(self, *, at: int | None = None) -> None:
        self.post(self.tally_entry(), self._counting(at))

    def decrypt(self, *, at: int | None = None, trustees: Sequence[int] | None = None) -> None:
        """Each trustee of ``trustees`` (default: every trustee not absent) decrypts."""
        for j in self._present(trustees):
            self.post(self.decryption_entry(j), self._counting(at))

    def mix(self, *, at: int | None = None, trustees: Sequence[int] | None = None) -> None:
        """Each trustee of ``trustees`` (default: every trustee not absent) mixes every ranked
        contest, in turn, each contest's list after the previous mix of it. A mix is posted
        (the board checks its proof) while the next contest's is computed."""
        when = self._counting(at)
        with worker_processes(self.jobs) as mapper, ThreadPoolExecutor(1) as poster:
            posting: tuple[str, Future[int]] | None = None
            for j in self._present(trustees):
                for contest in self.ranked_contests():
                    if posting is not None and posting[0] == contest:
                        posting[1].result()  # this contest's list is the one it posts
                    raw, payload = self._mix_entry(j, contest, mapper)
                    if posting is not None:
                        posting[1].result()
                    post = functools.partial(self._post_made, type=MIX, payload=payload)
                    posting = (contest, poster.submit(post, raw, when))
            if posting is not None:
                posting[1].result()

    def decrypt_ranked(
        self, *, at: int | None = None, trustees: Sequence[int] | None = None
    ) -> None:
        """Each trustee of ``trustees`` (default: every trustee not absent) decrypts every
        ranked contest's last list. A decryption is posted (the board checks its proof) while
        the next is computed: each decrypts a final list, which no decryption changes."""
        when = self._counting(at)
        with worker_processes(self.jobs) as mapper, ThreadPoolExecutor(1) as poster:
            posting: Future[int] | None = None
            for contest in self.ranked_contests():
                for j in self._present(trustees):
                    raw, payload = self._ranked_decryption_entry(j, contest, mapper)
                    if posting is not None:
                        posting.result()
                    post = functools.partial(
                        self._post_made, type=RANKED_DECRYPTION, payload=payload
                    )
                    posting = poster.submit(post, raw, when)
            if posting is not None:
                posting.result()

    def result(self, *, at: int | None = None) -> Result:
        raw, outcome = self.result_entry()
        self.post(raw, self._counting(at))
        return outcome

    def count(self, *, at: int | None = None) -> Result:
        """After the close: the tally, the decryptions, the mixes and ranked decryptions of the
        trustees present, the result."""
        self.tally(at=at)
        self.decrypt(at=at)
        self.mix(at=at)
        self.decrypt_ranked(at=at)
        return self.result(at=at)

    def expected_papers(self) -> dict[str, Counter[bytes]]:
        """Per ranked contest, the rankings of the members' last ballots (each as the bytes it
        encrypts, ``0xFF`` for nobody ranked): what the decrypted papers must be, in any order."""
        ranked = set(self.ranked_contests())
        out: dict[str, Counter[bytes]] = {c: Counter() for c in ranked}
        for choices in self.cast.values():
            for contest, marks in choices.items():
                if contest in ranked:
                    out[contest][bytes(marks) if marks else EMPTY_RANKING] += 1
        return out

    def expected_counts(self) -> dict[str, list[int]]:
        """Per homomorphic contest, the votes of each option in the members' last ballots:
        what the decrypted counts must be."""
        options = {
            shape.id: shape.options
            for shape in self.params.layout.contests.values()
            if shape.homomorphic
        }
        return count(self.cast, options)
