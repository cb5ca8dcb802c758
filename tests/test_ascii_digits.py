"""Numbers a user types are ASCII digits: ``str.isdigit`` also accepts superscripts such as
``²``, which ``int`` then refuses with a ValueError (a traceback). A typed choice ``²`` and an
``--smtp`` port ``²`` are each refused as MalformedInput in one line."""

from __future__ import annotations

import pytest

from cli._mail import Smtp
from cli._paper import PaperContest, parse_marks
from crypto.errors import MalformedInput
from election.definition import Contest, ContestKind
from election.wire import ContestShape


def _block(options: int) -> PaperContest:
    labels = tuple(f"Candidate {k}" for k in range(1, options + 1))
    contest = Contest(
        id="youth",
        title="Youth seat",
        kind=ContestKind.BLOCK,
        seats=1,
        max_selections=1,
        sections=(),
        nomination_threshold=1,
        method=None,
        question=None,
        options=(),
        constraints=(),
    )
    shape = ContestShape(
        id="youth", kind=ContestKind.BLOCK, options=options, max_selections=1, seats=1
    )
    return PaperContest(contest, shape, labels, tuple(f"c{k}" for k in range(1, options + 1)))


def test_a_typed_choice_is_an_ascii_number_or_a_name() -> None:
    paper = _block(3)
    assert parse_marks(paper, "2") == (1,)
    with pytest.raises(MalformedInput, match="²"):
        parse_marks(paper, "²")


@pytest.mark.parametrize("port", ["²", "٣", "", "x"])
def test_an_smtp_port_is_ascii_digits(port: str) -> None:
    with pytest.raises(MalformedInput, match="write HOST:PORT"):
        Smtp.from_options(
            f"mail.example.org:{port}",
            "ro@example.org",
            starttls=False,
            user=None,
            password_env=None,
        )
