"""Spec §9.2 and §10.1 The page of one leaf: the entry, who signed it and whether the signature
verifies under the key the definition names for that role, and its inclusion proof to the
board's latest signed tree head, checked here and linked as JSON for anyone to check.

A large entry (a mix is tens of MB at party scale) is not read for its page: ``large_leaf_view``
draws it from what the digest kept when it folded the entry (its summary, hashes and the
signature check made then, said so on the page), and the entry is a download."""

from __future__ import annotations

import json
from typing import Any, Final

from bulletin_board.pages.describe import describe_entry, signer_name
from bulletin_board.pages.digest import ElectionDigest, Posted
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.wire import SignedTreeHead, split_leaf
from crypto import canonical
from crypto.envelope import ED25519_SCHEMES, entry_hash, parse_entry
from crypto.errors import VerivoteError
from crypto.merkle import leaf_hash, verify_inclusion
from election.wire import election_schemes

__all__ = ["large_leaf_view", "leaf_view"]

#: Items of a list shown on a leaf page (a credentials part holds up to 10,000).
LIST_SHOWN: Final = 12


def _shorten(value: Any) -> tuple[Any, bool]:
    if isinstance(value, list):
        items = [_shorten(v) for v in value[:LIST_SHOWN]]
        cut = len(value) > LIST_SHOWN
        shown = [v for v, _ in items] + ([f"… {len(value) - LIST_SHOWN} more"] if cut else [])
        return shown, cut or any(c for _, c in items)
    if isinstance(value, dict):
        pairs = {k: _shorten(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    return value, False


def _proof_view(
    t: Catalogue, hashed: bytes, index: int, sth: SignedTreeHead, proof: list[bytes]
) -> dict[str, Any]:
    """Spec §9.2 Whether the inclusion proof of the leaf hashed ``hashed`` leads to the root."""
    try:
        verify_inclusion(
            leaf_hash=hashed, index=index, tree_size=sth.tree_size, proof=proof, root=sth.root_hash
        )
    except VerivoteError:
        return {"proof_verified": False, "proof_text": t.text("leaf.proof_bad")}
    return {"proof_verified": True, "proof_text": t.text("leaf.proof_ok")}


def large_leaf_view(
    t: Catalogue,
    digest: ElectionDigest,
    posted: Posted,
    *,
    sth: SignedTreeHead,
    proof: list[bytes],
) -> dict[str, Any]:
    """A large entry's leaf (``posted.size`` >= ``LARGE_ENTRY``) from what the digest kept of
    it, without reading it: its one-line summary, its signer and the signature check made when
    the digest folded it, its hashes and inclusion proof. The entry is not shown: the page's
    JSON link downloads it."""
    zone = digest.definition.value.time_zone if digest.definition is not None else "UTC"
    return {
        "index": posted.index,
        "type": posted.type,
        "received": t.when(posted.received, zone),
        "key": posted.key.hex(),
        "entry_hash": posted.hash.hex(),
        "leaf_hash": posted.leaf_hash.hex(),
        "json": "",
        "truncated": False,
        "large": t.text("leaf.large", size=t.number(posted.size)),
        "proof": [h.hex() for h in proof],
        **_proof_view(t, posted.leaf_hash, posted.index, sth, proof),
        "author": signer_name(t, digest, posted),
        "verified": posted.verified,
        "signature_text": t.text(
            "leaf.signature_folded" if posted.verified else "leaf.signature_folded_bad"
        ),
        "what": describe_entry(t, digest, posted),
    }


def leaf_view(
    t: Catalogue,
    digest: ElectionDigest,
    *,
    index: int,
    raw_leaf: bytes,
    sth: SignedTreeHead,
    proof: list[bytes],
) -> dict[str, Any]:
    """Leaf ``index``: its entry in words and as JSON, signer and signature, inclusion proof."""
    zone = digest.definition.value.time_zone if digest.definition is not None else "UTC"
    split = split_leaf(raw_leaf)
    raw, received = (split[0], split[2]) if split is not None else (b"", 0)
    decoded = canonical.decode(raw) if raw else {}
    value: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
    author: dict[str, Any] = value.get("author") or {}
    role = str(author.get("role", "?"))
    shown, truncated = _shorten(value)
    view: dict[str, Any] = {
        "index": index,
        "type": str(value.get("type", "?")),
        "received": t.when(received, zone),
        "key": str(author.get("key", "")),
        "entry_hash": entry_hash(raw).hex(),
        "leaf_hash": leaf_hash(raw_leaf).hex(),
        "json": json.dumps(shown, indent=1, ensure_ascii=False),
        "truncated": truncated,
        "large": None,
        "proof": [h.hex() for h in proof],
        **_proof_view(t, leaf_hash(raw_leaf), index, sth, proof),
    }
    if role == "voter":
        fingerprint = digest.definition.value.fingerprint if digest.definition else None
        try:
            parse_entry(raw, election_schemes(fingerprint), verify=True, max_bytes=len(raw))
            verified = fingerprint is not None
        except VerivoteError:
            verified = False
        view.update(
            author=t.text("leaf.voter"),
            verified=verified,
            signature_text=t.text("leaf.signature_voter" if verified else "leaf.signature_bad"),
            what=t.text("leaf.audit" if view["type"] == "audit" else "leaf.ballot"),
        )
        return view
    posted = digest.posted(index)
    if posted is None:
        view.update(
            author=role,
            verified=False,
            what=view["type"],
            signature_text=t.text("leaf.signature_bad"),
        )
        return view
    try:
        parse_entry(raw, ED25519_SCHEMES, verify=True, max_bytes=len(raw))
        signature = "leaf.signature_ok" if posted.verified else "leaf.signature_wrong_key"
    except VerivoteError:
        signature = "leaf.signature_bad"
    view.update(
        author=signer_name(t, digest, posted),
        verified=posted.verified and signature == "leaf.signature_ok",
        signature_text=t.text(signature),
        what=describe_entry(t, digest, posted),
    )
    return view
