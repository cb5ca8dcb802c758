"""The pages' languages: every catalogue has English's keys and placeholders, a request's
language is chosen by the switch, then the cookie, then Accept-Language, and adding a language
is adding one file."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bulletin_board.pages.i18n import MESSAGES, Catalogue, catalogues, choose_language, placeholders


def test_every_catalogue_has_the_keys_and_placeholders_of_english() -> None:
    found = catalogues()
    english = found["en"].messages
    assert set(found) >= {"en", "cy"}
    for code, catalogue in found.items():
        assert set(catalogue.messages) == set(english), code
        for key, message in english.items():
            other = catalogue.messages[key]
            assert type(other) is type(message), (code, key)
            if isinstance(message, str):
                assert placeholders(other) == placeholders(message), (code, key)
        assert len(catalogue.messages["language.months"]) == 12


def test_welsh_is_welsh() -> None:
    cy = catalogues()["cy"]
    moment = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)
    assert cy.when(moment, "Europe/London", year=False) == "12 Ionawr am 17:00 (Europe/London)"
    assert cy.text("nav.results") == "Canlyniadau"
    assert cy.name == "Cymraeg"


def test_times_are_in_the_election_zone_and_name_it() -> None:
    en = catalogues()["en"]
    summer = datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    assert en.when(summer, "Europe/London") == "1 July 2027 at 17:00 (Europe/London)"
    ms = int(summer.timestamp() * 1000)
    assert en.when(ms, "America/New_York", year=False) == "1 July at 12:00 (America/New_York)"
    assert en.short(ms, "Europe/London") == "2027-07-01 17:00"


def test_numbers_and_percentages_are_exact() -> None:
    en = catalogues()["en"]
    assert en.number(400000) == "400,000"
    assert en.percent(1, 3) == "33.3%"
    assert en.percent(2, 3) == "66.7%"
    assert en.percent(1, 8) == "12.5%"
    assert en.percent(0, 0) == "–"


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "chosen"),
    [
        (None, None, None, "en"),
        (None, None, "cy-GB,cy;q=0.9,en;q=0.8", "cy"),
        (None, None, "fr, en-GB;q=0.7, cy;q=0.8", "cy"),
        (None, None, "cy;q=0, en;q=0.5", "en"),
        (None, None, "de-DE,fr;q=0.9", "en"),
        (None, "cy", "en", "cy"),
        ("en", "cy", "cy", "en"),
        ("xx", None, "cy", "cy"),
        (None, "zz", "garbage;q=oops,,;", "en"),
    ],
)
def test_the_switch_then_the_cookie_then_accept_language(
    query: str | None, cookie: str | None, accept: str | None, chosen: str
) -> None:
    assert choose_language(catalogues(), query=query, cookie=cookie, accept=accept) == chosen


def test_adding_a_language_is_one_file(tmp_path: Path) -> None:
    for path in MESSAGES.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    breton = (MESSAGES / "en.toml").read_text().replace('name = "English"', 'name = "Brezhoneg"')
    (tmp_path / "br.toml").write_text(breton)
    found = catalogues.__wrapped__(tmp_path)
    assert next(iter(found)) == "en"
    assert found["br"].name == "Brezhoneg"
    assert choose_language(found, accept="br") == "br"


def test_a_catalogue_without_its_language_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text('[nav]\nhome = "x"\n')
    with pytest.raises(ValueError, match="no \\[language\\] table"):
        Catalogue.load(path)
