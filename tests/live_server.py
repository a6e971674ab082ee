"""`live_server`: the Flask app served over real HTTP on a free loopback port.

Werkzeug's threaded server runs in a background thread of the test process, so tests can
look at the database, storage and memory of the server directly. `stop()` and `start()`
(or `restart(new_app)`) keep the port, so URLs a client stored stay valid across a
restart; pass a freshly made app to simulate a new server process (empty caches).
"""
from __future__ import annotations

import socket
import threading

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from archive.api.limits import JsonErrorRequestHandler


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    host = "127.0.0.1"

    def __init__(self, app: Flask, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> "LiveServer":
        if self._server is not None:
            return self
        # Refusals of the server itself (over-long lines, too many headers) in the JSON shape too.
        self._server = make_server(self.host, self.port, self.app, threaded=True,
                                   request_handler=JsonErrorRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"live-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def restart(self, app: Flask | None = None) -> "LiveServer":
        self.stop()
        if app is not None:
            self.app = app
        return self.start()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()
