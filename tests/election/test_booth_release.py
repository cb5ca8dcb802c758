"""Spec §11.14 The booth release: its payload's format (each malformed form refused for its
reason), the rule (the administrator's, before voting opens, the last one in force) on the
board's rules and in the verifier."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from crypto.errors import MalformedInput
from election.wire import BoothRelease
from tests.election.scenario import (
    DAY,
    NOMINATIONS_OPEN,
    STRANGER,
    VOTING_OPEN,
    Scenario,
    admin,
    refused,
)

FILES = {"index.html": b"<!doctype html>", "js/app.js": b"export {}", "vendor/@noble/x.js": b""}


def _release(**changes: Any) -> dict[str, Any]:
    payload = BoothRelease.of_files(FILES, version="1.0").to_json()
    return {**payload, **changes}


def test_a_release_lists_each_file_hash_in_path_order() -> None:
    release = BoothRelease.of_files(FILES, version="1.0")
    assert [f.path for f in release.files] == ["index.html", "js/app.js", "vendor/@noble/x.js"]
    assert release.hashes()["js/app.js"] == hashlib.sha256(b"export {}").digest()
    assert BoothRelease.from_json(release.to_json()) == release


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([], "booth-release files"),
        ([{"path": "js/a.js", "sha256": "00" * 32}], "no index.html"),
        ([{"path": "../index.html", "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": "/index.html", "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": "js//a.js", "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": ".git/config", "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": "a b.js", "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": "x" * 256, "sha256": "00" * 32}], "not a booth file path"),
        ([{"path": "index.html", "sha256": "00" * 31}], "sha256"),
        ([{"path": "index.html", "sha256": "AB" * 32}], "sha256"),
        ([{"path": "index.html", "sha256": "00" * 32, "size": 1}], "unknown field"),
        (
            [{"path": "js/a.js", "sha256": "00" * 32}, {"path": "index.html", "sha256": "00" * 32}],
            "strictly increasing",
        ),
        (
            [{"path": "index.html", "sha256": "00" * 32}] * 2,
            "strictly increasing",
        ),
    ],
)
def test_a_malformed_release_is_refused_for_its_reason(files: list[Any], reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        BoothRelease.from_json(_release(files=files))


def test_a_release_needs_a_version() -> None:
    with pytest.raises(MalformedInput, match="booth-release version"):
        BoothRelease.from_json(_release(version=" "))


@pytest.fixture(scope="module")
def defined() -> Scenario:
    s = Scenario()
    s.define()
    return s


def test_the_last_release_before_voting_opens_is_in_force(defined: Scenario) -> None:
    log = defined.fork().log
    log.post(admin("booth-release", _release(version="1.0")), NOMINATIONS_OPEN)
    log.post(admin("booth-release", _release(version="1.1")), VOTING_OPEN - DAY)
    release = log.state.setup.booth_release
    assert release is not None
    assert release.version == "1.1"
    refused(log, admin("booth-release", _release(version="1.2")), VOTING_OPEN, "voting_opened")
    refused(
        log,
        admin("booth-release", _release(version="1.3"), key=STRANGER),
        VOTING_OPEN - DAY,
        "wrong_author",
    )
    assert log.state.setup.booth_release == release
