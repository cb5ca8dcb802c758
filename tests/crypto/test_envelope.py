"""Spec §10.1 The entry envelope: sign and parse agree, every mutation of an entry is refused
for its named reason, and the signed bytes are the canonical bytes without the signature."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto import canonical
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.envelope import (
    ED25519_SCHEMES,
    ENTRY_FIELDS,
    Ed25519Signer,
    Entry,
    UnsupportedRole,
    WrongElection,
    entry_from_json,
    entry_hash,
    parse_entry,
    peek_entry,
    sign_entry,
    sign_entry_with,
)
from crypto.errors import InvalidSignature, MalformedInput, NonCanonicalEncoding
from crypto.signing import SigningKey
from election.voter import CredentialSigner
from election.wire import CredentialScheme, election_schemes
from tests.strategies import json_values

KEY = SigningKey(bytes(range(32)))
OTHER = SigningKey(bytes(range(1, 33)))
KEY_HEX = KEY.verify_key.to_hex().encode()
FINGERPRINT = hashlib.sha256(b"an election").digest()
CREDENTIAL = derive_credential_key(
    CredentialCode.unsafe_from_entropy(bytes(15)), fingerprint=FINGERPRINT
)


def _note(**payload: Any) -> bytes:
    return sign_entry(
        election="e1", type="note", role="administrator", payload={"n": 1, **payload}, key=KEY
    )


def _unsigned_bytes(raw: bytes) -> bytes:
    value = canonical.decode(raw)
    assert isinstance(value, dict)
    return canonical.encode({k: v for k, v in value.items() if k != "signature"})


payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
roles = st.sampled_from(["administrator", "issuer", "trustee", "board"])
types = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@given(payload=payloads, role=roles, entry_type=types)
def test_sign_then_parse_gives_back_every_field(
    payload: dict[str, Any], role: str, entry_type: str
) -> None:
    raw = sign_entry(election="e-1", type=entry_type, role=role, payload=payload, key=KEY)
    entry = parse_entry(raw, ED25519_SCHEMES, election="e-1")
    assert (entry.election, entry.type, entry.role, entry.key) == (
        "e-1",
        entry_type,
        role,
        KEY.verify_key.raw,
    )
    assert entry.payload == payload
    assert entry.raw == raw
    assert entry.hash == entry_hash(raw) == hashlib.sha256(raw).digest()
    assert entry.signed_bytes() == _unsigned_bytes(raw)
    assert canonical.encode(entry.to_json()) == raw
    assert entry_from_json(canonical.decode(raw), ED25519_SCHEMES) == entry


@given(payload=payloads)
def test_a_voter_entry_signs_with_the_credential(payload: dict[str, Any]) -> None:
    raw = sign_entry_with(CredentialSigner(CREDENTIAL), election="e1", type="x", payload=payload)
    entry = parse_entry(raw, election_schemes(FINGERPRINT))
    assert entry.role == "voter"
    assert entry.key == CREDENTIAL.public.to_bytes()
    assert entry.signed_bytes() == _unsigned_bytes(raw)
    with pytest.raises(InvalidSignature, match="credential signature: challenge does not match"):
        parse_entry(raw, election_schemes(bytes(32)))
    with pytest.raises(InvalidSignature, match="no election definition yet"):
        parse_entry(raw, election_schemes(None))
    with pytest.raises(UnsupportedRole, match="no entries from role 'voter'"):
        parse_entry(raw, ED25519_SCHEMES)


def test_a_payload_holding_a_signature_member_does_not_confuse_the_signed_bytes() -> None:
    raw = _note(z=',"signature":"00"', signature="11" * 64)
    entry = parse_entry(raw, ED25519_SCHEMES)
    assert entry.signed_bytes() == _unsigned_bytes(raw)


def test_a_payload_holding_the_type_and_version_tail_signs_canonically() -> None:
    # Signing inserts the signature member before the tail ',"type":...,"version":1}'.
    raw = _note(z=',"type":"note","version":1}', type="note", version=1)
    assert raw == canonical.encode(canonical.decode(raw))
    entry = parse_entry(raw, ED25519_SCHEMES)
    assert entry.payload["z"] == ',"type":"note","version":1}'
    assert entry.signed_bytes() == _unsigned_bytes(raw)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(entry: dict[str, Any]) -> None:
        *outer, last = path.split(".")
        target = entry
        for key in outer:
            target = target[key]
        target[last] = value

    return change


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda entry: entry.pop(name)


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], type[Exception], str]] = {
    "payload-changed": (_set("payload.n", 2), InvalidSignature, "does not verify"),
    "other-election": (_set("election", "e2"), WrongElection, "posted to 'e1'"),
    "bad-election-id": (_set("election", "-e1"), MalformedInput, "election id: must be"),
    "election-id-too-long": (_set("election", "e" * 64), MalformedInput, "election id"),
    "bad-type": (_set("type", "Note"), MalformedInput, "entry type must match"),
    "type-not-a-string": (_set("type", 1), MalformedInput, "entry type must be a string"),
    "version-2": (_set("version", 2), MalformedInput, "entry version must be <= 1"),
    "version-0": (_set("version", 0), MalformedInput, "entry version must be >= 1"),
    "version-a-bool": (_set("version", True), MalformedInput, "must be an integer"),
    "unknown-role": (_set("author.role", "mayor"), MalformedInput, "unknown author role"),
    "voter-role": (_set("author.role", "voter"), UnsupportedRole, "no entries from role"),
    "short-key": (_set("author.key", "00" * 31), MalformedInput, "64 hex digits"),
    "upper-hex-key": (
        _set("author.key", KEY.verify_key.to_hex().upper()),
        NonCanonicalEncoding,
        "lower-case",
    ),
    "long-signature": (_set("signature", "00" * 65), MalformedInput, "128 hex digits"),
    "signature-not-hex": (_set("signature", "zz" * 64), MalformedInput, "not hex"),
    "payload-a-list": (_set("payload", [1]), MalformedInput, "payload must be a JSON object"),
    "missing-payload": (_drop("payload"), MalformedInput, "missing field"),
    "missing-signature": (_drop("signature"), MalformedInput, "missing field"),
    "extra-field": (_set("extra", 1), MalformedInput, "unknown field"),
    "author-extra-field": (_set("author.name", "x"), MalformedInput, "unknown field"),
    "author-not-an-object": (_set("author", "me"), MalformedInput, "must be a JSON object"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutated_entry_is_refused_for_its_reason(name: str) -> None:
    change, error, reason = MUTATIONS[name]
    value = canonical.decode(_note())
    assert isinstance(value, dict)
    change(value)
    with pytest.raises(error, match=reason):
        parse_entry(canonical.encode(value), ED25519_SCHEMES, election="e1")


@pytest.mark.parametrize(
    ("name", "mutate", "reason"),
    [
        ("space", lambda raw: raw.replace(b'{"author"', b'{ "author"'), "canonical form"),
        ("unsorted", lambda raw: raw.replace(b'"version":1}', b'"aaa":1}'), "canonical form"),
        ("duplicate-key", lambda raw: raw[:-1] + b',"version":1}', "duplicate JSON key"),
        ("float", lambda raw: raw.replace(b'"version":1}', b'"version":1.0}'), "floats"),
        ("trailing-garbage", lambda raw: raw + b"x", "invalid JSON"),
        ("truncated", lambda raw: raw[:-1], "invalid JSON"),
    ],
)
def test_non_canonical_bytes_are_refused(
    name: str, mutate: Callable[[bytes], bytes], reason: str
) -> None:
    with pytest.raises(MalformedInput, match=reason):
        parse_entry(mutate(_note()), ED25519_SCHEMES)


def test_a_signature_from_another_key_or_purpose_is_refused() -> None:
    value = canonical.decode(_note())
    assert isinstance(value, dict)
    forged = canonical.decode(
        sign_entry(election="e1", type="note", role="administrator", payload={"n": 1}, key=OTHER)
    )
    assert isinstance(forged, dict)
    value["signature"] = forged["signature"]
    with pytest.raises(InvalidSignature, match="does not verify"):
        parse_entry(canonical.encode(value), ED25519_SCHEMES)
    # Unverified parsing keeps the entry, and its signature check fails later.
    entry = parse_entry(canonical.encode(value), ED25519_SCHEMES, verify=False)
    with pytest.raises(InvalidSignature, match="Ed25519 signature does not verify"):
        entry.verify_signature(ED25519_SCHEMES["administrator"])


def test_signing_refuses_what_no_reader_would_accept() -> None:
    with pytest.raises(UnsupportedRole, match="does not sign with Ed25519"):
        sign_entry(election="e1", type="note", role="voter", payload={}, key=KEY)
    with pytest.raises(MalformedInput, match="entry type must match"):
        sign_entry(election="e1", type="No", role="administrator", payload={}, key=KEY)
    with pytest.raises(MalformedInput, match="election id"):
        sign_entry(election="E1", type="note", role="administrator", payload={}, key=KEY)
    with pytest.raises(UnsupportedRole, match="role 'voter' does not sign with Ed25519"):
        Ed25519Signer("voter", KEY)


def test_entry_fields_are_the_spec_order() -> None:
    assert ENTRY_FIELDS == ("version", "election", "type", "author", "payload", "signature")
    value = canonical.decode(_note())
    assert isinstance(value, dict)
    assert list(value) == sorted(ENTRY_FIELDS)


def test_an_entry_not_in_canonical_layout_has_no_signed_bytes() -> None:
    entry = parse_entry(_note(), ED25519_SCHEMES)
    spaced = Entry(
        entry.election, entry.type, entry.role, entry.key, entry.payload, entry.signature,
        entry.raw.replace(b'","type"', b'", "type"'),
    )  # fmt: skip
    with pytest.raises(MalformedInput, match="not canonical"):
        spaced.signed_bytes()


@pytest.mark.parametrize(
    ("name", "mutate"),
    [
        ("not-an-object", lambda raw: b"[" + raw + b"]"),
        ("author-not-first", lambda raw: raw.replace(b'{"author"', b'{"aardvark":1,"author"')),
        ("version-2", lambda raw: raw.replace(b'"version":1}', b'"version":2}')),
        ("no-payload", lambda raw: raw.replace(b'"payload":{"n":1},', b"")),
        ("upper-hex-key", lambda raw: raw.replace(KEY_HEX, KEY_HEX.upper())),
    ],
)
def test_peek_finds_nothing_outside_the_canonical_layout(
    name: str, mutate: Callable[[bytes], bytes]
) -> None:
    assert peek_entry(_note()) is not None
    assert peek_entry(mutate(_note())) is None


def test_the_credential_scheme_refuses_a_key_that_is_not_a_credential() -> None:
    scheme = CredentialScheme(FINGERPRINT)
    raw = sign_entry_with(CredentialSigner(CREDENTIAL), election="e1", type="x", payload={})
    entry = parse_entry(raw, election_schemes(FINGERPRINT))
    with pytest.raises(MalformedInput, match="not on curve"):
        scheme.verify(b"\x02" + bytes(32), entry.signed_bytes(), entry.signature)
