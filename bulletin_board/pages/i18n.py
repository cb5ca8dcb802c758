"""The pages' languages: one message catalogue per language, and how a request chooses one.

A catalogue is one TOML file in ``bulletin_board/pages/messages/`` named by its language code
(``en.toml``, ``cy.toml``): tables of messages with ``{name}`` placeholders, plus the
``[language]`` table (its own name, month names, and how dates, times and numbers are written).
Adding a language is adding one file: every catalogue must have exactly the keys of English,
with the same placeholders (tests/pages/test_i18n.py).

A request's language: ``?lang=xx`` if given (the language switch; remembered in a cookie),
else the cookie, else the best match of ``Accept-Language``, else English.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_LANGUAGE",
    "Catalogue",
    "catalogues",
    "choose_language",
    "placeholders",
]

MESSAGES: Final = Path(__file__).resolve().parent / "messages"
DEFAULT_LANGUAGE: Final = "en"
_QUALITY: Final = re.compile(r"^q=([01](?:\.[0-9]{0,3})?)$")
_CODE: Final = re.compile(r"^[a-z]{2,3}$")


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One language's messages (flattened keys such as ``home.title``)."""

    code: str
    messages: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        """Raises: ValueError (not TOML, or no ``[language]`` table)."""
        with path.open("rb") as stream:
            table = tomllib.load(stream)
        if "language" not in table:
            raise ValueError(f"{path}: no [language] table")
        return cls(path.stem, _flatten(table))

    @property
    def name(self) -> str:
        """The language's name in itself (``Cymraeg``)."""
        return str(self.messages["language.name"])

    def text(self, key: str, **values: object) -> str:
        """The message ``key`` with its placeholders filled.

        Raises:
            KeyError: no such message (a template's mistake, caught by the tests).
        """
        message = self.messages[key]
        if not isinstance(message, str):
            raise KeyError(f"{key} is not a message")
        return message.format(**values) if values else message

    def number(self, value: int) -> str:
        """An integer with the language's thousands separator."""
        return f"{value:,}".replace(",", str(self.messages["language.thousands"]))

    def percent(self, part: int, whole: int) -> str:
        """``part`` of ``whole`` as a percentage with one decimal (exact, rounded half up)."""
        if whole <= 0:
            return "–"
        tenths = (2000 * part + whole) // (2 * whole)
        return self.text("language.percent", value=f"{tenths // 10}.{tenths % 10}")

    def date(self, moment: datetime, *, year: bool = True) -> str:
        """A calendar date in words (``12 January 2027``)."""
        month = self.messages["language.months"][moment.month - 1]
        key = "language.date" if year else "language.date_no_year"
        return self.text(key, day=moment.day, month=month, year=moment.year)

    def when(self, moment: datetime | int, zone: str, *, year: bool = True) -> str:
        """An instant in time zone ``zone``, the zone named: ``12 January 2027 at 17:00
        (Europe/London)``; ``moment`` is a datetime or integer ms since the epoch."""
        local = _local(moment, zone)
        return self.text(
            "language.when",
            date=self.date(local, year=year),
            time=f"{local:%H:%M}",
            zone=zone,
        )

    def short(self, moment: datetime | int, zone: str) -> str:
        """An instant in ``zone`` for a table cell (``2027-01-12 17:00``); the table names the
        zone in its heading."""
        return f"{_local(moment, zone):%Y-%m-%d %H:%M}"


def _local(moment: datetime | int, zone: str) -> datetime:
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment / 1000, UTC)
    return moment.astimezone(ZoneInfo(zone))


@functools.cache
def catalogues(directory: Path = MESSAGES) -> Mapping[str, Catalogue]:
    """Every catalogue of ``directory``, by language code, English first."""
    found = {p.stem: Catalogue.load(p) for p in sorted(directory.glob("*.toml"))}
    if DEFAULT_LANGUAGE not in found:
        raise ValueError(f"{directory}: no {DEFAULT_LANGUAGE}.toml")
    return {DEFAULT_LANGUAGE: found.pop(DEFAULT_LANGUAGE), **found}


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, *params = (p.strip() for p in item.split(";"))
        quality = 1.0
        for param in params:
            match = _QUALITY.match(param.replace(" ", ""))
            if match:
                quality = float(match[1])
        primary = tag.lower().split("-")[0]
        if quality > 0 and _CODE.match(primary):
            ranked.append((-quality, position, primary))
    return sorted(ranked)


def choose_language(
    available: Iterable[str],
    *,
    query: str | None = None,
    cookie: str | None = None,
    accept: str | None = None,
) -> str:
    """The language of a page: the switch (``query``), the remembered choice (``cookie``),
    the browser's ``Accept-Language``, else English. Unknown codes are ignored."""
    codes = set(available)
    for choice in (query, cookie):
        if choice in codes:
            return choice
    for _, _, primary in _accepted(accept or ""):
        if primary in codes:
            return primary
    return DEFAULT_LANGUAGE
