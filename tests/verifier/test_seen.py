"""The verifier's on-disk memory of leaves and ballots (verifier/_seen.py, issue 14 item 6)."""

from __future__ import annotations

from pathlib import Path

from verifier._seen import Seen


def test_entry_digests_name_a_replay() -> None:
    seen = Seen()
    try:
        assert seen.new_entry(b"a" * 16)
        assert seen.new_entry(b"b" * 16)
        assert not seen.new_entry(b"a" * 16)
    finally:
        seen.close()


def test_alpha_prefixes_keep_their_first_holder_over_the_whole_64_bit_range() -> None:
    seen = Seen()
    try:
        low, high, middle = 1, 2**64 - 1, 2**63
        assert seen.first_holders([low, high, middle]) == {}
        seen.hold([low, high], 7 << 1)
        seen.hold([high, middle], 9 << 1 | 1)  # high is already held: leaf 7 stays its holder
        assert seen.first_holders([middle, high, low, 5]) == {
            low: 7 << 1,
            high: 7 << 1,
            middle: 9 << 1 | 1,
        }
    finally:
        seen.close()


def test_credentials_of_voter_entries_and_the_file_goes_on_close() -> None:
    seen = Seen()
    folder = Path(seen._folder.name)
    seen.set_credential(10, 3)
    seen.set_credential(11, 4)
    seen.set_credential(12, 3)
    assert seen.credential(10) == 3
    assert seen.credential(13) is None
    assert sorted(seen.entries_of({3})) == [(10, 3), (12, 3)]
    assert (folder / "seen.sqlite").exists()
    seen.close()
    assert not folder.exists()
