"""The election's public pages on a real board (uvicorn on 127.0.0.1, SQLite), for a finished
election built with real crypto: every page answers, shows what the log states, links each fact
to a leaf page whose inclusion proof verifies, sends a strict policy and no script, and speaks
English or Welsh as asked."""

from __future__ import annotations

import base64
import hashlib
import re
import time

import httpx
import pytest

from bulletin_board.pages.render import STYLESHEET
from bulletin_board.pages.routes import CONTENT_SECURITY_POLICY
from crypto import canonical
from crypto.merkle import leaf_hash, verify_inclusion
from election.counting import Profile, read_blt
from tests.pages.elections import Served

PAGES = ("", "nominations", "decisions", "participation", "results")
_LEAF_LINK = re.compile(r'href="/e/nec-2027/leaf/([0-9]+)"')
_PATH = re.compile(r'<li><code class="hash">([0-9a-f]{64})</code></li>')


def _get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=30)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_is_html_with_a_strict_policy_and_no_script(served: Served, page: str) -> None:
    response = _get(served.page(page))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in (CONTENT_SECURITY_POLICY)
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.text
    assert "<script" not in body.lower()
    assert " style=" not in body, "an inline style would be refused by the policy"
    assert re.findall(r'(?:src|href)="(?:https?:)?//', body) == [], "nothing from elsewhere"
    assert '<html lang="en">' in body


def test_home_states_the_phase_timetable_change_contests_and_trustees(served: Served) -> None:
    body = _get(served.page()).text
    assert "NEC elections (demonstration)" in body
    assert "Example Party" in body
    assert "The result was published on 26 January at" in body
    assert "(Europe/London)" in body
    assert "13 January 2027 at 09:00 (Europe/London)" in body  # nominations close, extended
    assert "Originally 12 January 2027 at 09:00 (Europe/London)" in body
    assert "Extended by one day: a postal strike delayed CLP nomination forms" in body
    assert "Members in: youth" in body
    assert "Every member" in body
    assert "at least 5 seats for gender = woman" in body
    assert "Any 3 of the 5 trustees together can decrypt" in body
    definition = served.builder.definition
    assert definition.fingerprint.hex() in body
    head = served.client.tree_head()
    assert head.root_hash.hex() in body


def test_nominations_show_every_nomination_threshold_exclusion_and_the_ballot_order(
    served: Served,
) -> None:
    body = _get(served.page("nominations")).text
    state = served.builder.state
    nominations = sum(
        len(n.nominated_by) for c in state.setup.nominees.values() for n in c.values()
    )
    assert body.count('<td data-label="Nominated by">') == nominations
    assert "Oli Odd" in body
    assert "Not enough nominations" in body
    assert "Removed: Withdrew on health grounds" in body
    listed = served.builder.params.candidate_lists["nec"].candidates
    order = [m.group(1) for m in re.finditer(r"<li>([^<]+)</li>", body)]
    assert order[: len(listed)] == [c.name for c in listed]


def test_decisions_list_every_signed_entry_verified_in_log_order(served: Served) -> None:
    body = _get(served.page("decisions")).text
    leaves = [int(i) for i in _LEAF_LINK.findall(body)]
    assert leaves == sorted(leaves)
    assert leaves[0] == 0
    ballots = served.builder.state.voting.ballots + served.builder.state.voting.audits
    head = served.client.tree_head()
    assert len(leaves) == head.tree_size - ballots  # every entry but the members'
    assert body.count("✓ verified") == len(leaves)
    assert "not verified" not in body
    assert "Hustings: Two online hustings will be held before voting opens" in body
    assert "Returning Officer (administrator)" in body
    assert "Trustee 4 (trustee 4)" in body


def test_participation_counts_ballots_never_who(served: Served) -> None:
    body = _get(served.page("participation")).text
    members = served.builder.members
    assert re.search(rf"Ballots received</dt><dd>{len(members) + 2}</dd>", body)
    assert re.search(rf"Members who voted</dt><dd>{len(members)} \(100.0%\)</dd>", body)
    assert re.search(r"Replaced by a later ballot</dt><dd>2</dd>", body)
    assert re.search(r"Audited ballots</dt><dd>1</dd>", body)
    styles = {m.style for m in members}
    for style in styles:
        assert f"<code>{style}</code>" in body
    for member in members:
        assert member.key.public.to_hex() not in body


def test_results_show_the_decrypted_counts_and_who_decrypted(served: Served) -> None:
    body = _get(served.page("results")).text
    expected = served.builder.expected_counts()
    params = served.builder.params
    names = [c.name for c in params.candidate_lists["youth-rep"].candidates]
    for name, votes in zip(names, expected["youth-rep"], strict=True):
        assert re.search(rf'<th scope="row">{name}</th><td class="num"[^>]*>{votes}</td>', body)
    for contest in ("nec", "mayor"):  # ranked: its count stage by stage, the elected in order
        named = {c.id: c.name for c in params.candidate_lists[contest].candidates}
        elected = ", ".join(named[i] for i in served.elected[contest])
        assert elected in body
        assert f'<table id="t-{contest}">' in body
        assert f'id="s-{contest}-1"' in body
    yes, _no = expected["rule-change"]
    assert re.search(rf'<th scope="row">Yes</th><td class="num"[^>]*>{yes}</td>', body)
    assert "gender=woman &gt;= 5" in body  # the NEC's quota, in its STV count's facts
    for j in (1, 2, 4):
        assert f"Trustee {j}: Trustee {j}" in body
    assert "Trustee 3: Trustee 3" not in body
    assert "Trustee 5: Trustee 5" not in body
    assert '<svg class="chart" role="img"' in body


def test_the_ranked_papers_download_as_blt_files(served: Served) -> None:
    body = _get(served.page("results")).text
    for contest in ("nec", "mayor"):
        assert f'href="/e/nec-2027/results/{contest}.blt"' in body
        response = _get(served.page(f"results/{contest}.blt"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        disposition = f'attachment; filename="nec-2027-{contest}.blt"'
        assert response.headers["content-disposition"] == disposition
        read = read_blt(response.content)
        candidates = served.builder.params.candidate_lists[contest].candidates
        assert read.profile.candidates == tuple(c.name for c in candidates)
        cast = [v[contest] for v in served.builder.cast.values() if contest in v]
        members = Profile.from_ballots(candidates=read.profile.candidates, ballots=cast)
        assert (read.profile.sequences, read.profile.weights) == (
            members.sequences,
            members.weights,
        )
        assert read.profile.invalid == members.invalid
    for path in ("results/youth-rep.blt", "results/nobody.blt", "results/nec.csv"):
        assert _get(served.page(path)).status_code == 404, path


def test_the_report_is_served_self_contained_with_its_style_allowed_by_hash(
    served: Served,
) -> None:
    response = _get(served.page("report.html"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    body = response.text
    css = STYLESHEET.read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in body  # inline and not escaped
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'sha256-{digest}'"
    )
    assert "<script" not in body.lower()
    assert re.findall(r"href=\"([^#][^\"]*)\"", body) == []  # loads and links nothing
    assert served.builder.params.definition.fingerprint.hex() in body
    names = {c.id: c.name for c in served.builder.params.candidate_lists["nec"].candidates}
    assert ", ".join(names[i] for i in served.elected["nec"]) in body
    assert '<section class="stage"' in body


def test_the_verifier_verdict_appears_once_it_has_run(served: Served) -> None:
    deadline = time.monotonic() + 240
    while True:
        body = _get(served.page("results")).text
        if "RESULT VERIFIED" in body or "FAILED" in body or time.monotonic() > deadline:
            break
        assert "The verifier is checking the log" in body
        time.sleep(1)  # polling a background run
    assert "RESULT VERIFIED: every check passed." in body
    assert body.count('<span class="check-pass">pass</span>') == 10


def test_every_fact_links_to_a_leaf_whose_proof_verifies(served: Served) -> None:
    linked: set[int] = set()
    for page in PAGES:
        linked |= {int(i) for i in _LEAF_LINK.findall(_get(served.page(page)).text)}
    head = served.client.tree_head()
    assert len(linked) > 30
    for index in sorted(linked)[:: max(1, len(linked) // 12)]:
        body = _get(served.page(f"leaf/{index}")).text
        path = [bytes.fromhex(h) for h in _PATH.findall(body)]
        answer = _get(f"{served.url}/v1/elections/{served.election}/leaves/{index}").json()
        leaf = canonical.encode(answer["leaf"])
        verify_inclusion(leaf_hash=leaf_hash(leaf), index=index, tree_size=head.tree_size,
                         proof=path, root=head.root_hash)  # fmt: skip
        assert "✓ the path leads to the signed root" in body
        assert f'<code class="hash">{answer["leaf_hash"]}</code>' in body


def test_a_ballot_leaf_is_anonymous_and_verified(served: Served) -> None:
    head = served.client.tree_head()
    ballot = next(
        i for i in range(head.tree_size - 1, 0, -1)
        if served.client.entry(i).type == "ballot"
    )  # fmt: skip
    body = _get(served.page(f"leaf/{ballot}")).text
    assert "A member (anonymous credential)" in body
    assert "✓ a member&#39;s anonymous credential signature; it verifies" in body


@pytest.mark.parametrize(
    ("path", "status"),
    [("leaf/99999", 404), ("leaf/01", 404), ("leaf/-1", 404), ("leaf/x", 404),
     ("nowhere", 404)],
)  # fmt: skip
def test_bad_paths_answer_404_pages(served: Served, path: str, status: int) -> None:
    response = _get(served.page(path))
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]


def test_an_unknown_election_is_a_404_page(served: Served) -> None:
    response = _get(f"{served.url}/e/no-such-election/")
    assert response.status_code == 404
    assert "There is no election no-such-election on this board." in response.text
    assert _get(f"{served.url}/e/BAD!/").status_code == 404


def test_the_front_page_lists_the_elections_and_is_the_root(served: Served) -> None:
    response = _get(f"{served.url}/")
    assert response.status_code == 200
    assert 'href="/e/nec-2027/"' in response.text
    assert "NEC elections (demonstration)" in response.text
    assert _get(f"{served.url}/e/nec-2027").status_code in (200, 308)


def test_accept_language_chooses_welsh_and_the_switch_overrides(served: Served) -> None:
    welsh = _get(served.page("results"), **{"Accept-Language": "cy,en;q=0.5"})
    assert '<html lang="cy">' in welsh.text
    assert "Canlyniadau" in welsh.text
    assert welsh.headers["content-language"] == "cy"
    switched = _get(served.page("results") + "?lang=en", **{"Accept-Language": "cy"})
    assert '<html lang="en">' in switched.text
    assert "verivote_lang=en" in switched.headers["set-cookie"]
    remembered = httpx.get(
        served.page(), headers={"Accept-Language": "en"}, cookies={"verivote_lang": "cy"}
    )
    assert '<html lang="cy">' in remembered.text
    assert "Amserlen" in remembered.text


def test_the_stylesheet_has_a_print_style_and_a_narrow_layout(served: Served) -> None:
    css = _get(f"{served.url}/static/pages.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "@media print" in css.text
    assert "@media (max-width:40rem)" in css.text
