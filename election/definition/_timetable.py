"""Spec §11.1 The election's instants: their published form, the board's milliseconds (§10.1),
a local date (§11.5), and the timetable with its order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from crypto.wire import expect_object
from election.definition._errors import DefinitionError

__all__ = ["TIMETABLE_FIELDS", "Timetable", "format_time", "local_date", "parse_time", "to_ms"]

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)


def parse_time(text: object, what: str) -> datetime:
    """Spec §11.1 A published instant: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds).

    Raises:
        DefinitionError: any other form.
    """
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise DefinitionError(f"{what}: must be a UTC time like 2027-01-05T09:00:00Z, got {text!r}")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise DefinitionError(f"{what}: not a valid date and time: {text!r}") from None


def format_time(moment: datetime) -> str:
    """Spec §11.1 The published form of an instant (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_ms(moment: datetime) -> int:
    """Spec §10.1 An instant as integer milliseconds since the Unix epoch (the board's clock,
    on which a leaf's ``received`` and the timetable's rules are judged)."""
    return (moment - _EPOCH) // _MS


def local_date(ms: int, zone: str) -> date:
    """Spec §11.5 The calendar date of instant ``ms`` in time zone ``zone``."""
    return datetime.fromtimestamp(ms / 1000, ZoneInfo(zone)).date()


@dataclass(frozen=True, slots=True)
class Timetable:
    """Spec §11.1 The six instants of an election, in UTC: nominations open, close, voting opens
    and closes, strictly in this order (voting may open at the moment nominations close, not
    before); and the key ceremony's two deadlines, trustee keys close before the ceremony closes,
    before voting opens (§11.4)."""

    nominations_open: datetime
    nominations_close: datetime
    trustee_keys_close: datetime
    ceremony_close: datetime
    voting_open: datetime
    voting_close: datetime

    def __post_init__(self) -> None:
        for name in TIMETABLE_FIELDS:
            moment = getattr(self, name)
            if moment.utcoffset() != timedelta(0) or moment.microsecond:
                raise DefinitionError(f"timetable.{name}: must be in UTC, whole seconds")
        if not self.nominations_open < self.nominations_close:
            raise DefinitionError("timetable: nominations must open before they close")
        if not self.nominations_close <= self.voting_open:
            raise DefinitionError("timetable: voting cannot open before nominations close")
        if not self.voting_open < self.voting_close:
            raise DefinitionError("timetable: voting must open before it closes")
        if not self.trustee_keys_close < self.ceremony_close:
            raise DefinitionError("timetable: trustee keys must close before the ceremony closes")
        if not self.ceremony_close < self.voting_open:
            raise DefinitionError("timetable: the key ceremony must close before voting opens")

    def to_json(self) -> dict[str, str]:
        return {name: format_time(getattr(self, name)) for name in TIMETABLE_FIELDS}

    @classmethod
    def from_json(cls, value: object) -> Timetable:
        obj = expect_object(value, "timetable", required=set(TIMETABLE_FIELDS))
        return cls(**{k: parse_time(obj[k], f"timetable.{k}") for k in TIMETABLE_FIELDS})


TIMETABLE_FIELDS: Final = (
    "nominations_open",
    "nominations_close",
    "trustee_keys_close",
    "ceremony_close",
    "voting_open",
    "voting_close",
)
"""Spec §11.1 The timetable's instants, in the order of an election."""
