"""An Atom feed (RFC 4287) of one election: its administrative entries, nominations and the
result, newest first, each entry's id the stable URN of its entry hash (so a reader never sees
an item twice, whatever URL it fetched the feed from)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from xml.etree import ElementTree as ET

from bulletin_board.pages.describe import describe_entry, signer_name
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.pages.views import Links

__all__ = ["ATOM", "FEED_ROLES", "atom_feed"]

ATOM: Final = "http://www.w3.org/2005/Atom"
_XML: Final = "http://www.w3.org/XML/1998/namespace"
#: Whose entries the feed carries: the administrator's (definition, timetable, nominations,
#: exclusions, candidate lists, decisions, election key, tally, result) and the issuer's.
FEED_ROLES: Final = frozenset({"administrator", "issuer"})
#: Items in the feed (the newest).
FEED_SIZE: Final = 200


def _time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def atom_feed(t: Catalogue, digest: ElectionDigest, links: Links, *, board_key: bytes) -> bytes:
    """The election's feed as UTF-8 XML; ``links`` must be absolute (a feed is read
    elsewhere)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    definition = digest.definition.value if digest.definition is not None else None
    title = definition.title if definition is not None else digest.election
    items = [p for p in digest.entries if p.role in FEED_ROLES][-FEED_SIZE:]
    feed = ET.Element(f"{{{ATOM}}}feed", {f"{{{_XML}}}lang": t.code})
    sub(feed, "id", f"urn:verivote:board:{board_key.hex()}:election:{digest.election}")
    sub(feed, "title", t.text("feed.title", title=title))
    sub(feed, "subtitle", t.text("feed.subtitle"))
    sub(feed, "updated", _time(items[-1].received if items else digest.last_received))
    author = sub(feed, "author")
    sub(author, "name", definition.organisation if definition is not None else title)
    sub(feed, "link", rel="alternate", type="text/html", href=links.page())
    sub(feed, "link", rel="self", type="application/atom+xml", href=links.page("feed.atom"))
    sub(feed, "generator", "verivote")
    for posted in reversed(items):
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:sha256:{posted.hash.hex()}")
        summary = describe_entry(t, digest, posted)
        sub(entry, "title", summary if len(summary) <= 200 else summary[:199] + "…")
        sub(entry, "updated", _time(posted.received))
        sub(entry, "published", _time(posted.received))
        who = sub(entry, "author")
        sub(who, "name", signer_name(t, digest, posted))
        sub(entry, "link", rel="alternate", type="text/html", href=links.leaf(posted.index))
        sub(entry, "category", term=posted.type)
        sub(entry, "summary", summary)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
