"""Spec §11.1 The election definition: what an administrator writes in ``election.toml``.

``ElectionDefinition.from_toml`` reads and validates the administrator's file, with errors that
name the file, the key and the problem. ``to_json`` is the published wire form (§11.1), whose
canonical bytes hash to the election fingerprint (§11.2) that every proof binds to.

Modules: ``_errors`` (``DefinitionError``), ``_timetable`` (the election's instants and their
order), ``_contest`` (§11.1 contests and their constraints, §11.3 ballot styles) and
``_definition`` (the definition, its fingerprint, its checks across fields, the TOML reader).
"""

from election.definition._contest import (
    MAX_RANKING,
    BallotStyle,
    Constraint,
    Contest,
    ContestKind,
    RankedMethod,
)
from election.definition._definition import (
    DEFINITION_VERSION,
    MAX_CONTESTS,
    MAX_TRUSTEES,
    MAX_WITNESSES,
    ElectionDefinition,
    KeyHolder,
)
from election.definition._errors import DefinitionError
from election.definition._timetable import (
    TIMETABLE_FIELDS,
    Timetable,
    format_time,
    local_date,
    parse_time,
    to_ms,
)

__all__ = [
    "DEFINITION_VERSION",
    "MAX_CONTESTS",
    "MAX_RANKING",
    "MAX_TRUSTEES",
    "MAX_WITNESSES",
    "TIMETABLE_FIELDS",
    "BallotStyle",
    "Constraint",
    "Contest",
    "ContestKind",
    "DefinitionError",
    "ElectionDefinition",
    "KeyHolder",
    "RankedMethod",
    "Timetable",
    "format_time",
    "local_date",
    "parse_time",
    "to_ms",
]
