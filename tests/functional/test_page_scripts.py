"""The pages' scripts call the API through one shared script (archive/web/static/api.js,
window.OrtakApi): every page that loads a script using it loads api.js first, and no script
keeps a copy of the CSRF and fetch code."""
from __future__ import annotations

import re
from pathlib import Path

from tests.asset_factory import create_asset
from tests.functional.test_wrong_role import login

STATIC = Path(__file__).resolve().parents[2] / "archive"
USERS = ("basket_add.js", "upload.js", "baskets.js", "asset.js", "lookup.js", "player.js")


def _scripts(html: str) -> list[str]:
    return [m.rsplit("/", 1)[-1].split("?")[0] for m in re.findall(r'<script src="([^"]+)"', html)]


def test_pages_load_the_shared_caller_before_the_scripts_that_use_it(app, make_user):
    user_id, _token = make_user("producer", "AZ", org="İTV", email="p@itv.test")
    asset = create_asset(app, user_id, filename="halay.mp4")
    client = app.test_client()
    login(client, "p@itv.test")
    basket = client.post("/api/v1/baskets", json={"name": "Sepet"},
                         headers={"X-CSRFToken": re.search(r'<meta name="csrf-token" content="([^"]+)"',
                                                           client.get("/").get_data(as_text=True)).group(1)})
    assert basket.status_code == 201, basket.get_json()
    seen = set()
    pages = ("/upload", f"/assets/{asset}", "/baskets", f"/baskets/{basket.get_json()['id']}", "/provenance/lookup")
    for path in pages:
        resp = client.get(path)
        if resp.status_code == 404:
            continue
        assert resp.status_code == 200, path
        scripts = _scripts(resp.get_data(as_text=True))
        users = [s for s in scripts if s in USERS]
        if users:
            assert "api.js" in scripts and scripts.index("api.js") < min(scripts.index(s) for s in users), \
                (path, scripts)
            seen.update(users)
    assert set(USERS) <= seen


def test_no_page_script_keeps_its_own_copy_of_the_csrf_and_fetch_code():
    for name in USERS:
        path = next(STATIC.rglob(name))
        text = path.read_text()
        assert 'meta[name="csrf-token"]' not in text, name
        assert "OrtakApi" in text, name
    shared = (STATIC / "web" / "static" / "api.js").read_text()
    assert 'meta[name="csrf-token"]' in shared and "X-CSRFToken" in shared
