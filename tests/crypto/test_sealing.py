"""Spec §7.1 Secrets at rest: sealing under a passphrase (Argon2id + SecretBox)."""

from __future__ import annotations

import hashlib

import nacl.pwhash.argon2id
import nacl.secret
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import MalformedInput, WrongPassphrase
from crypto.sealing import DEFAULT_MEMLIMIT, DEFAULT_OPSLIMIT, open_sealed, seal, unsafe_seal
from crypto.threshold import KeyShare, ThresholdParameters
from tests.crypto.threshold.ceremony import FINGERPRINT, deterministic_ceremony

# Fast limits for tests; seal() itself uses libsodium's "moderate" ones.
FAST = {"opslimit": 1, "memlimit": 8192}
SALT, NONCE = bytes(range(16)), bytes(range(100, 124))
SECRET, PASSPHRASE = b'{"secret":"00..."}', b"correct horse battery staple"
SEALED = unsafe_seal(SECRET, PASSPHRASE, salt=SALT, nonce=NONCE, **FAST)


def test_seal_uses_moderate_limits_and_opens() -> None:
    sealed = seal(SECRET, PASSPHRASE)
    assert sealed[7:11] == DEFAULT_OPSLIMIT.to_bytes(4, "big") == (3).to_bytes(4, "big")
    assert sealed[11:15] == DEFAULT_MEMLIMIT.to_bytes(4, "big") == (2**28).to_bytes(4, "big")
    assert open_sealed(sealed, PASSPHRASE) == SECRET
    assert seal(SECRET, PASSPHRASE) != sealed  # fresh salt and nonce


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=1, max_size=40))
def test_round_trip(secret: bytes, passphrase: bytes) -> None:
    sealed = unsafe_seal(secret, passphrase, salt=SALT, nonce=NONCE, **FAST)
    assert open_sealed(sealed, passphrase) == secret
    assert len(sealed) == 55 + 16 + len(secret)


def test_matches_the_spec_oracle() -> None:
    # Spec §7.1, recomputed with libsodium and hashlib directly.
    header = b"VVSEAL\x01" + (1).to_bytes(4, "big") + (8192).to_bytes(4, "big") + SALT + NONCE
    stretched = nacl.pwhash.argon2id.kdf(32, PASSPHRASE, SALT, opslimit=1, memlimit=8192)
    parts = [b"verivote-1/sealed-secret", stretched, header]
    key = hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()
    box = nacl.secret.SecretBox(key).encrypt(SECRET, NONCE).ciphertext
    assert header + box == SEALED


def test_wrong_passphrase_is_one_clear_error() -> None:
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        open_sealed(SEALED, b"correct horse battery stapler")


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


# Every alteration of the authenticated header or the box fails authentication, which says no
# more than a wrong passphrase would (STYLE.md: collapse what would help an attacker); a
# header outside what the reader accepts is refused before any key is derived.
ALTERED = "cannot open the sealed secret: wrong passphrase, or the file was altered"
TAMPERED = {
    "opslimit": (SEALED[:7] + (2).to_bytes(4, "big") + SEALED[11:], WrongPassphrase, ALTERED),
    "memlimit": (_flip(SEALED, 13), WrongPassphrase, ALTERED),
    "salt": (_flip(SEALED, 20), WrongPassphrase, ALTERED),
    "nonce": (_flip(SEALED, 40), WrongPassphrase, ALTERED),
    "tag": (_flip(SEALED, 60), WrongPassphrase, ALTERED),
    "ciphertext": (_flip(SEALED, len(SEALED) - 1), WrongPassphrase, ALTERED),
    "truncated": (SEALED[:-1], WrongPassphrase, ALTERED),
    "trailing-bytes": (SEALED + b"\x00", WrongPassphrase, ALTERED),
    "too-short": (SEALED[:70], MalformedInput, "sealed secret: 70 bytes, at least 71"),
    "bad-magic": (
        b"XXSEAL" + SEALED[6:],
        MalformedInput,
        r"not a verivote sealed secret \(bad magic",
    ),
    "version-2": (SEALED[:6] + b"\x02" + SEALED[7:], MalformedInput, "unsupported version 2"),
    "opslimit-zero": (
        SEALED[:7] + bytes(4) + SEALED[11:],
        MalformedInput,
        "opslimit 0 out of bounds",
    ),
    "opslimit-huge": (
        SEALED[:7] + (17).to_bytes(4, "big") + SEALED[11:],
        MalformedInput,
        "opslimit 17 out of bounds",
    ),
    "memlimit-tiny": (
        SEALED[:11] + (8191).to_bytes(4, "big") + SEALED[15:],
        MalformedInput,
        "memlimit 8191 out of bounds",
    ),
    "memlimit-huge": (
        SEALED[:11] + (2**30 + 1).to_bytes(4, "big") + SEALED[15:],
        MalformedInput,
        "memlimit 1073741825 out of bounds",
    ),
}


@pytest.mark.parametrize("name", TAMPERED)
def test_tampering_is_refused(name: str) -> None:
    data, expected, reason = TAMPERED[name]
    with pytest.raises(expected, match=reason):
        open_sealed(data, PASSPHRASE)


def test_empty_passphrase_and_bad_parameters_are_refused() -> None:
    with pytest.raises(MalformedInput, match="sealed secret: empty passphrase"):
        unsafe_seal(SECRET, b"", salt=SALT, nonce=NONCE, **FAST)
    with pytest.raises(MalformedInput, match="sealed secret: empty passphrase"):
        open_sealed(SEALED, b"")
    with pytest.raises(MalformedInput, match="salt must be 16 bytes and nonce 24 bytes"):
        unsafe_seal(SECRET, PASSPHRASE, salt=SALT[:-1], nonce=NONCE, **FAST)
    with pytest.raises(MalformedInput, match="memlimit 1099511627776 out of bounds"):
        unsafe_seal(SECRET, PASSPHRASE, salt=SALT, nonce=NONCE, opslimit=1, memlimit=2**40)


def test_a_trustee_key_share_round_trips_through_a_seal() -> None:
    ceremony = deterministic_ceremony(ThresholdParameters(FINGERPRINT, 3, 2), seed="seal")
    share = ceremony.key_shares[1]
    sealed = unsafe_seal(share.export_secret(), PASSPHRASE, salt=SALT, nonce=NONCE, **FAST)
    assert share.secret.to_hex().encode() not in sealed
    back = KeyShare.import_secret(open_sealed(sealed, PASSPHRASE))
    assert back.export_secret() == share.export_secret()


def test_named_strengths_are_libsodium_levels_and_open() -> None:
    from crypto.sealing import STRENGTHS

    sealed = seal(SECRET, PASSPHRASE, strength="interactive")
    assert int.from_bytes(sealed[7:11], "big") == 2
    assert int.from_bytes(sealed[11:15], "big") == 64 * 2**20
    assert open_sealed(sealed, PASSPHRASE) == SECRET
    assert set(STRENGTHS) == {"moderate", "interactive"}
    with pytest.raises(MalformedInput, match="strength must be one of moderate, interactive"):
        seal(SECRET, PASSPHRASE, strength="weak")
