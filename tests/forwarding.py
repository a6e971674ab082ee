"""A TCP forwarder for tests: another address to the same server (as a reverse proxy or a
published container port is), and a count of the bytes the server sends back through it."""
from __future__ import annotations

import socket
import threading


class Forwarder:
    """Accepts on a free loopback port (`port`) and pipes each connection to `target` (host,
    port), counting in `received` the bytes the target sends back. `buffer` (bytes): the
    socket buffers on the target's side of each connection, small so that a read abandoned
    part way (an open-ended `Range: bytes=N-`, as ffmpeg asks) counts what the reader took
    plus what was in flight, not all the loopback's megabytes of buffers would have soaked
    up; None leaves the system's."""

    def __init__(self, target: tuple[str, int], *, buffer: int | None = None):
        self.target = target
        self.buffer = buffer
        self.lock = threading.Lock()
        self.received = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._connection, args=(client,), daemon=True).start()

    def _connection(self, client: socket.socket) -> None:
        upstream = socket.socket()
        if self.buffer is not None:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.buffer)
            upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.buffer)
        upstream.settimeout(30)
        with client, upstream:
            try:
                upstream.connect(self.target)
            except OSError:
                return
            pipes = [threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True),
                     threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True)]
            for t in pipes:
                t.start()
            for t in pipes:
                t.join(timeout=60)

    def _pipe(self, src: socket.socket, dst: socket.socket, counted: bool) -> None:
        try:
            while data := src.recv(65536):
                if counted:
                    with self.lock:
                        self.received += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
