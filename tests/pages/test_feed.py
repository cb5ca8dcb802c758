"""The Atom feed of an election (RFC 4287): valid, with stable ids (the entry hash), carrying
the administrative entries, the nominations and the result, newest first."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx

from bulletin_board.pages.feed import ATOM
from election.wire import DECISION, Decision
from tests.pages.elections import Served

A = f"{{{ATOM}}}"


def _feed(served: Served, lang: str = "en") -> ET.Element:
    response = httpx.get(served.page("feed.atom") + f"?lang={lang}", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def _ids(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{A}id") or "" for e in feed.findall(f"{A}entry")]


def test_the_feed_is_valid_atom(served: Served) -> None:
    feed = _feed(served)
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{required}") is not None, required
    self_link = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == served.page("feed.atom")
    entries = feed.findall(f"{A}entry")
    assert entries
    for entry in entries:
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{A}{required}") is not None, required
        assert (entry.findtext(f"{A}id") or "").startswith("urn:sha256:")
        href = entry.find(f"{A}link").get("href")  # type: ignore[union-attr]
        assert href is not None
        assert href.startswith(f"{served.url}/e/nec-2027/leaf/")
    updated = [e.findtext(f"{A}updated") or "" for e in entries]
    assert all(updated)
    assert updated == sorted(updated, reverse=True)
    assert len(set(_ids(feed))) == len(entries)


def test_the_feed_carries_decisions_nominations_and_the_result(served: Served) -> None:
    titles = [e.findtext(f"{A}title") or "" for e in _feed(served).findall(f"{A}entry")]
    assert titles[0] == "Result published"
    assert any(t.startswith("Hustings: Two online hustings") for t in titles)
    assert any(" nominated for NEC: constituency section by " in t for t in titles)
    assert not any("Trustee" in t for t in titles)


def test_ids_are_stable_across_languages_and_new_entries(served: Served) -> None:
    before = _ids(_feed(served))
    assert _ids(_feed(served, "cy")) == before
    decision = Decision("Count", "The count record is published", "Transparency")
    clock = served.clock.now
    served.builder.administrator(DECISION, decision.to_json(), at=clock + 1000)
    after = _ids(_feed(served))
    assert after[1:] == before
    assert after[0] not in before
