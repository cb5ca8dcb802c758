"""Spec §10 The board API's OpenAPI documentation: pydantic models of its answers and the
schema of a posted entry, their field names, patterns and lengths taken from the formats'
owners (crypto/envelope.py for the §10.1 entry, bulletin_board/wire.py and crypto/merkle.py
for leaves, tree heads and proofs).

They only document the API: the service answers with the canonical bytes of the domain objects
(bulletin_board/wire.py), never by serialising these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, Field

from bulletin_board.wire import MAX_TIMESTAMP, VERSION
from crypto.envelope import (
    AUTHOR_FIELDS,
    ED25519_KEY_LENGTH,
    ED25519_SIGNATURE_LENGTH,
    ELECTION_ID_PATTERN,
    ENTRY_FIELDS,
    ENTRY_TYPE_PATTERN,
    ENTRY_VERSION,
    ROLES,
)
from crypto.merkle import HASH_LENGTH

__all__ = [
    "CLOCK_REQUEST",
    "COSIGNATURE_REQUEST",
    "ENTRY_REQUEST",
    "JSON",
    "NDJSON",
    "ClockAnswer",
    "ConsistencyAnswer",
    "CosignatureAnswer",
    "CosignatureModel",
    "CosignaturesAnswer",
    "ErrorBody",
    "ErrorDetail",
    "InclusionAnswer",
    "LeafAnswer",
    "LeafModel",
    "LeavesPage",
    "ReceiptModel",
    "TreeHeadModel",
    "error_responses",
]

JSON: Final = "application/json"
NDJSON: Final = "application/x-ndjson"


def _hex(length: int) -> str:
    """The pattern of ``length`` bytes in lower-case hex (§3)."""
    return f"^[0-9a-f]{{{2 * length}}}$"


ElectionId = Annotated[str, Field(pattern=f"^{ELECTION_ID_PATTERN}$")]
Count = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP)]
Hash = Annotated[str, Field(pattern=_hex(HASH_LENGTH), description="SHA-256, hex")]


class ErrorDetail(BaseModel):
    code: str = Field(description="stable error code")
    message: str = Field(description="one line for humans")


class ErrorBody(BaseModel):
    error: ErrorDetail


class TreeHeadModel(BaseModel):
    """Spec §10.2 signed tree head."""

    version: int = Field(VERSION, ge=VERSION, le=VERSION)
    election: ElectionId
    tree_size: Count
    root_hash: Hash
    timestamp: Count = Field(description="ms since the Unix epoch")
    rehearsal: bool = Field(description="the log is a rehearsal's (leaf 0's flag)")
    board_key: str = Field(pattern=_hex(ED25519_KEY_LENGTH))
    signature: str = Field(pattern=_hex(ED25519_SIGNATURE_LENGTH))


class LeafModel(BaseModel):
    """Spec §10.1 leaf."""

    version: int = Field(VERSION, ge=VERSION, le=VERSION)
    index: Count
    received: Count = Field(description="the board's clock, ms since the Unix epoch")
    entry: dict[str, Any] = Field(description="Spec §10.1 entry, as posted")


class ReceiptModel(BaseModel):
    """Spec §10.3 receipt."""

    version: int = Field(VERSION, ge=VERSION, le=VERSION)
    leaf_index: Count
    leaf_hash: Hash
    leaf: LeafModel
    sth: TreeHeadModel
    inclusion_proof: list[Hash]


class LeafAnswer(BaseModel):
    leaf_index: Count
    leaf_hash: Hash
    leaf: LeafModel


class LeavesPage(BaseModel):
    leaves: list[LeafModel]
    next: Count | None


class InclusionAnswer(BaseModel):
    leaf_index: Count
    tree_size: Count
    inclusion_proof: list[Hash]


class ConsistencyAnswer(BaseModel):
    first: Count
    second: Count
    consistency_proof: list[Hash]


class ClockAnswer(BaseModel):
    """Spec §10.2-§10.3 A log's clock."""

    election: ElectionId
    now: Count = Field(description="the log's clock, ms since the Unix epoch")
    rehearsal: bool = Field(description="a rehearsal log, whose clock its administrator advances")


class CosignatureModel(BaseModel):
    """Spec §10.5 a witness's cosignature of a tree head."""

    version: int = Field(VERSION, ge=VERSION, le=VERSION)
    election: ElectionId
    board_key: str = Field(pattern=_hex(ED25519_KEY_LENGTH))
    tree_size: Count
    root_hash: Hash
    timestamp: Count = Field(description="the tree head's, ms since the Unix epoch")
    cosigned: Count = Field(description="when the witness cosigned, ms since the Unix epoch")
    witness: str = Field(pattern=_hex(ED25519_KEY_LENGTH), description="the witness's key")
    signature: str = Field(pattern=_hex(ED25519_SIGNATURE_LENGTH))


class CosignatureAnswer(BaseModel):
    """Spec §10.5 A stored cosignature."""

    cosignature: CosignatureModel


class CosignaturesAnswer(BaseModel):
    """Spec §10.5 A tree head and its witnesses' latest cosignatures."""

    sth: TreeHeadModel
    cosignatures: list[CosignatureModel]


_HEX: Final = {"type": "string", "pattern": "^([0-9a-f]{2})+$"}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI ``requestBody`` of one JSON object (``openapi_extra``)."""
    return {"requestBody": {"required": True, "content": {JSON: {"schema": schema}}}}


#: Spec §10.2 The request body of ``POST /v1/elections/{election}/clock``: a clock request.
CLOCK_REQUEST: Final = _json_body(
    {
        "type": "object",
        "description": "Spec §10.2 clock request (rehearsal logs only)",
        "required": ["version", "election", "to", "key", "signature"],
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer", "enum": [VERSION]},
            "election": {"type": "string", "pattern": f"^{ELECTION_ID_PATTERN}$"},
            "to": {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP},
            "key": {"type": "string", "pattern": _hex(ED25519_KEY_LENGTH)},
            "signature": {"type": "string", "pattern": _hex(ED25519_SIGNATURE_LENGTH)},
        },
    }
)

#: Spec §10.5 The request body of ``POST /v1/elections/{election}/cosignatures``.
COSIGNATURE_REQUEST: Final = _json_body(
    {
        "type": "object",
        "description": "Spec §10.5 cosignature of one of the board's tree heads",
        "required": [
            "version", "election", "board_key", "tree_size", "root_hash", "timestamp",
            "cosigned", "witness", "signature",
        ],
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer", "enum": [VERSION]},
            "election": {"type": "string", "pattern": f"^{ELECTION_ID_PATTERN}$"},
            "board_key": {"type": "string", "pattern": _hex(ED25519_KEY_LENGTH)},
            "tree_size": {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP},
            "root_hash": {"type": "string", "pattern": _hex(HASH_LENGTH)},
            "timestamp": {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP},
            "cosigned": {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP},
            "witness": {"type": "string", "pattern": _hex(ED25519_KEY_LENGTH)},
            "signature": {"type": "string", "pattern": _hex(ED25519_SIGNATURE_LENGTH)},
        },
    }
)  # fmt: skip

#: Spec §10.1 The request body of ``POST /v1/elections/{election}/entries``: the entry.
ENTRY_REQUEST: Final = _json_body(
    {
        "type": "object",
        "description": "Spec §10.1 entry, in canonical JSON (RFC 8785)",
        "required": list(ENTRY_FIELDS),
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer", "enum": [ENTRY_VERSION]},
            "election": {"type": "string", "pattern": f"^{ELECTION_ID_PATTERN}$"},
            "type": {"type": "string", "pattern": f"^{ENTRY_TYPE_PATTERN}$"},
            "author": {
                "type": "object",
                "required": list(AUTHOR_FIELDS),
                "additionalProperties": False,
                "properties": {
                    "role": {"type": "string", "enum": list(ROLES)},
                    "key": {**_HEX, "description": "the role's public key"},
                },
            },
            "payload": {"type": "object"},
            "signature": {**_HEX, "description": "over the entry without it"},
        },
    }
)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting each status as an ``ErrorBody``."""
    return {status: {"model": ErrorBody} for status in statuses}
