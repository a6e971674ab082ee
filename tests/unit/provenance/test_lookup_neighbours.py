"""The lookup's neighbour search: whole frames on every plane of the index, each off-centre
view on the one master plane it is verified on (`fingerprints.VIEW_PLANES`)."""
from __future__ import annotations

import numpy as np
import pytest

from archive.media import fingerprints
from archive.provenance import lookup
from archive.provenance.index import BACKENDS, IndexUnavailable, make_index


def _random(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63, size=shape, dtype=np.uint64) * 2 + 1


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_views_are_searched_on_their_verified_plane_and_whole_frames_on_every_plane(backend):
    try:
        index = make_index(backend)
    except IndexUnavailable:
        pytest.skip("faiss-cpu is not installed")
    master = _random((1 + len(fingerprints.CROPS), 40), 1)
    index.add("m", master)
    index.add("other", _random((1 + len(fingerprints.CROPS), 40), 2))
    settings = lookup.Settings()
    assert settings.view_every == 2 and fingerprints.VIEW_PLANES[:settings.search_views] == (2,) * 8
    views = 1 + len(fingerprints.CROPS)  # the first view's row in a query's planes
    normal = _random((views + len(fingerprints.VIEWS), 4), 3)
    mirrored = _random((views + len(fingerprints.VIEWS), 4), 4)
    normal[0, 1] = master[1, 20]  # a whole frame: found on the 90 % plane
    normal[views + 1, 2] = master[2, 9]  # a view of a searched frame (2), on the plane it is verified on
    normal[views + 3, 0] = master[0, 5]  # a view on the whole-frame plane: not looked up there
    normal[views + 4, 1] = master[2, 11]  # a view of a frame the search skips (view_every 2)
    normal[views + 9, 0] = master[1, 30]  # a 5 % crop's view: verified, not searched (search_views 8)
    query = lookup.query_hashes(np.arange(4) / 2, normal, mirrored, 2.0)
    found = lookup._neighbours(index, query, settings, mirrored=False)
    assert sorted((n.query, n.key, n.position, n.distance) for n in found if n.distance == 0) == \
        [(1, "m", 20, 0), (2, "m", 9, 0)]
    # every view searched on every plane finds the whole-frame plane's twin as well
    everything = index.search(fingerprints.view_rows(normal)[:8, ::2].reshape(-1), k=32, radius=0)
    assert {(n.key, n.position) for n in everything} == {("m", 9), ("m", 5)}
    mirrored[views + 1, 2] = master[2, 9]  # the mirrored views are searched alike
    query = lookup.query_hashes(np.arange(4) / 2, normal, mirrored, 2.0)
    assert [(n.query, n.position) for n in lookup._neighbours(index, query, settings, mirrored=True)
            if n.distance == 0] == [(2, 9)]
