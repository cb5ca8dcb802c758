"""The booth on a rehearsal board (Spec §10.2) says REHEARSAL on every screen, and a member
whose code was replaced (a credential reissue, §11.7) is told to use the new one; the receipt
of the ballot cast with the old code then checks as revoked (§11.13 step 5), in the booth as
with `verivote receipt check`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from selenium.webdriver.common.by import By

from cli.main import verivote
from crypto.credentials import CredentialCode, derive_credential_key
from election.wire import CREDENTIAL_REISSUE, CredentialReissue
from simulation.plans import leader_plan
from tests.browser import booth_driver as booth
from tests.browser.boards import open_election

ELECTION = "lead-rehearsal"


def test_a_rehearsal_board_is_shown_as_one(browser: Any, tmp_path: Path) -> None:
    plan = leader_plan(start=datetime(2027, 1, 4, 9, tzinfo=UTC), members=2, election=ELECTION)
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with open_election(plan, db, seed=3, rehearsal=True) as opened:
        url, clock, builder = opened.url, opened.clock, opened.builder
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        banner = browser.find_element(By.ID, "rehearsal")
        assert banner.is_displayed()
        assert banner.text.startswith("REHEARSAL: this is a practice election")
        booth.enter_code(browser, builder.members[0].code.formatted())
        assert browser.find_element(By.ID, "rehearsal").is_displayed()
        booth.mark(browser, "leader", 2)
        booth.review(browser)
        assert len(booth.cast(browser)) == 64
        booth.look(browser, "rehearsal-done")

        # Member 1 votes, keeps the receipt; then the issuer replaces member 1's code while
        # voting is open: the receipt check says that ballot no longer counts (§11.10).
        old = builder.members[1]
        booth.allow_downloads(browser, tmp_path)
        booth.open_booth(browser, f"{url}/booth/{ELECTION}/")
        booth.enter_code(browser, old.code.formatted())
        booth.mark(browser, "leader", 1)
        booth.review(browser)
        booth.cast(browser)
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
        assert len(booth.cast(browser)) == 64
