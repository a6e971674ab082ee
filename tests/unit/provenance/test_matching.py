"""The vote on (asset, offset) over a real index: excerpts found at their offset, mirrored
queries, ties for repeated footage and static pictures, speed changes, hidden assets."""
from __future__ import annotations

import numpy as np
import pytest

from archive.provenance import lookup, matching
from archive.provenance.index import NumpyHammingIndex

SETTINGS = lookup.Settings()


def _random(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63, size=n, dtype=np.uint64) * 2 + 1


def _noisy(hashes, bits, seed):
    """Each hash with `bits` random bits flipped (what re-encoding does to a pHash)."""
    rng = np.random.default_rng(seed)
    out = hashes.copy()
    for i in range(len(out)):
        for b in rng.choice(64, size=bits, replace=False):
            out[i] ^= np.uint64(1) << np.uint64(int(b))
    return out


def _query(master, start, seconds, *, speed=1.0, rate=2, noise=3, mirror_of=None):
    """A query at `rate` frames a second taken from `master` (1 hash a second) from `start`."""
    times = np.arange(int(seconds * rate)) / rate
    picks = np.clip(np.round(start + speed * times).astype(int), 0, len(master) - 1)
    hashes = _noisy(master[picks], noise, 11)
    other = _random(len(times), 99) if mirror_of is None else mirror_of
    normal, mirrored = (other, hashes) if mirror_of is not None else (hashes, other)
    return lookup.QueryHashes(times, normal, mirrored, len(times), matching.is_static(normal), seconds)


@pytest.fixture
def index():
    idx = NumpyHammingIndex()
    for n in range(20):
        idx.add(f"asset-{n:02d}", _random(600, n))
    return idx


def test_an_excerpt_is_found_at_its_offset(index):
    master = _random(600, 7)
    found = lookup.find(index, _query(master, 123, 10), SETTINGS)
    top = found[0]
    assert (top.key, top.mirrored, top.tied, top.speed) == ("asset-07", False, False, 1.0)
    assert abs(top.offset - 123) <= 0.5 and top.score > 0.9
    assert abs(top.master_in - 123) <= 0.5 and abs(top.master_out - 133) <= 1.0
    assert all(c.key == "asset-07" or c.score < top.score / 2 for c in found)


def test_a_mirrored_query_matches_through_its_mirrored_hashes(index):
    master = _random(600, 3)
    q = _query(master, 40, 8, mirror_of=_random(16, 55))
    top = lookup.find(index, q, SETTINGS)[0]
    assert (top.key, top.mirrored) == ("asset-03", True) and abs(top.offset - 40) <= 0.5


def test_unrelated_hashes_match_nothing(index):
    q = lookup.QueryHashes(np.arange(20) / 2, _random(20, 1000), _random(20, 1001), 20, False, 10)
    assert lookup.find(index, q, SETTINGS) == []


def test_the_same_footage_in_two_assets_is_a_tie_not_a_guess(index):
    master = _random(600, 5)
    index.add("copy-of-05", master[100:300])  # a clip of asset-05 is an asset too
    found = lookup.find(index, _query(master, 150, 10), SETTINGS)
    tied = [(c.key, round(c.offset)) for c in found if c.tied]
    assert sorted(tied) == [("asset-05", 150), ("copy-of-05", 50)]


def test_a_static_picture_ties_every_asset_that_holds_it(index):
    card = _random(1, 500)[0]
    index.add("bars-a", np.array([card] * 30 + list(_random(30, 501)), dtype=np.uint64))
    index.add("bars-b", np.array(list(_random(10, 502)) + [card] * 40, dtype=np.uint64))
    q = lookup.QueryHashes(np.arange(12) / 2, np.array([card] * 12, dtype=np.uint64), _random(12, 503), 12, True, 6)
    found = lookup.find(index, q, SETTINGS)
    assert sorted(c.key for c in found) == ["bars-a", "bars-b"] and all(c.tied and c.static for c in found)


def test_a_speed_change_is_measured(index):
    master = _random(600, 9)
    top = lookup.find(index, _query(master, 200, 12, speed=1.25), SETTINGS)[0]
    assert top.key == "asset-09" and top.speed == pytest.approx(1.25, abs=0.03)
    assert abs(top.master_in - 200) <= 1.0 and abs(top.master_out - (200 + 1.25 * 12)) <= 1.5


def test_hidden_assets_neither_show_nor_outvote(index):
    master = _random(600, 4)
    found = lookup.find(index, _query(master, 10, 10), SETTINGS, allowed=lambda keys: keys - {"asset-04"})
    assert all(c.key != "asset-04" for c in found)


def test_static_means_every_hash_close_to_every_other():
    h = _random(1, 1)[0]
    assert matching.is_static(np.array([h, h ^ np.uint64(3), h], dtype=np.uint64))
    assert not matching.is_static(_random(10, 2))
    assert matching.is_static(np.array([0, 0], dtype=np.uint64))  # nothing but flat frames
