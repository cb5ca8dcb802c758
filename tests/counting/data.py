"""Loading the real-election test data of tests/data/stv (see its README for provenance)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from election.counting.readers import BallotFile, read_blt

DATA = Path(__file__).resolve().parents[1] / "data" / "stv"


def load(name: str) -> BallotFile:
    return read_blt((DATA / name).read_bytes())


def units(text: str, decimals: int) -> int:
    """An official decimal string as an exact integer number of 10^-decimals units."""
    value = Decimal(text) * 10**decimals
    assert value == value.to_integral_value(), text
    return int(value)


@dataclass(frozen=True)
class OfficialRow:
    firstname: str
    surname: str
    stage: int
    total: str
    status: str
    occurred_on: int | None


@dataclass(frozen=True)
class OfficialSheet:
    valid: int
    quota: int
    seats: int
    rows: tuple[OfficialRow, ...]

    @property
    def stages(self) -> int:
        return max(r.stage for r in self.rows)


def official(name: str) -> OfficialSheet:
    doc = json.loads((DATA / name).read_text(encoding="utf-8"))["Constituency"]
    info = doc["countInfo"]
    rows = tuple(
        OfficialRow(
            firstname=r["Firstname"],
            surname=r["Surname"],
            stage=int(r["Count_Number"]),
            total=str(r["Total_Votes"]),
            status=r["Status"],
            occurred_on=int(r["Occurred_On_Count"]) if r["Occurred_On_Count"] != "" else None,
        )
        for r in doc["countGroup"]
    )
    return OfficialSheet(
        valid=int(info["Valid_Poll"]),
        quota=int(info["Quota"]),
        seats=int(info["Number_Of_Seats"]),
        rows=rows,
    )


def name_key(blt_name: str) -> tuple[str, str]:
    """'Calum SHEPHERD (LD)' -> ('calum', 'shepherd'): first given name and surname."""
    words = re.sub(r"\s*\([^)]*\)$", "", blt_name.split("''")[0]).split()
    return words[0].lower(), words[-1].lower()


def official_key(row: OfficialRow) -> tuple[str, str]:
    return row.firstname.split()[0].lower(), row.surname.lower()
