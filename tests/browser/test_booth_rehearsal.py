"""The booth on a rehearsal board (Spec §10.2) says REHEARSAL on every screen, and a member
whose code was replaced (a credential reissue, §11.7) is told to use the new one; the receipt
of the ballot cast with the old code then checks as revoked (§11.13 step 5), in the booth as
with `verivote receipt check`. The election's one contest is a block vote "vote for up to 3"
among 10: a fourth mark is refused at once, three are cast; a well-formed code that is not
this election's is told in one sentence. After the close every ballot the booth cast is on the
board and `verivote verify` passes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from selenium.webdriver.common.by import By

from cli.main import verivote
from crypto.credentials import CredentialCode, derive_credential_key
from election.wire import CREDENTIAL_REISSUE, CredentialReissue
from simulation.plan import ElectionPlan, Nominee, contest_toml
from simulation.plans import CLPS, LEADERS
from tests.browser import booth_driver as booth
from tests.browser.boards import open_election, verify_after_the_close

ELECTION = "lead-rehearsal"


def council_plan(*, members: int) -> ElectionPlan:
    """One block contest, 3 seats: "vote for up to 3" among LEADERS' 10 candidates."""
    nominees = [Nominee(f"c{k}", name, {}, (CLPS[k % 5],)) for k, name in enumerate(LEADERS)]
    return ElectionPlan(
        election=ELECTION, contests=contest_toml("council", "Council", "block", seats=3),
        nominees={"council": nominees}, title="Council (rehearsal)",
        start=datetime(2027, 1, 4, 9, tzinfo=UTC), members=members,
    )  # fmt: skip


def test_a_rehearsal_board_is_shown_as_one(browser: Any, tmp_path: Path) -> None:
    plan = council_plan(members=2)
    db = f"sqlite:///{tmp_path / 'board.db'}"
    trackers: list[str] = []
    with open_election(plan, db, seed=3, rehearsal=True) as opened:
        url, clock, builder = opened.url, opened.clock, opened.builder
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        banner = browser.find_element(By.ID, "rehearsal")
        assert banner.is_displayed()
        assert banner.text.startswith("REHEARSAL: this is a practice election")
        booth.enter_code(browser, CredentialCode.generate().formatted())
        assert booth.error(browser) == "unknown_credential"
        assert booth.alert(browser) == (
            "This code is not a code for this election: check that you are voting in the "
            "election named in your letter."
        )
        booth.look(browser, "code-unknown")
        booth.enter_code(browser, builder.members[0].code.formatted())
        assert booth.error(browser) is None, booth.alert(browser)
        assert browser.find_element(By.ID, "rehearsal").is_displayed()
        assert "Vote for up to 3." in browser.find_element(By.ID, "contest-council").text
        names = {
            k: browser.find_element(By.CSS_SELECTOR, f"label[for='c-council-{k}']").text
            for k in (2, 5, 7)
        }
        booth.mark(browser, "council", 2, 5, 7, 9)
        assert browser.find_element(By.ID, "problem-council").text == (
            "Council: you marked 4, but you can vote for at most 3. Remove a mark."
        )
        booth.look(browser, "block-3-too-many")
        browser.find_element(By.ID, "review").click()
        assert booth.heading(browser) == "Your ballot paper", "4 marks of 3 went to review"
        browser.find_element(By.ID, "c-council-9").click()  # the fourth mark removed
        assert browser.find_element(By.ID, "problem-council").text == ""
        booth.review(browser)
        chosen = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "dl.review dd li")]
        assert chosen == list(names.values()), chosen
        assert set(chosen) <= set(LEADERS)
        tracker = booth.cast(browser)
        assert len(tracker) == 64
        trackers.append(tracker)
        booth.look(browser, "rehearsal-done")

        # Member 1 votes, keeps the receipt; then the issuer replaces member 1's code while
        # voting is open: the receipt check says that ballot no longer counts (§11.10).
        old = builder.members[1]
        booth.allow_downloads(browser, tmp_path)
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, old.code.formatted())
        booth.mark(browser, "council", 1)
        booth.review(browser)
        trackers.append(booth.cast(browser))
        assert booth.standing(browser) == "counts", booth.alert(browser)
        receipt = booth.download_receipt(browser, tmp_path)
        fingerprint = old.key.fingerprint
        new_code = CredentialCode.generate()
        new_key = derive_credential_key(new_code, fingerprint=fingerprint)
        reissue = CredentialReissue(old.style, old.key.public, new_key.public, "letter lost")
        builder._issuer(CREDENTIAL_REISSUE, reissue.to_json(), at=clock.now)

        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, old.code.formatted())
        booth.review(browser)
        assert booth.cast_refused(browser) == "credential_revoked"
        assert booth.alert(browser) == (
            "Your code was replaced by a new one: use the code in your newest letter."
        )
        browser.get(f"{url}/booth/{ELECTION}/#check")
        booth.wait(browser, "return document.body.dataset.ready")
        assert booth.check_receipt(browser, receipt) == "revoked", booth.alert(browser)
        assert booth.alert(browser).startswith(
            "Your code was cancelled and replaced, so this ballot does not count."
        )
        result = CliRunner().invoke(verivote, ["receipt", "check", str(receipt)])
        assert result.exit_code == 1, result.output
        assert "your credential was REVOKED: this ballot does not count" in result.output
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, new_code.formatted())
        assert booth.error(browser) is None, booth.alert(browser)
        booth.review(browser)
        tracker = booth.cast(browser)
        assert len(tracker) == 64
        trackers.append(tracker)
        verify_after_the_close(opened, trackers)
