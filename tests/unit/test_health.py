def test_healthz_all_ok(client):
    resp = client.get("/healthz")
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert set(body["checks"]) == {"database", "storage", "search", "queue"}
    assert all(c["ok"] for c in body["checks"].values())


def test_healthz_reports_a_dead_queue(app_config):
    from archive import create_app

    app = create_app({**app_config, "BROKER_URL": "redis://127.0.0.1:1/0"})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["queue"]["ok"] is False
    assert resp.get_json()["checks"]["database"]["ok"] is True
    app.extensions["ortak.db"].dispose()
