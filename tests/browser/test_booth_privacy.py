"""Issue 12 items 5 and 6, in a Chromium whose own language is Welsh (``--lang=cy`` and its
Accept-Language): the booth opened without ``?lang=`` speaks Welsh, and the switch turns it to
English. Then a member's whole path (the page loaded, the code, the paper, an audit, the cast,
the receipt downloaded and checked on "check my receipt") with every network request the page
makes captured from the DevTools performance log (Network events): every request goes to the
board's origin, none is a WebSocket, and neither the credential code (as printed or
normalised) nor the credential key derived from it (hex or decimal) is in any URL or body.
Afterwards the page has stored nothing: no cookie, localStorage, sessionStorage, IndexedDB
database, Cache Storage cache or service worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from simulation.plans import leader_plan
from tests.browser import booth_driver as booth
from tests.browser import harness
from tests.browser.boards import OpenElection, open_election, verify_after_the_close

ELECTION = "lead-private"
STORED = """
const done = arguments[arguments.length - 1];
(async () => ({
  cookie: document.cookie,
  local: localStorage.length,
  session: sessionStorage.length,
  indexedDB: (await indexedDB.databases()).map((d) => d.name),
  caches: await caches.keys(),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
}))().then(done, (e) => done({ error: String(e) }));
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenElection]:
    folder = tmp_path_factory.mktemp("booth-privacy")
    plan = leader_plan(start=datetime(2027, 1, 4, 9, tzinfo=UTC), members=2, election=ELECTION)
    with open_election(plan, f"sqlite:///{folder / 'board.db'}", seed=9) as election:
        yield election


@pytest.fixture(scope="module")
def welsh_browser() -> Iterator[Any]:
    problem = harness.missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    with harness.chromium(language="cy", network_log=True) as driver:
        yield driver


def _requests(browser: Any) -> list[dict[str, Any]]:
    """Every request and WebSocket the page opened since the log was last read: {url, method,
    body} (the body asked of DevTools when the event leaves it out)."""
    found = []
    for record in browser.get_log("performance"):
        message = json.loads(record["message"])["message"]
        method, params = message["method"], message.get("params", {})
        if method == "Network.webSocketCreated":
            found.append({"url": params["url"], "method": "WEBSOCKET", "body": ""})
        if method != "Network.requestWillBeSent":
            continue
        request = params["request"]
        body = request.get("postData", "")
        if request.get("hasPostData") and not body:
            answer = browser.execute_cdp_cmd(
                "Network.getRequestPostData", {"requestId": params["requestId"]}
            )
            body = answer["postData"]
        found.append({"url": request["url"], "method": request["method"], "body": body})
    return found


def test_the_browsers_own_language_is_chosen_and_the_switch_works(
    welsh_browser: Any, opened: OpenElection
) -> None:
    browser = welsh_browser
    browser.get(f"{opened.url}/booth/{ELECTION}/")  # no ?lang=
    booth.wait(browser, "return document.body.dataset.ready")
    assert browser.execute_script("return navigator.languages[0]").startswith("cy")
    assert browser.execute_script("return document.documentElement.lang") == "cy"
    assert booth.heading(browser) == "Rhowch eich cod cymhwyster"
    switch = Select(browser.find_element(By.ID, "language"))
    assert switch.first_selected_option.get_attribute("value") == "cy"
    switch.select_by_value("en")
    booth.wait(browser, "return document.documentElement.lang === 'en'")
    assert booth.heading(browser) == "Enter your credential code"
    Select(browser.find_element(By.ID, "language")).select_by_value("cy")
    booth.wait(browser, "return document.documentElement.lang === 'cy'")
    assert booth.heading(browser) == "Rhowch eich cod cymhwyster"


def test_nothing_secret_leaves_the_page_or_stays_behind(
    welsh_browser: Any, opened: OpenElection, tmp_path: Path
) -> None:
    browser = welsh_browser
    member = opened.builder.members[0]
    booth.allow_downloads(browser, tmp_path)
    browser.get_log("performance")  # what came before
    url = f"{opened.url}/booth/{ELECTION}/"
    booth.open_booth(browser, url)
    booth.enter_code(browser, member.code.formatted())
    assert booth.error(browser) is None, booth.alert(browser)
    booth.mark(browser, "leader", 4)
    booth.review(browser)
    booth.audit(browser)
    assert booth.error(browser) is None, booth.alert(browser)
    tracker = booth.cast(browser)
    assert booth.standing(browser) == "counts", booth.alert(browser)
    receipt = booth.download_receipt(browser, tmp_path)
    browser.find_element(By.CSS_SELECTOR, "a[href='#check']").click()
    booth.wait(browser, "return document.getElementById('receipt-file')")
    assert booth.check_receipt(browser, receipt) == "counts", booth.alert(browser)
    requests = _requests(browser)

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(opened.url))
    posts = [r for r in requests if r["method"] == "POST"]
    assert len(posts) == 2, "the audit and the ballot, nothing else posted"
    assert all(b'"type":"' in r["body"].encode() for r in posts), "a body was not captured"
    assert any(r["url"].startswith(f"{url}js/") for r in requests), "no module load captured"
    elsewhere = [
        r["url"] for r in requests if not r["url"].startswith((f"{origin}/", f"blob:{origin}/"))
    ]
    assert elsewhere == [], f"requests to another origin: {elsewhere}"
    secret = member.key.secret
    secrets = {
        "the code as printed": member.code.formatted(),
        "the code normalised": member.code.normalised().decode(),
        "the credential key (hex)": secret.to_hex(),
        "the credential key (decimal)": str(int.from_bytes(secret.to_bytes(), "big")),
    }
    for what, value in secrets.items():
        for request in requests:
            seen = f"{request['url']}\n{request['body']}".lower()
            assert value.lower() not in seen, f"{what} sent: {request['method']} {request['url']}"

    stored = browser.execute_async_script(STORED)
    assert stored == {
        "cookie": "", "local": 0, "session": 0, "indexedDB": [], "caches": [], "workers": 0,
    }, stored  # fmt: skip
    assert browser.get_cookies() == []
    assert browser.execute_cdp_cmd("Network.getAllCookies", {})["cookies"] == []
    verify_after_the_close(opened, [tracker])
