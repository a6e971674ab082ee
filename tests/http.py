"""What the API tests check of every answer: the bearer header, and the one error shape."""
from __future__ import annotations

ERROR_KEYS = {"code", "message", "details"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_error(resp, status: int, code: str | None = None) -> dict:
    """The `error` object of a Flask test-client answer that must be `status` (and `code`)."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    body = resp.get_json()
    assert set(body["error"]) == ERROR_KEYS, body
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]
