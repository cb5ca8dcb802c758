"""Spec §11.1 The one error of the definition reader."""

from __future__ import annotations

from crypto.errors import MalformedInput

__all__ = ["DefinitionError"]


class DefinitionError(MalformedInput):
    """An election definition that is not valid; the message names the key and the problem."""
