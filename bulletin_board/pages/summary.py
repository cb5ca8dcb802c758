"""Spec §10.1 and §11.11 What the pages need of a large trustee entry, read without decoding it.

A mix (§11.11) of 120,000 ballots is about 60 MB of canonical JSON and takes seconds to decode;
a ranked decryption is a few MB. The pages show only who posted it, for which contest, which mix
and of how many ciphertexts, and whether its signature verifies. ``summarise`` locates those in
the canonical layout (§4.1: members sorted, so the envelope's author comes first and the
signature, type and version last; a mix's payload starts with its contest and number, a ranked
decryption's ends with the mix it decrypts) and verifies the author's Ed25519 signature over
the bytes it signs (``Entry.signed_bytes``, cut the same way) without decoding the payload.

It checks the envelope's layout and the signature, not the payload's form: the board checked
that when it accepted the entry, and the verifier checks it again. Bytes of another layout give
None (the caller parses them in full).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from crypto.envelope import ED25519_SCHEMES, ENTRY_VERSION
from crypto.errors import VerivoteError
from election.wire import MIX, RANKED_DECRYPTION

__all__ = ["SUMMARISED_TYPES", "Summary", "summarise"]

#: The types the pages always fold from their summary (their payloads grow with the ballots).
SUMMARISED_TYPES: Final = frozenset({MIX, RANKED_DECRYPTION})

_HEAD: Final = re.compile(
    rb'\{"author":\{"key":"([0-9a-f]{64})","role":"([a-z]+)"\},"election":"[a-z0-9-]+",'
    rb'"payload":\{'
)
_TAIL: Final = re.compile(
    rb'\},"signature":"([0-9a-f]{128})","type":"([a-z][a-z0-9-]{0,63})","version":1\}'
)
_MIX_HEAD: Final = re.compile(
    rb'"contest":"([a-z0-9-]{1,63})","mix":(0|[1-9][0-9]{0,8}),"outputs":\['
)
_MIX_END: Final = b'],"proof":{'
_DECRYPTION_HEAD: Final = re.compile(rb'"contest":"([a-z0-9-]{1,63})","decryption":\{')
_DECRYPTION_TAIL: Final = re.compile(rb',"mix":"([0-9a-f]{64})"$')
#: How far from the end the signature member can start (signature, type and version).
_TAIL_SPAN: Final = 256


@dataclass(frozen=True, slots=True)
class Summary:
    """An entry's author, type and signature check, and its header ``facts``: a mix's
    ``contest``, ``mix`` (k, from 0) and ``count`` of outputs; a ranked decryption's
    ``contest`` and ``mix`` (the entry hash of the mix it decrypts)."""

    type: str
    role: str
    key: bytes
    signature_verifies: bool
    facts: Mapping[str, Any] = field(default_factory=dict)


def summarise(raw: bytes) -> Summary | None:
    """Spec §10.1 The summary of canonical entry bytes by an Ed25519 role (None: another
    layout, or a voter's entry)."""
    head = _HEAD.match(raw)
    start = max(0, len(raw) - _TAIL_SPAN)
    cut = raw.rfind(b'},"signature":"', start)
    tail = _TAIL.fullmatch(raw, cut) if cut >= 0 and head is not None else None
    if head is None or tail is None:
        return None
    key, role = bytes.fromhex(head[1].decode()), head[2].decode()
    signature, kind = bytes.fromhex(tail[1].decode()), tail[2].decode()
    scheme = ED25519_SCHEMES.get(role)
    if scheme is None:
        return None
    # The bytes signed: the canonical entry without its signature member (Entry.signed_bytes).
    signed = raw[: cut + 1] + b',"type":"%s","version":%d}' % (kind.encode(), ENTRY_VERSION)
    try:
        scheme.verify(key, signed, signature)
        verifies = True
    except VerivoteError:
        verifies = False
    return Summary(kind, role, key, verifies, _facts(kind, raw, head.end(), cut))


def _facts(kind: str, raw: bytes, start: int, end: int) -> dict[str, Any]:
    """The header facts of a payload ``raw[start:end]`` (empty for other types)."""
    if kind == MIX:
        mix = _MIX_HEAD.match(raw, start)
        if mix is None:
            return {}
        outputs_end = raw.rfind(_MIX_END, mix.end(), end)
        count = raw.count(b'{"alpha":', mix.end(), outputs_end) if outputs_end >= 0 else 0
        return {"contest": mix[1].decode(), "mix": int(mix[2]), "count": count}
    if kind == RANKED_DECRYPTION:
        decryption = _DECRYPTION_HEAD.match(raw, start)
        mixed = _DECRYPTION_TAIL.search(raw, max(start, end - 80), end)
        if decryption is None or mixed is None:
            return {}
        return {"contest": decryption[1].decode(), "mix": bytes.fromhex(mixed[1].decode())}
    return {}
