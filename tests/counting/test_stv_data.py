"""The real-election test data are exactly the bytes whose provenance the README records."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from election.counting.profile import Profile
from tests.counting.data import DATA, load

# SHA-256 of each data file, as listed in tests/data/stv/README.md (and the shared original).
PINNED = {
    "burlington_2009_mayor.blt": "4a4f14dfa78493a876f219d33d68c0576e0c811a5d8d3b4d5cd43bb10cf56e89",
    "burlington_2009_mayor.toi": "e229686d5c74152028974f0626172c95b08175fc3660dfd3bfccb096ebc2c1fb",
    "glasgow_2007_calton.blt": "2c3eb1aba42f4849e1e80c1043920f920f7db801507b5a8dea4d3a5aa2062bfc",
    "glasgow_2017_ward01_linn.blt": (
        "ce60acf575a59d8fa7f1cfa89d622f073706c9bf227b0f6c1f1b01c5866b16ce"
    ),
    "glasgow_2017_ward01_linn.official.json": (
        "86ef9286487427156b07d79ab97a9254adbfcd11f003c5b90398077b79a71e94"
    ),
    "glasgow_2017_ward09_calton.blt": (
        "b50431634855cc2f0047000de6a9a669dff4afec6928d90cda55e792e1bdf061"
    ),
    "glasgow_2017_ward09_calton.official.json": (
        "157be7c9f777b4b915b15568eb5bbad8f7755f2dbfad58c9d1308c8c5e48c80e"
    ),
    "glasgow_2017_ward15_maryhill.blt": (
        "82c10b7c30559e0163c2dae2119638c0bf0db2af6ae078ae1157f0b036dc6713"
    ),
    "glasgow_2017_ward15_maryhill.official.json": (
        "fffaddbd5f2380b5807c33c999d4cdb74c6eba107be08a5445d2781d297415eb"
    ),
    "glasgow_2017_ward16_canal.blt": (
        "d59450a177ddfe025500144e225c9a086ebe5af992be01feb48aa1ab50f85a80"
    ),
    "glasgow_2017_ward16_canal.official.json": (
        "85076d3f4876aa95d80bc69cd3e6f35426b1c69c511e45c8c5ad8cf7e851e37c"
    ),
    "glasgow_2017_ward19_shettleston.blt": (
        "5915c34d2d28c71b4893e5daa93963a794d9302b6dc92dfc9d7d8bbf61265330"
    ),
    "glasgow_2017_ward19_shettleston.official.json": (
        "80652591aa48ded5c8783def4872735fd4c8e5de39c52bc2f6587e0b8c276aae"
    ),
    "glasgow_2017_ward23_partick_east_kelvindale.blt": (
        "621d2bd7ccaade30877a1a9ec711872a64fe657cee31dcc9d975cab6102aa235"
    ),
    "glasgow_2017_ward23_partick_east_kelvindale.official.json": (
        "af8190527e18128ce2bd5e5cc0c03438f1239983bf8a7d3159968af8cb0d3dcf"
    ),
    "glasgow_2022_byelection_linn.blt": (
        "0437c957f04f60a9ecefb6bfcd9816d6aacfb708f67b0b1e64dbacb21d51e5f6"
    ),
}


def test_every_data_file_has_its_pinned_bytes() -> None:
    present = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert present == set(PINNED)
    for name, digest in PINNED.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_the_readme_lists_the_same_digests() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    listed = {
        name: digest
        for digest, name in re.findall(r"^    ([0-9a-f]{64})  (\S+)$", text, flags=re.M)
    }
    assert listed == PINNED


def _profile_from_toi() -> Profile:
    """Derive the Burlington profile from the PrefLib file by the README's rule: at an
    overvoted rank ({x,y}) the ballot stops; that rank and all later ranks are dropped."""
    text = (DATA / "burlington_2009_mayor.toi").read_text(encoding="utf-8")
    names = dict(re.findall(r"^# ALTERNATIVE NAME (\d+): (.*)$", text, flags=re.M))
    candidates = [names[str(i)] for i in range(1, len(names) + 1)]
    orders: Counter[tuple[int, ...]] = Counter()
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        count, _, ranking = line.partition(": ")
        order: list[int] = []
        for token in re.findall(r"\{[^}]*\}|[^,]+", ranking):
            if token.startswith("{"):
                break
            order.append(int(token) - 1)
        orders[tuple(order)] += int(count)
    return Profile.from_orders(candidates=candidates, orders=orders.items())


def test_burlington_blt_is_the_toi_with_overvotes_cut() -> None:
    derived = _profile_from_toi()
    ballots = load("burlington_2009_mayor.blt")
    assert derived.candidates == ballots.profile.candidates
    assert derived.sequences == ballots.profile.sequences
    assert derived.weights == ballots.profile.weights
    assert derived.invalid == ballots.profile.invalid == 4
    assert derived.valid + derived.invalid == 8980
