"""One FingerprintIndex contract, run against every backend: numpy (the embedded default)
and faiss (`faiss-cpu`, installed with the dev extra by `make install`; skipped only where
it is missing, a deployment without the `faiss` extra)."""
from __future__ import annotations

import numpy as np
import pytest

from archive.provenance.index import (BACKENDS, FaissBinaryIndex, IndexUnavailable, NumpyHammingIndex, make_index,
                                      popcount64)


def _faiss_or_skip():
    try:
        return FaissBinaryIndex()
    except IndexUnavailable:
        pytest.skip("faiss-cpu is not installed")


@pytest.fixture(params=["numpy", "faiss"])
def index(request):
    return NumpyHammingIndex() if request.param == "numpy" else _faiss_or_skip()


def _random(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63, size=n, dtype=np.uint64) * 2 + rng.integers(0, 2, size=n, dtype=np.uint64)


def _flip(value, bits):
    for b in bits:
        value ^= np.uint64(1) << np.uint64(b)
    return value


def test_an_exact_hash_is_found_at_its_key_and_position(index):
    a, b = _random(50, 1), _random(80, 2)
    index.add("a", a)
    index.add("b", b)
    assert index.keys() == {"a", "b"} and len(index) == 130
    found = index.search(np.array([b[17], a[3]], dtype=np.uint64), k=1, radius=0)
    assert [(n.query, n.key, n.position, n.distance) for n in found] == [(0, "b", 17, 0), (1, "a", 3, 0)]


def test_nearest_first_within_the_radius_and_at_most_k(index):
    base = _random(1, 3)[0]
    hashes = np.array([_flip(base, range(d)) for d in (9, 0, 3, 5, 12, 1)], dtype=np.uint64)
    index.add("m", hashes)
    index.add("noise", _random(500, 4))
    found = [n for n in index.search(np.array([base], dtype=np.uint64), k=10, radius=5)]
    assert [(n.key, n.position, n.distance) for n in found] == [("m", 1, 0), ("m", 5, 1), ("m", 2, 3), ("m", 3, 5)]
    two = index.search(np.array([base], dtype=np.uint64), k=2, radius=64)
    assert [n.distance for n in two] == [0, 1]


def test_adding_a_key_again_replaces_it_and_remove_forgets_it(index):
    index.add("a", _random(10, 5))
    index.add("a", _random(4, 6))
    assert len(index) == 4
    assert index.search(_random(10, 5)[:1], k=1, radius=0) == []
    index.remove("a")
    index.remove("never there")
    assert len(index) == 0 and index.keys() == set() and index.search(_random(1, 6), k=1, radius=64) == []


def test_flat_frames_are_neither_stored_nor_looked_up(index):
    index.add("card", np.array([0, 0, 5, 0], dtype=np.uint64))
    assert len(index) == 1
    assert index.search(np.array([0], dtype=np.uint64), k=5, radius=64) == []
    assert [(n.position, n.distance) for n in index.search(np.array([4], dtype=np.uint64), k=5, radius=64)] == [(2, 1)]


def test_bad_arguments_are_refused(index):
    index.add("a", _random(3, 7))
    for k, radius in ((0, 5), (1, -1), (1, 65)):
        with pytest.raises(ValueError):
            index.search(_random(1, 8), k=k, radius=radius)


def test_the_backends_agree_on_random_data():
    other = _faiss_or_skip()
    mine = NumpyHammingIndex()
    stored = _random(3000, 9)
    for backend in (mine, other):
        backend.add("x", stored[:1500])
        backend.add("y", stored[1500:])
    queries = np.array([_flip(h, (3, 17, 40)) for h in stored[::300]] + list(_random(5, 10)), dtype=np.uint64)
    a = mine.search(queries, k=5, radius=12)
    b = other.search(queries, k=5, radius=12)
    assert [(n.query, n.distance) for n in a] == [(n.query, n.distance) for n in b]
    assert {(n.key, n.position) for n in a if n.distance == 3} == {(n.key, n.position) for n in b if n.distance == 3}
    assert all(n.distance == int(popcount64(np.array([queries[n.query] ^ stored[n.position + (1500 if n.key == "y" else 0)]],
                                                       dtype=np.uint64))[0]) for n in a)


def test_the_setting_names_a_backend():
    assert set(BACKENDS) == {"numpy", "faiss"} and isinstance(make_index("numpy"), NumpyHammingIndex)
    with pytest.raises(ValueError, match="FINGERPRINT_INDEX"):
        make_index("annoy")


def test_planes_are_searched_at_their_positions_and_given_back_as_added(index):
    whole, crop = _random(40, 31), _random(40, 32)
    whole[5] = 0  # a flat frame: nothing stored there, NO_HASH given back
    index.add("m", np.stack([whole, crop]))
    assert len(index) == 79
    found = index.search(np.array([crop[12], whole[30]], dtype=np.uint64), k=1, radius=0)
    assert [(n.query, n.key, n.position, n.distance) for n in found] == [(0, "m", 12, 0), (1, "m", 30, 0)]
    assert index.sequence("m").tolist() == np.stack([whole, crop]).tolist()
    index.add("one", whole[:10])
    assert index.sequence("one").shape == (1, 10)
    assert index.sequence("unknown").shape == (1, 0)


def _triples(found):
    return [(n.query, n.key, n.position, n.distance) for n in found]


def test_a_search_restricted_to_planes_answers_as_an_index_of_those_planes_alone(index):
    # Three keys of three planes each; the same hash stored on plane 0 of "a" and on plane 2 of "b".
    stored = {key: np.stack([_random(300, seed + p) for p in range(3)]) for key, seed in (("a", 40), ("b", 50), ("c", 60))}
    shared = stored["a"][0, 7]
    stored["b"][2, 9] = shared
    for key, hashes in stored.items():
        index.add(key, hashes)
    index.add("short", _random(20, 70))  # one plane only: nothing of it on planes 1 and 2
    stored["short"] = _random(20, 70)[None, :]
    u64 = np.uint64
    queries = np.concatenate([np.array([shared], dtype=u64),
                              np.array([_flip(h, (1, 30, 50, 61)) for h in stored["c"][:, 40]], dtype=u64),
                              np.array([_flip(stored["a"][1, 3], (5, 6))], dtype=u64), _random(4, 71),
                              np.zeros(1, dtype=u64)])
    for chosen in ([2], [0], [0, 2], [2, 1, 1], [7], [1, 7]):
        alone = type(index)()
        for key, hashes in stored.items():
            kept = np.zeros_like(hashes)
            rows = [p for p in chosen if p < len(hashes)]
            kept[rows] = hashes[rows]
            alone.add(key, kept)
        # every stored hash of those planes (distance to each query, key, position)
        table = [(key, pos, h) for key, hashes in stored.items() for p in sorted(set(chosen)) if p < len(hashes)
                 for pos, h in enumerate(hashes[p]) if h != 0]
        values = np.array([h for _, _, h in table], dtype=u64)
        near = {q: sorted(zip(popcount64(values ^ value).tolist(), (t[0] for t in table), (t[1] for t in table)))
                for q, value in enumerate(queries) if value != 0}
        for k, radius in ((3, 12), (1, 0), (5, 64), (2000, 64)):
            mine = index.search(queries, k=k, radius=radius, planes=chosen)
            theirs = alone.search(queries, k=k, radius=radius)
            assert [(n.query, n.distance) for n in mine] == [(n.query, n.distance) for n in theirs]
            # ... filtered by the radius, nearest first, k a query
            expected = {q: [n for n in found if n[0] <= radius] for q, found in near.items()}
            assert [(n.query, n.distance) for n in mine] == [(q, n[0]) for q in expected for n in expected[q][:k]]
            within = {(q, *n) for q, found in expected.items() for n in found}
            assert all((n.query, n.distance, n.key, n.position) in within for n in mine)
    assert _triples(index.search(queries[:1], k=5, radius=0, planes=[2])) == [(0, "b", 9, 0)]
    assert _triples(index.search(queries[:1], k=5, radius=0, planes=[0])) == [(0, "a", 7, 0)]
    assert sorted(_triples(index.search(queries[:1], k=5, radius=0))) == [(0, "a", 7, 0), (0, "b", 9, 0)]
    assert index.search(queries, k=5, radius=64, planes=[3]) == []


def test_bad_planes_are_refused(index):
    index.add("a", np.stack([_random(5, 80), _random(5, 81)]))
    for planes in ([], [-1], [0, -2], [1.0], ["0"], "0", [True], 2, [None]):
        with pytest.raises(ValueError):
            index.search(_random(2, 82), k=1, radius=12, planes=planes)
    assert len(index.search(_random(2, 82), k=1, radius=64, planes=(np.int64(1),))) == 2


def test_the_numpy_scan_across_tiles_is_the_exhaustive_answer(monkeypatch):
    # Tiles smaller than the index and than the query batch, many equal distances: the k
    # nearest by (distance, packed row), as one XOR over every row gives them.
    from archive.provenance import index as module
    monkeypatch.setattr(module, "BLOCK", 37)
    monkeypatch.setattr(module, "QUERY_BLOCK", 3)
    rng = np.random.default_rng(90)
    small = rng.integers(0, 2**16, size=(2, 700), dtype=np.uint64)  # 16 bits set at most: ties galore
    index = NumpyHammingIndex()
    index.add("x", small)
    index.add("y", rng.integers(0, 2**16, size=(2, 500), dtype=np.uint64))
    index.search(small[0, :1], k=1, radius=0)
    packed = index._hashes
    queries = np.concatenate([small[0, :5], rng.integers(0, 2**16, size=4, dtype=np.uint64), [0]]).astype(np.uint64)
    for k, radius, planes in ((1, 64, None), (7, 3, None), (50, 5, None), (300, 64, None), (2000, 6, [1]), (9, 64, [0])):
        found = index.search(queries, k=k, radius=radius, planes=planes)
        expected = []
        lo, hi = (0, len(packed)) if planes is None else (int(index._bounds[planes[0]]), int(index._bounds[planes[0] + 1]))
        for q, value in enumerate(queries):
            if value == 0:
                continue
            d = popcount64(packed[lo:hi] ^ value).astype(np.int64)
            rows = np.flatnonzero(d <= radius)
            rows = rows[np.lexsort((rows, d[rows]))][:k]
            expected += [(q, index._keys[index._owner[lo + r]], int(index._position[lo + r]), int(d[r])) for r in rows]
        assert _triples(found) == expected
