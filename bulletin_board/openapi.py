"""Spec §10 The board API's OpenAPI documentation: pydantic models of its answers and the
schema of a posted entry.

They only document the API: the service answers with the canonical bytes of the domain objects
(bulletin_board/wire.py), never by serialising these models.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, Field

__all__ = [
    "ENTRY_REQUEST",
    "JSON",
    "NDJSON",
    "ConsistencyAnswer",
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


class ErrorDetail(BaseModel):
    code: str = Field(description="stable error code")
    message: str = Field(description="one line for humans")


class ErrorBody(BaseModel):
    error: ErrorDetail


class TreeHeadModel(BaseModel):
    """Spec §10.2 signed tree head."""

    version: int
    election: str
    tree_size: int
    root_hash: str
    timestamp: int
    board_key: str
    signature: str


class LeafModel(BaseModel):
    """Spec §10.1 leaf."""

    version: int
    index: int
    received: int
    entry: dict[str, Any]


class ReceiptModel(BaseModel):
    """Spec §10.3 receipt."""

    version: int
    leaf_index: int
    leaf_hash: str
    leaf: LeafModel
    sth: TreeHeadModel
    inclusion_proof: list[str]


class LeafAnswer(BaseModel):
    leaf_index: int
    leaf_hash: str
    leaf: LeafModel


class LeavesPage(BaseModel):
    leaves: list[LeafModel]
    next: int | None


class InclusionAnswer(BaseModel):
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]


class ConsistencyAnswer(BaseModel):
    first: int
    second: int
    consistency_proof: list[str]


#: Spec §10.1 The request body of ``POST /v1/elections/{election}/entries``.
ENTRY_REQUEST: Final = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "type": "object",
                    "description": "Spec §10.1 entry, in canonical JSON (RFC 8785)",
                    "required": ["version", "election", "type", "author", "payload", "signature"],
                    "properties": {
                        "version": {"type": "integer", "enum": [1]},
                        "election": {"type": "string"},
                        "type": {"type": "string"},
                        "author": {
                            "type": "object",
                            "required": ["role", "key"],
                            "properties": {
                                "role": {"type": "string"},
                                "key": {"type": "string"},
                            },
                        },
                        "payload": {"type": "object"},
                        "signature": {"type": "string"},
                    },
                }
            }
        },
    }
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting each status as an ``ErrorBody``."""
    return {status: {"model": ErrorBody} for status in statuses}
