"""A whole election voted through the web booth (issue 12 items 3-5, 8): a real board (uvicorn
on 127.0.0.1, simulated clock) built by the election builder, with block, referendum and
ranked contests, serves the booth at /booth/ELECTION/; headless Chromium votes as members
would (a mistyped code, too many marks, a keyboard-only ranking, a revote, an audit, a refusal
after the close, a receipt checked against the honest board and against boards that dropped
the ballot or rolled back), every screen passes axe-core and is captured at 375 and 1280 px,
and every ballot the booth cast is accepted and counted by `verivote verify`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from bulletin_board.booth import BoothFiles
from bulletin_board.client import BoardClient
from cli.main import verivote
from crypto import canonical
from crypto.envelope import parse_entry
from election.wire import BOOTH_RELEASE, CANDIDATE_LIST, BoothRelease
from simulation.builder import ElectionBuilder, Member
from simulation.plan import ElectionPlan
from simulation.plans import nec_plan
from simulation.served import SimulatedClock
from tests.browser import booth_driver as booth
from tests.browser.boards import OpenElection, lying_board, open_election, verify_after_the_close
from tests.browser.harness import BOOTH

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ELECTION = "nec-2027"


@dataclass
class Election:
    url: str
    plan: ElectionPlan
    clock: SimulatedClock
    builder: ElectionBuilder
    client: BoardClient
    folder: Path
    trackers: list[str] = field(default_factory=list)
    receipts: list[Path] = field(default_factory=list)
    audited: list[tuple[Path, int]] = field(default_factory=list)  # (cast receipt, audit leaf)

    @property
    def booth(self) -> str:
        return f"{self.url}/booth/{ELECTION}/"

    def members(self, *, youth: bool) -> list[Member]:
        return [m for m in self.builder.members if ("youth-rep" in m.style) == youth]

    def leaf(self, tracker: str) -> Any:
        """The board's leaf holding the entry of this tracker."""
        answer = httpx.get(f"{self.url}/v1/elections/{ELECTION}/entry-hash/{tracker}")
        assert answer.status_code == 200, answer.text
        return answer.json()["leaf"]


def code(member: Member) -> str:
    return member.code.formatted()


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Election]:
    folder = tmp_path_factory.mktemp("booth-voting")
    plan = nec_plan(start=START, members=8, election=ELECTION)
    booth.allow_downloads(browser, folder)
    with open_election(plan, f"sqlite:///{folder / 'board.db'}", seed=12) as opened:
        url, clock, builder, client = opened.url, opened.clock, opened.builder, opened.client
        youth = sum("youth-rep" in m.style for m in builder.members)
        assert youth >= 1, "no member of the youth section drawn"
        assert len(builder.members) - youth >= 4, "fewer than 4 members without the youth seat"
        yield Election(url, plan, clock, builder, client, folder)


def _a_member_votes_block_referendum_and_ranked(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    assert booth.heading(browser) == "Enter your credential code"
    assert booth.focused_heading(browser)
    booth.look(browser, "code")
    booth.enter_code(browser, code(election.members(youth=True)[0]))
    assert booth.error(browser) is None, booth.alert(browser)
    assert booth.heading(browser) == "Your ballot paper"
    assert booth.focused_heading(browser)
    assert "Vote for one." in browser.find_element(By.ID, "contest-youth-rep").text
    nec = browser.find_element(By.ID, "contest-nec").text
    assert "Number the candidates in order of preference" in nec
    assert "Choose one answer, or none." in browser.find_element(By.ID, "contest-rule-change").text
    booth.rank(browser, "nec", [3, 0, 7])
    booth.rank(browser, "mayor", [1])
    booth.mark(browser, "youth-rep", 0)
    booth.mark(browser, "rule-change", 1)
    booth.look(browser, "paper")
    booth.review(browser)
    text = browser.find_element(By.CSS_SELECTOR, "dl.review").text
    assert "1. " in text
    assert "No" in text
    booth.look(browser, "review")
    tracker = booth.cast(browser)
    assert booth.error(browser) is None, booth.alert(browser)
    assert len(tracker) == 64
    assert booth.heading(browser) == "Your vote has been cast"
    assert "only your last vote counts" in browser.find_element(By.ID, "main").text
    booth.look(browser, "done")
    receipt = booth.download_receipt(browser, election.folder)
    assert json.loads(receipt.read_text())["tracker"] == tracker
    assert election.leaf(tracker)["entry"]["type"] == "ballot"
    election.trackers.append(tracker)
    election.receipts.append(receipt)


def _a_mistyped_code_is_named(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    good = code(election.members(youth=False)[0])
    booth.enter_code(browser, good[:2] + "U" + good[3:])
    assert booth.error(browser) == "code-character"
    assert booth.alert(browser).startswith("Character 3 of your code, “U”, is not used in codes")
    assert browser.find_element(By.ID, "code").get_attribute("aria-invalid") == "true"
    booth.look(browser, "code-error")
    swapped = (
        good[1] + good[0] + good[2:]
        if good[0] != good[1]
        else good[2] + good[1] + good[0] + good[3:]
    )
    booth.enter_code(browser, swapped)
    assert booth.error(browser) == "code-check"
    assert "a character is mistyped or two are swapped" in booth.alert(browser)
    booth.enter_code(browser, good[:-1])
    assert booth.error(browser) == "code-length"
    assert "has 24 characters but should have 25" in booth.alert(browser)


def _too_many_marks_and_ranking_mistakes_are_said_at_once(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    booth.enter_code(browser, code(election.members(youth=True)[0]))
    booth.mark(browser, "youth-rep", 0, 1)
    problem = browser.find_element(By.ID, "problem-youth-rep").text
    assert problem == (
        "NEC: youth representative: you marked 2, but you can vote for at most 1. Remove a mark."
    )
    booth.rank(browser, "mayor", [0])
    browser.find_element(By.ID, "r-mayor-1").send_keys("1")  # 1 again, for another candidate
    repeat = browser.find_element(By.ID, "problem-mayor").text
    assert "you gave the number 1 more than once" in repeat
    browser.find_element(By.ID, "r-mayor-1").clear()
    browser.find_element(By.ID, "r-mayor-1").send_keys("3")
    assert "you skipped number 2" in browser.find_element(By.ID, "problem-mayor").text
    booth.look(browser, "paper-problems")
    browser.find_element(By.ID, "review").click()
    assert booth.heading(browser) == "Your ballot paper", "a wrong paper went to review"
    assert "Remove a mark." in booth.alert(browser)


def _a_keyboard_only_member_ranks_and_casts(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    member = election.members(youth=False)[1]
    booth.press(browser, Keys.TAB)  # from the focused heading to the code
    booth.press(browser, code(member), Keys.ENTER)
    booth.wait(browser, "return document.getElementById('paper')")
    assert booth.focused_heading(browser)
    booth.press(browser, Keys.TAB, "2")  # candidate 1: preference 2
    booth.press(browser, Keys.TAB, Keys.TAB, Keys.TAB, "1")  # candidate 2: preference 1
    booth.press(browser, Keys.TAB, Keys.TAB, Keys.ENTER)  # "move candidate 2 down"
    assert browser.find_element(By.ID, "r-nec-0").get_attribute("value") == "1"
    assert browser.find_element(By.ID, "r-nec-1").get_attribute("value") == "2"
    booth.press(browser, Keys.ENTER)  # submits the paper
    booth.wait(browser, "return document.getElementById('cast')")
    names = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "dl.review dd li")]
    assert names[0].startswith("1. ")
    assert names[1].startswith("2. ")
    booth.press(browser, Keys.TAB, Keys.ENTER)  # the first button: cast
    booth.wait(browser, "return document.getElementById('tracker') || document.body.dataset.error")
    assert booth.error(browser) is None, booth.alert(browser)
    tracker = browser.find_element(By.ID, "tracker").text
    ballot = election.leaf(tracker)["entry"]
    assert ballot["type"] == "ballot"
    election.trackers.append(tracker)


def _a_member_votes_again(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    booth.enter_code(browser, code(election.members(youth=True)[0]))
    booth.mark(browser, "rule-change", 0)
    booth.review(browser)
    tracker = booth.cast(browser)
    assert tracker not in election.trackers
    first = election.leaf(election.trackers[0])
    again = election.leaf(tracker)
    assert again["entry"]["author"] == first["entry"]["author"]
    assert again["index"] > first["index"]
    assert booth.standing(browser) == "counts", booth.alert(browser)
    assert "It is the vote that counts" in browser.find_element(By.ID, "standing").text
    election.trackers.append(tracker)
    election.receipts.append(booth.download_receipt(browser, election.folder))


def _an_audit_reads_the_choices_back_then_casts_afresh(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    booth.enter_code(browser, code(election.members(youth=False)[2]))
    names = [
        browser.find_element(By.CSS_SELECTOR, f"label[for='r-mayor-{k}'] [aria-hidden]").text
        for k in (2, 0)
    ]
    booth.rank(browser, "mayor", [2, 0])
    booth.mark(browser, "rule-change", 0)
    booth.review(browser)
    audited, read_back = booth.audit(browser)
    assert booth.error(browser) is None, booth.alert(browser)
    assert f"1. {names[0]}" in read_back
    assert f"2. {names[1]}" in read_back
    assert "Yes" in read_back
    elsewhere = browser.find_element(By.ID, "audit-elsewhere").text
    assert f"verivote audit check --board {election.url} --election {ELECTION} --index" in elsewhere
    booth.look(browser, "audit")
    index = browser.find_element(By.ID, "audit-tracker").get_attribute("data-index")
    leaf = httpx.get(f"{election.url}/v1/elections/{ELECTION}/leaves/{index}").json()["leaf"]
    assert leaf["entry"]["type"] == "audit"
    tracker = booth.cast(browser)
    assert tracker != audited
    assert election.leaf(tracker)["entry"]["type"] == "ballot"
    election.trackers.append(tracker)
    assert booth.standing(browser) == "counts", booth.alert(browser)
    election.audited.append((booth.download_receipt(browser, election.folder), int(index)))


def _python_says(url: str, receipt: Path) -> tuple[int, str]:
    """``verivote receipt check`` on the same receipt and board: exit status and output."""
    result = CliRunner().invoke(verivote, ["receipt", "check", str(receipt), "--board", url])
    return result.exit_code, result.output


def _a_receipt_is_checked_against_the_board(election: Election, browser: Any) -> None:
    browser.get(f"{election.booth}#check")
    booth.wait(browser, "return document.body.dataset.ready")
    assert booth.heading(browser) == "Check my receipt"
    booth.look(browser, "check")
    first, revote = election.receipts
    later = election.leaf(election.trackers[2])["index"]  # the revote of the same member
    # Spec §11.13 step 5: the first ballot is superseded by the revote, named; the revote counts.
    assert booth.check_receipt(browser, first) == "superseded", booth.alert(browser)
    result = browser.find_element(By.ID, "check-result").text
    assert "is on the board at position" in result
    assert f"A later vote cast with your code replaced it (position {later}, tracker " in result
    assert election.trackers[2] in result
    status, output = _python_says(election.url, first)
    assert status == 0, output
    assert f"SUPERSEDED by a later ballot of your credential (leaf {later})" in output
    assert booth.check_receipt(browser, revote) == "counts", booth.alert(browser)
    assert "It is the vote that counts" in browser.find_element(By.ID, "check-result").text
    status, output = _python_says(election.url, revote)
    assert status == 0, output
    assert "it is your counted ballot" in output
    forged = election.folder / "forged.json"
    document = json.loads(first.read_text())
    document["tracker"] = "00" * 32
    forged.write_text(json.dumps(document))
    assert booth.check_receipt(browser, forged) == "unreadable"
    assert booth.alert(browser).startswith("This file is not a verivote receipt")


def _welsh_is_complete_and_the_switch_changes_language(election: Election, browser: Any) -> None:
    en = json.loads((BOOTH / "i18n" / "en.json").read_text(encoding="utf-8"))
    languages = json.loads((BOOTH / "i18n" / "languages.json").read_text(encoding="utf-8"))
    assert set(languages) == {p.stem for p in (BOOTH / "i18n").glob("*.json")} - {"languages"}
    for lang in languages:
        catalogue = json.loads((BOOTH / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        assert set(catalogue) == set(en), f"{lang}: {set(catalogue) ^ set(en)}"
    booth.open_booth(browser, election.booth, lang="cy")
    assert booth.heading(browser) == "Rhowch eich cod cymhwyster"
    assert browser.execute_script("return document.documentElement.lang") == "cy"
    booth.look(browser, "code-cy")
    booth.enter_code(browser, code(election.members(youth=True)[0]))
    assert booth.heading(browser) == "Eich papur pleidleisio"
    booth.look(browser, "paper-cy")
    Select(browser.find_element(By.ID, "language")).select_by_value("en")
    booth.wait(browser, "return document.documentElement.lang === 'en'")
    assert booth.heading(browser) == "Your ballot paper"


def _leaves(election: Election) -> list[tuple[Any, int]]:
    return [(leaf.entry, leaf.received) for leaf in election.client.leaves()][1:]


def _a_board_that_loses_the_ballot_is_caught_by_the_receipt_check(
    election: Election, browser: Any, tmp_path: Path, lie: str
) -> None:
    receipt = election.receipts[-1]
    index = json.loads(receipt.read_text())["receipt"]["leaf_index"]
    leaves = _leaves(election)
    kept = leaves[: index - 1] + (leaves[index:] if lie == "dropped" else [])
    clock = SimulatedClock(leaves[0][1])
    with lying_board(
        f"sqlite:///{tmp_path / 'lying.db'}", election=ELECTION, leaves=kept, clock=clock
    ) as url:
        browser.get(f"{url}/booth/{ELECTION}/#check")
        booth.wait(browser, "return document.body.dataset.ready")
        assert booth.check_receipt(browser, receipt) == "contradicted"
        assert booth.alert(browser) == (
            "The board contradicts your receipt: keep the receipt and report it to the "
            "election's returning officer."
        )
        if lie == "dropped":
            booth.look(browser, "check-contradicted")


def _a_board_that_casts_an_audited_ballot_is_caught(
    election: Election, browser: Any, tmp_path: Path
) -> None:
    """Spec §11.13 step 5, §11.10: a board that casts, after the member's vote, the ballot the
    member only audited (its inner ballot, published with its openings) replaced the vote; the
    booth's receipt check says so and names both leaves, as `verivote receipt check` does."""
    receipt, audit_index = election.audited[0]
    leaves = _leaves(election)
    audit = leaves[audit_index - 1][0]
    inner = parse_entry(
        canonical.encode(audit.payload["ballot"]), election.client.schemes(), election=ELECTION
    )
    cast_at = len(leaves) + 1  # leaf 0 is the lying board's own
    clock = SimulatedClock(leaves[0][1])
    lie = [*leaves, (inner, leaves[-1][1] + 1)]
    started = election.client.leaf(0).received
    with lying_board(
        f"sqlite:///{tmp_path / 'lying.db'}", election=ELECTION, leaves=lie, clock=clock,
        started=started,
    ) as url:  # fmt: skip
        browser.get(f"{url}/booth/{ELECTION}/#check")
        booth.wait(browser, "return document.body.dataset.ready")
        assert booth.check_receipt(browser, receipt) == "audited", booth.alert(browser)
        assert browser.execute_script("return document.body.dataset.later") == str(cast_at)
        assert booth.alert(browser).startswith(
            f"Your vote was replaced by a ballot you only checked and did not cast (position "
            f"{cast_at}, tracker {inner.hash.hex()}; the check at position {audit_index} opened it)"
        )
        booth.look(browser, "check-audited")
        status, output = _python_says(url, receipt)
        assert status != 0, output
        assert f"REPLACED by the ballot in leaf {cast_at}, which you only AUDITED" in output
        assert f"the audit in leaf {audit_index} opened it" in output


# A device that opens its audit with other choices than it encrypted (booth/js/ballot.js
# changed: every homomorphic opening's marks inverted).
HONEST_AUDIT = "return { ballot: canonical.decode(signedBallot), openings };"
LYING_AUDIT = (
    "return { ballot: canonical.decode(signedBallot), openings: openings.map((o) => "
    "(o.choices ? { ...o, choices: o.choices.map((m) => 1 - m) } : o)) };"
)


def _a_device_that_lies_in_its_audit_is_caught_before_the_read_back(
    election: Election, browser: Any, tmp_path: Path
) -> None:
    """Spec §11.9: the booth checks the audit it posted as a verifier does (the inner ballot's
    signature and proofs, each ciphertext against its opening) before it reads the choices
    back. Here the booth's code lies in its openings, and the board, which published that code
    as its booth release, takes audits without checking them: the member is told in one
    sentence not to vote on this device, and `verivote audit check` refuses the same audit."""
    root = tmp_path / "booth"
    shutil.copytree(BOOTH, root)
    ballot_js = root / "js" / "ballot.js"
    assert HONEST_AUDIT in ballot_js.read_text(encoding="utf-8")
    ballot_js.write_text(
        ballot_js.read_text(encoding="utf-8").replace(HONEST_AUDIT, LYING_AUDIT), encoding="utf-8"
    )
    files = BoothFiles.read(root)
    builder = election.builder
    release = BoothRelease.of_files(files.files, version="lying")
    signed = builder.signed(
        "administrator", BOOTH_RELEASE, release.to_json(), builder.keys.administrator
    )
    schemes = election.client.schemes()
    leaves = [
        (parse_entry(signed, schemes) if entry.type == BOOTH_RELEASE else entry, received)
        for entry, received in _leaves(election)
    ]
    with lying_board(
        f"sqlite:///{tmp_path / 'lax.db'}", election=ELECTION, leaves=leaves,
        clock=SimulatedClock(leaves[0][1]), started=election.client.leaf(0).received,
        lax_audits=True, booth=files,
    ) as url:  # fmt: skip
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, code(election.members(youth=False)[0]))
        booth.mark(browser, "rule-change", 0)
        booth.review(browser)
        browser.find_element(By.ID, "audit").click()
        booth.wait(browser, "return document.body.dataset.error")
        assert booth.error(browser) == "audit_mismatch", booth.alert(browser)
        assert booth.alert(browser) == (
            "This device did not encrypt what its check shows: the ballot it sent does not "
            "match its opening. Do not vote on this device: use another one, and report it to "
            "the election's returning officer."
        )
        detail = browser.execute_script("return document.body.dataset.detail")
        assert "does not re-encrypt from its opening" in detail, detail
        assert not browser.find_elements(By.ID, "audit-tracker"), "choices were read back"
        assert not browser.find_element(By.ID, "cast").is_enabled(), "it offers to cast here"
        booth.look(browser, "audit-mismatch")
        with BoardClient(url, ELECTION) as lax:
            audit = lax.tree_head().tree_size - 1
            assert lax.entry(audit).type == "audit"
        result = CliRunner().invoke(
            verivote,
            ["audit", "check", "--board", url, "--election", ELECTION, "--index", str(audit)],
        )
        assert result.exit_code != 0, result.output


def _an_election_with_no_booth_release_has_no_booth(
    election: Election, browser: Any, tmp_path: Path
) -> None:
    """Spec §11.14: the same log without its booth release: the board serves no booth for it,
    only a page that says so (and no booth module either)."""
    leaves = [(e, t) for e, t in _leaves(election) if e.type != BOOTH_RELEASE]
    with lying_board(
        f"sqlite:///{tmp_path / 'unpublished.db'}", election=ELECTION, leaves=leaves,
        clock=SimulatedClock(leaves[0][1]),
    ) as url:  # fmt: skip
        browser.get(f"{url}/booth/{ELECTION}/")
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "This election has no published web booth" in text
        assert browser.execute_script("return document.body.dataset.ready ?? null") is None
        assert httpx.get(f"{url}/booth/{ELECTION}/js/ballot.js").status_code == 404
        booth.look(browser, "unpublished")


def _a_changed_paper_and_a_lost_board_are_one_sentence_each(
    election: Election, browser: Any, tmp_path: Path
) -> None:
    """Two refusals a member can meet, each one plain sentence: the candidate list replaced
    (before voting opens, §11.5) after the page read it, so the ballot's paper hash is not the
    board's (``wrong_paper``, §11.8); and the board stopped while the member is voting."""
    leaves = _leaves(election)
    setup = leaves[: next(i for i, (e, _) in enumerate(leaves) if e.role == "voter")]
    lists = [e for e, _ in setup if e.type == CANDIDATE_LIST and e.payload["contest"] == "mayor"]
    reordered = {**lists[-1].payload, "candidates": lists[-1].payload["candidates"][::-1]}
    builder = election.builder
    replacement = builder.signed(
        "administrator", CANDIDATE_LIST, reordered, builder.keys.administrator
    )
    member = code(election.members(youth=False)[3])
    with lying_board(
        f"sqlite:///{tmp_path / 'early.db'}", election=ELECTION, leaves=setup,
        clock=SimulatedClock(setup[0][1]), started=election.client.leaf(0).received,
    ) as url:  # fmt: skip
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        assert booth.alert(browser) == "Voting has not opened yet. Come back when voting opens."
        booth.enter_code(browser, member)
        booth.review(browser)
        posted = httpx.post(
            f"{url}/v1/elections/{ELECTION}/entries", content=replacement,
            headers={"content-type": "application/json"},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        assert booth.cast_refused(browser) == "wrong_paper"
        assert booth.alert(browser) == (
            "The candidate lists changed while you were voting: reload the page and vote again."
        )
        booth.look(browser, "wrong-paper")
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, member)
        booth.review(browser)
    # The board is gone (its server stopped) while the member is on the review screen.
    assert booth.cast_refused(browser) == "Unreachable"
    assert booth.alert(browser) == (
        "The board cannot be reached: check your connection and try again."
    )
    assert browser.find_element(By.ID, "cast").is_enabled(), "the member cannot try again"
    booth.look(browser, "unreachable")


def _after_the_close_a_clear_refusal(election: Election, browser: Any) -> None:
    plan = election.plan
    election.clock.set(plan.at(plan.timetable.voting_close + 0.001))
    booth.open_booth(browser, election.booth)
    assert booth.alert(browser) == "Voting has closed: no more votes can be cast."
    booth.enter_code(browser, code(election.members(youth=False)[3]))
    booth.review(browser)
    assert booth.cast_refused(browser) == "voting_closed"
    assert booth.alert(browser) == "Voting has closed: your vote was not accepted."
    booth.look(browser, "closed")


def _every_ballot_cast_in_the_booth_is_counted_by_verify(election: Election) -> None:
    assert len(election.trackers) == 4, "a voting test did not cast"
    opened = OpenElection(election.url, election.client, election.builder, election.clock)
    verify_after_the_close(opened, election.trackers)


def test_a_whole_election_through_the_booth(
    election: Election, browser: Any, tmp_path: Path
) -> None:
    """The steps in order (one board, one browser: each step builds on the ones before, so
    they are one test, whatever worker runs it)."""
    _a_member_votes_block_referendum_and_ranked(election, browser)
    _a_mistyped_code_is_named(election, browser)
    _too_many_marks_and_ranking_mistakes_are_said_at_once(election, browser)
    _a_keyboard_only_member_ranks_and_casts(election, browser)
    _a_member_votes_again(election, browser)
    _an_audit_reads_the_choices_back_then_casts_afresh(election, browser)
    _a_receipt_is_checked_against_the_board(election, browser)
    _welsh_is_complete_and_the_switch_changes_language(election, browser)
    for lie in ("dropped", "rolled back"):
        folder = tmp_path / lie.replace(" ", "-")
        folder.mkdir()
        _a_board_that_loses_the_ballot_is_caught_by_the_receipt_check(
            election, browser, folder, lie
        )
    folder = tmp_path / "audited"
    folder.mkdir()
    _a_board_that_casts_an_audited_ballot_is_caught(election, browser, folder)
    folder = tmp_path / "lax"
    folder.mkdir()
    _a_device_that_lies_in_its_audit_is_caught_before_the_read_back(election, browser, folder)
    folder = tmp_path / "unpublished"
    folder.mkdir()
    _an_election_with_no_booth_release_has_no_booth(election, browser, folder)
    folder = tmp_path / "early"
    folder.mkdir()
    _a_changed_paper_and_a_lost_board_are_one_sentence_each(election, browser, folder)
    _after_the_close_a_clear_refusal(election, browser)
    _every_ballot_cast_in_the_booth_is_counted_by_verify(election)
