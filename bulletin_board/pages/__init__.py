"""The election's public pages, its Atom feed and the scrutineer's report (issue 13).

Server-rendered HTML (Jinja2, no script), every fact read from the board's log and linked to
the leaf that states it, in English and Welsh. Modules:

- ``digest``: what the pages show of one election's log, folded leaf by leaf (pure);
- ``source``: a board's digests, folded incrementally per tree head, and the verifier's
  verdicts computed in the background (needs the board's server);
- ``i18n``: the message catalogues (``messages/*.toml``, one file per language) and how a
  request chooses its language; ``describe``: entries, phases and contests in words;
- ``views``, ``results``, ``leaf``: each page's content; ``record``: a §12.1.5 count record
  read back; ``feed``: the Atom feed; ``verdict``: the verifier's report in words;
- ``render``: the templates (``templates/``, ``static/pages.css``); ``routes``: the routes on
  the board's application (needs the board's server).

``verivote report`` (cli/report.py) uses ``digest``, ``render`` and ``verdict`` only, so a
scrutineer runs it without the board's server installed.
"""

from __future__ import annotations

__all__ = ["election_url"]


def election_url(board_url: str, election: str) -> str:
    """The public home page of ``election`` on the board at ``board_url``
    (``http://127.0.0.1:8000`` -> ``http://127.0.0.1:8000/e/nec-2027/``)."""
    return f"{board_url.rstrip('/')}/e/{election}/"
