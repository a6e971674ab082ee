"""Share links, trial 2026-12-01 (second round): what a link's page gives away and what its
`max_downloads` bounds. Viewing the page (poster, player) is no download; a Range that
continues a file is bounded by the bytes the link's counted downloads allow; the zip follows
the same rule; what leaves by a link names people without their e-mail address."""
from __future__ import annotations

import io
import json
import zipfile

from tests.functional.test_baskets_api import USE, _build
from tests.functional.test_share_links import ORIGINAL, _fresh, _share
from tests.functional.test_share_links import asset, people  # noqa: F401  (fixtures)


def test_the_zip_manifest_names_the_requester_without_their_email(app, client, people, asset):  # noqa: F811
    """Trial: `unzip -p sz.zip manifest.json` through a share link showed `"requested_by":
    "bc@trt.tr"` to an anonymous visitor. The manifest names who asked by display name and
    organisation only, for every reader of the zip."""
    h = people["trt"]["h"]
    bid = client.post("/api/v1/baskets", json={"name": "Reel"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset}, headers=h).status_code == 201
    _, url = _share(client, h, basket_id=bid, renditions=["original"], declaration=USE)
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=h).status_code == 202
    assert _build(app, bid) == "ready"
    r = _fresh(app).get(f"{url}/zip")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        raw = z.read("manifest.json").decode() + z.read("manifest.csv").decode()
        manifest = json.loads(z.read("manifest.json"))
    assert "@" not in raw, raw[:400]
    assert manifest["requested_by"] == {"name": None, "organisation": {"name": "TRT", "country": "TR"}}
