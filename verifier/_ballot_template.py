"""Spec §4.2, §10.1 and §11.8 A ballot entry read as its exact bytes, without parsing its JSON.

For a ballot style whose contests are all homomorphic (block, approval, referendum), the
canonical bytes of every well-formed ballot entry are one fixed text with hex holes: the
election, the style, the paper hash, every key and the number of options, branches and
ciphertexts are fixed by the election and the style; only the hex of the author's key, of the
points, of the scalars and of the signature differ, each of a fixed length. A ``Template`` is
that text, made by encoding (§4.1) an entry of the style with markers in the holes.

``Template.read`` takes an entry's bytes and accepts them only if they are the template with
lower-case hex of the right length in every hole: exactly the entries that ``parse_entry``
and the fast reader's checks of fields, types and hex accept for that style. Everything
else (another form, another style, an upper-case digit, a ranked contest) is left to the
parsers, which name what is wrong. It is what the verifier spends on a ballot's JSON that
this saves: parsing 9 KB, the canonical check, and walking the parsed objects (about a sixth
of a ballot's time at k = 10).
"""

from __future__ import annotations

import re
import struct
from binascii import unhexlify
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.group import ENCODED_POINT_LENGTH
from election.wire import ContestShape

__all__ = ["Holes", "Template"]

# The holes' kinds and their lengths in hex digits. ``point`` and ``commitment`` are §2.3
# encodings, ``scalar`` a §2.2 scalar, ``key`` the author's key and ``signature`` the credential
# signature (§8.2).
_LENGTHS: Final = {
    "key": 2 * ENCODED_POINT_LENGTH,
    "point": 2 * ENCODED_POINT_LENGTH,
    "commitment": 2 * ENCODED_POINT_LENGTH,
    "scalar": 64,
    "signature": 128,
}
_MARK: Final = re.compile(rb'"@(\d+)@"')
# encode_parts' length prefix of a 33-byte part, in hex (crypto.hashing.encode_parts).
_L33_HEX: Final = ENCODED_POINT_LENGTH.to_bytes(4, "big").hex().encode()


@dataclass(frozen=True, slots=True)
class Holes:
    """What a ballot entry's holes hold: ``ciphertexts``, the encodings of alpha and beta of
    each option, contest after contest, and the same as ``encode_parts`` writes each
    (``ciphertext_parts``); ``commitments`` (A and B of each branch, proof after proof) and
    ``commitment_parts`` likewise; ``scalars``, each branch's challenge then response, 32 bytes
    each; ``signed``, the entry's bytes without its signature, and ``signature``."""

    ciphertexts: bytes
    ciphertext_parts: bytes
    commitments: bytes
    commitment_parts: bytes
    scalars: bytes
    signed: bytes
    signature: bytes


class Template:
    """The bytes of a style's ballot entries, holes aside (see the module docstring)."""

    def __init__(self, election: str, style: str, paper: str, shapes: Sequence[ContestShape]):
        kinds: list[str] = []

        def hole(kind: str) -> str:
            kinds.append(kind)
            return f"@{len(kinds) - 1}@"

        def proof(branches: int) -> JsonValue:
            return {
                "branches": [
                    {"a": hole("commitment"), "b": hole("commitment"),
                     "challenge": hole("scalar"), "response": hole("scalar")}
                    for _ in range(branches)
                ]
            }  # fmt: skip

        contests: list[JsonValue] = []
        for shape in shapes:
            if not shape.homomorphic:
                raise ValueError("a template is only for homomorphic contests")
            # The order of the holes made here is the readers' order (fast ballots): the
            # selections' points, then each option's proof, then the total's.
            selections: list[JsonValue] = [
                {"alpha": hole("point"), "beta": hole("point")} for _ in range(shape.options)
            ]
            proofs = [proof(2) for _ in range(shape.options)]
            span = shape.total_range
            total = None if span is None else proof(span[1] - span[0] + 1)
            contests.append(
                {"contest": shape.id, "proofs": proofs, "selections": selections, "total": total}
            )
        entry: JsonValue = {
            "author": {"key": hole("key"), "role": "voter"},
            "election": election,
            "payload": {"contests": contests, "paper": paper, "style": style},
            "signature": hole("signature"),
            "type": "ballot",
            "version": 1,
        }
        text = canonical.encode(entry)
        # In the bytes (keys sorted) the holes come in another order than they were made.
        skeleton: list[bytes] = []  # the text with "0"s in the holes
        spans: dict[int, tuple[int, int]] = {}  # hole -> its place in an entry's bytes
        at = shift = 0
        for found in _MARK.finditer(text):
            number = int(found[1])
            length = _LENGTHS[kinds[number]]
            skeleton += (text[at : found.start() + 1], b"0" * length)
            start = found.start() + 1 + shift
            spans[number] = (start, start + length)
            shift += length - (found.end() - found.start() - 2)
            at = found.end() - 1
        if sorted(spans) != list(range(len(kinds))):
            raise ValueError("a marker's text met elsewhere in the entry")
        skeleton.append(text[at:])
        self._match: Final = _matcher(b"".join(skeleton), sorted(spans.values()))

        def taking(kind: str) -> Callable[[bytes], tuple[bytes, ...]]:
            places = [slice(*spans[k]) for k, seen in enumerate(kinds) if seen == kind]
            if len(places) == 1:
                only = places[0]
                return lambda raw: (raw[only],)
            get = itemgetter(*places)
            return lambda raw: get(raw)

        self._points = taking("point")
        self._commitments = taking("commitment")
        self._scalars = taking("scalar")
        self.key: Final = slice(*spans[kinds.index("key")])
        signature = spans[kinds.index("signature")]
        self._signature: Final = slice(*signature)
        # The member ',"signature":"<hex>"' cut out (Entry.signed_bytes).
        member = len(b',"signature":"')
        self._before: Final = slice(0, signature[0] - member)
        self._after: Final = slice(signature[1] + 1, None)

    def read(self, raw: bytes) -> Holes | None:
        """Spec §10.1, §11.8 What the holes of ``raw`` hold; None unless ``raw`` is exactly
        this template with lower-case hex of the right length in every hole."""
        if not self._match(raw):
            return None
        points, commitments = self._points(raw), self._commitments(raw)
        return Holes(
            unhexlify(b"".join(points)),
            unhexlify(_L33_HEX + _L33_HEX.join(points)),
            unhexlify(b"".join(commitments)),
            unhexlify(_L33_HEX + _L33_HEX.join(commitments)),
            unhexlify(b"".join(self._scalars(raw))),
            raw[self._before] + raw[self._after],
            unhexlify(raw[self._signature]),
        )


def _matcher(skeleton: bytes, holes: list[tuple[int, int]]) -> Callable[[bytes], object]:
    """Whether an entry's bytes are the skeleton with lower-case hex in each hole (truthy or
    falsy): the C extension's ``filled`` when it is built, else a regular expression made from
    the same text and holes (the same answer: tests/verifier/test_ballot_template.py holds them
    to each other)."""
    if canonical.FILLED is None:
        pattern: list[bytes] = []
        at = 0
        for start, end in holes:
            pattern += (re.escape(skeleton[at:start]), b"[0-9a-f]{%d}" % (end - start))
            at = end
        pattern.append(re.escape(skeleton[at:]))
        return re.compile(b"".join(pattern)).fullmatch
    filled, places = canonical.FILLED, struct.pack(f"={2 * len(holes)}I", *chain(*holes))
    return lambda raw: filled(raw, skeleton, places)
