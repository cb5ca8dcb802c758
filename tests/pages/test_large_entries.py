"""Issue 13 item 5: large trustee entries (a mix is ~60 MB at 120,000 ballots) fold into the
pages' digest from their summary, their signature verified over their bytes and their payload
never decoded; the board's own limit (256 MiB) applies, not a lower one; a large entry's leaf
page shows its summary and a download, not the entry; the BLT downloads are built once per
result leaf."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from markupsafe import escape

import bulletin_board.pages.digest as digest_module
from bulletin_board.pages.describe import describe_entry
from bulletin_board.pages.digest import LARGE_ENTRY, ElectionDigest
from bulletin_board.pages.downloads import Papers
from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.leaf import large_leaf_view
from bulletin_board.pages.render import render
from bulletin_board.pages.results import contest_blt
from bulletin_board.pages.views import PAGES, Links, tree_head_view
from crypto.envelope import MAX_ENTRY_BYTES, Ed25519Signer, parse_entry
from crypto.signing import SigningKey
from tests.pages.ranked import ranked_election

ELECTION = "ranked-2027"
TRUSTEE_1 = SigningKey(bytes([10] * 32))  # RoleKeys.fixed_for_testing's trustee 1
OUTPUT = b'{"alpha":"02' + b"11" * 32 + b'","beta":"03' + b"22" * 32 + b'"}'


@pytest.fixture(scope="module")
def ranked() -> tuple[Any, Any, Any]:
    return ranked_election()


def _copy(digest: ElectionDigest) -> ElectionDigest:
    """A copy of ``digest`` to fold more leaves into (the module's digest stays as built)."""
    copied = copy.copy(digest)
    copied.entries = list(digest.entries)
    copied.trustees = {j: copy.copy(r) for j, r in digest.trustees.items()}
    return copied


def _signed_entry(kind: str, payload: bytes, key: SigningKey = TRUSTEE_1) -> bytes:
    """Canonical entry bytes of ``kind`` with the canonical ``payload`` bytes, signed by
    ``key`` as a trustee: assembled as bytes (encoding 65 MiB as JSON takes too long)."""
    signer = Ed25519Signer("trustee", key)
    tail = b',"type":"%s","version":1}' % kind.encode()
    head = b'{"author":{"key":"%s","role":"trustee"},"election":"%s","payload":' % (
        signer.key.hex().encode(),
        ELECTION.encode(),
    )
    signed = head + payload + tail
    return head + payload + b',"signature":"%s"' % signer.sign(signed).hex().encode() + tail


def _leaf(digest: ElectionDigest, entry: bytes) -> bytes:
    return b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (
        entry,
        digest.size,
        digest.last_received + 1,
    )


def _big_mix(count: int, *, mix: int = 9) -> bytes:
    outputs = b",".join([OUTPUT] * count)
    payload = b'{"contest":"nec","mix":%d,"outputs":[%s],"proof":{"x":"00"},"trustee":1}' % (
        mix,
        outputs,
    )
    return _signed_entry("mix", payload)


def test_the_mixes_and_their_decryptions_fold_from_their_summary(
    ranked: tuple[Any, Any, Any],
) -> None:
    digest, _, _ = ranked
    t = catalogues()["en"]
    mixes = [p for p in digest.entries if p.type == "mix"]
    decryptions = [p for p in digest.entries if p.type == "ranked-decryption"]
    assert mixes
    assert decryptions
    ballots = digest.tally.value["nec"]
    for number, posted in enumerate(mixes):
        assert posted.summary
        assert posted.verified
        assert posted.signer.startswith("trustee ")
        assert posted.facts == {"contest": "nec", "mix": number, "count": ballots,
                                "trustee": int(posted.signer[8:])}  # fmt: skip
        assert describe_entry(t, digest, posted) == (
            f"Trustee {posted.facts['trustee']} shuffled the encrypted rankings of NEC (ranked) "
            f"(mix {number + 1}: {ballots} ballots)"
        )
    last_mix = mixes[-1]
    for posted in decryptions:
        assert posted.summary
        assert posted.verified
        assert posted.facts["mix"] == last_mix.hash
        assert posted.facts["mix_index"] == last_mix.index
        assert describe_entry(t, digest, posted).endswith("decrypted the shuffled rankings of "
                                                          "NEC (ranked)")  # fmt: skip
    assert digest.unreadable == []


def test_a_mix_over_64_mib_folds_verified_without_decoding(
    ranked: tuple[Any, Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert digest_module._MAX_ENTRY == MAX_ENTRY_BYTES  # the board's limit, 256 MiB
    digest = _copy(ranked[0])
    count = (65 << 20) // len(OUTPUT)
    entry = _big_mix(count)
    assert len(entry) > 64 << 20
    parsed: list[int] = []
    real = parse_entry

    def spy(raw: bytes, *args: Any, **kwargs: Any) -> Any:
        parsed.append(len(raw))
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(digest_module, "parse_entry", spy)
    index = digest.size
    digest.add(_leaf(digest, entry))
    assert parsed == []  # never decoded
    posted = digest.posted(index)
    assert posted is not None
    assert (posted.summary, posted.verified, posted.size) == (True, True, len(entry))
    assert posted.facts == {"contest": "nec", "mix": 9, "count": count, "trustee": 1}
    assert len(posted.leaf_hash) == 32


def test_a_tampered_or_foreign_large_entry_does_not_verify(ranked: tuple[Any, Any, Any]) -> None:
    digest = _copy(ranked[0])
    entry = bytearray(_big_mix(10))
    entry[entry.index(b'"beta":"03') + 12] ^= 1  # a digit of an output, after signing
    digest.add(_leaf(digest, bytes(entry)))
    foreign = _signed_entry("mix", b'{"contest":"nec","mix":0,"outputs":[],"proof":{},'
                            b'"trustee":1}', SigningKey(bytes([99] * 32)))  # fmt: skip
    digest.add(_leaf(digest, foreign))
    tampered, other = digest.entries[-2:]
    assert tampered.summary
    assert not tampered.verified
    assert not other.verified
    assert other.signer == "trustee"  # not a key the definition names


def test_any_large_entry_the_pages_do_not_read_is_summarised(
    ranked: tuple[Any, Any, Any],
) -> None:
    digest = _copy(ranked[0])
    blob = b'"' + b"ab" * (1 << 20) + b'"'
    digest.add(_leaf(digest, _signed_entry("dealing", b'{"shares":' + blob + b"}")))
    posted = digest.entries[-1]
    assert (posted.type, posted.summary, posted.verified) == ("dealing", True, True)
    assert posted.facts == {"trustee": 1}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_large_entry_leaf_page_shows_its_summary_and_a_download(
    ranked: tuple[Any, Any, Any], lang: str
) -> None:
    digest = _copy(ranked[0])
    sth = ranked[1]
    entry = _big_mix(max(1, LARGE_ENTRY // len(OUTPUT)))
    index = digest.size
    digest.add(_leaf(digest, entry))
    posted = digest.posted(index)
    assert posted is not None
    assert posted.size >= LARGE_ENTRY
    t = catalogues()[lang]
    view = large_leaf_view(t, digest, posted, sth=sth, proof=[])
    body = render(
        "leaf.html", t=t, page_title=t.text("leaf.title", index=index), leaf=view,
        sth=tree_head_view(t, digest, sth), links=Links(ELECTION), nav=PAGES, current=None,
        election=ELECTION, election_title="x", rehearsal=False,
    )  # fmt: skip
    assert str(escape(t.text("leaf.signature_folded"))) in body
    assert str(escape(t.text("leaf.large", size=t.number(posted.size)))) in body
    assert f'href="/v1/elections/{ELECTION}/leaves/{index}"' in body
    assert "<pre>" not in body
    assert OUTPUT.decode()[:20] not in body
    assert posted.hash.hex() in body
    assert posted.leaf_hash.hex() in body


def test_the_blt_files_are_built_once_per_result(ranked: tuple[Any, Any, Any]) -> None:
    digest, _, _ = ranked
    papers = Papers()
    try:
        papers.warm(ELECTION, digest)
        papers.wait()
        built = papers.blt(ELECTION, digest, "nec")
        assert built is not None
        assert built.done()
        assert built.result() == contest_blt(digest, "nec")
        assert papers.blt(ELECTION, digest, "nec") is built  # kept, not built again
        rule = papers.blt(ELECTION, digest, "rule")
        assert rule is not None
        assert rule.result() is None  # a referendum has no papers
        assert papers.blt(ELECTION, ElectionDigest(ELECTION), "nec") is None  # no result
    finally:
        papers.close()
