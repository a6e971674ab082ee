"""Test doubles for the Elasticsearch backend, since Elasticsearch itself cannot run here.

- `ReplayServer` is a FAKE: a tiny HTTP server that expects, in order, the requests recorded in
  `es_fixtures/<operation>.json` and answers each with its recorded response. A request that
  differs (method, path, query string or JSON body) fails the test, so a change in what the
  backend sends shows up as a diff against the recording.
- `RecordingProxy` forwards to a live server (osmem-server here, or a real Elasticsearch) and
  writes those files; run `ORTAK_RECORD_ES=1 pytest tests/contract/test_search.py -k replay`.
- `PlainJsonNode`: osmem-server answers 406 to the client's `application/vnd.elasticsearch+json;
  compatible-with=9` media types, so against osmem the client sends plain `application/json`.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from elastic_transport import Urllib3HttpNode

FIXTURES = Path(__file__).parent / "es_fixtures"


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, **kw):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = headers[name].replace("vnd.elasticsearch+", "").split(";")[0]
        return super().perform_request(method, target, body=body, headers=headers, **kw)


def decode_body(raw: bytes):
    """JSON, NDJSON (bulk) as a list, or None."""
    if not raw:
        return None
    text = raw.decode()
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class _Server:
    def __init__(self, handler_cls):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self):
        self.server.owner.handle(self)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class ReplayServer(_Server):
    def __init__(self, exchanges: list[dict]):
        super().__init__(_Handler)
        self.expected = list(exchanges)
        self.mismatches: list[str] = []
        self.lock = threading.Lock()

    def handle(self, h: _Handler) -> None:
        got = {"method": h.command, "path": h.path, "body": decode_body(h._body())}
        with self.lock:
            want = self.expected.pop(0) if self.expected else None
        if want is None or {k: want[k] for k in got} != got:
            self.mismatches.append(f"unexpected request {json.dumps(got, ensure_ascii=False)}\n"
                                   f"         recorded {json.dumps(want, ensure_ascii=False)}")
            h._reply(500, json.dumps({"error": {"type": "replay_mismatch", "reason": "not recorded"}}))
            return
        h._reply(want["status"], want["response"])


class RecordingProxy(_Server):
    def __init__(self, target: str):
        super().__init__(_Handler)
        self.target = target
        self.exchanges: list[dict] = []

    def handle(self, h: _Handler) -> None:
        raw = h._body()
        req = urllib.request.Request(self.target + h.path, data=raw or None, method=h.command,
                                     headers={"Content-Type": h.headers.get("Content-Type", "application/json")
                                              .replace("vnd.elasticsearch+", "").split(";")[0]})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        self.exchanges.append({"method": h.command, "path": h.path, "body": decode_body(raw),
                               "status": status, "response": text})
        h._reply(status, text)
