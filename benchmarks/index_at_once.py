"""Findable at once: the time from a tus creation's 201 to the first search that finds the upload.

    .venv/bin/python benchmarks/index_at_once.py [--uploads 20]

One embedded archive (SQLite, tantivy, the file broker) in a temporary directory and a real
`ortak worker` beside it. Each upload is a `POST /api/v1/uploads` with a new title, then
searches by that title (as a colleague of the uploader's organisation) every 5 ms until one
finds it. Two ways, alternating upload by upload in the same run:

  at once    as shipped: the request writes the document right after its commit
             (archive.index_now), then sends the index task;
  task only  the request's own write switched off (`archive.indexing.write_now` answers 0):
             the index task alone, run by the worker, as before archive.index_now;

then `busy`: at once while another handle holds tantivy's writer (as a worker's long write or
`ortak reindex` would), the request giving up after SEARCH_WRITE_WAIT_MS and the worker's task
writing the document once the writer is free (released 2 s after the POST).
It prints, per way, the POST's own time and the time from its 201 to the first finding
search (median, min-max), and the ratios against `task only` measured in the same run.
Without a worker, `task only` never finds the upload; `at once` does not need one.

Measured (2 cores shared with other helpers' tests, load average 9-11, 20 uploads a way, 5 busy):

    way                   POST (median, min-max)     201 -> found (median, min-max)   found by search #
    at once         192.3 ms (109.7-390.4)  9.94x      16.2 ms (5.8-54.4)     0.009x   1-1
    task only        19.4 ms (6.2-47.5)     1.00x    1773.4 ms (1505.7-2472.0) 1.000x   61-140
    busy            531.9 ms (524.5-639.3) 27.48x    1880.3 ms (1614.5-2007.8) 1.060x   91-129

The first search after the 201 finds the upload every time (its 16 ms are that search's own);
the price is the request's own write, about one tantivy commit of the asset index (98 ms median
measured alone on this machine, the segment index's 18 ms) plus the document's queries. A busy
writer costs the POST the 500 ms wait and no more; the task finds the writer free later.
"""
from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import create_app, db  # noqa: E402
from archive.accounts import services as accounts  # noqa: E402
from search.tantivy_backend import TantivySearchBackend  # noqa: E402


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    out = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "archive.cli", "worker", "--concurrency", "1",
                             "--queues", "celery,media", "--no-beat"], env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while " ready." not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    return proc


def one_upload(client, producer: dict, colleague: dict, timeout: float = 30.0) -> tuple[float, float, int]:
    """(the POST's seconds, seconds from its 201 to the first search that finds it, the searches made)."""
    word = "q" + uuid.uuid4().hex[:10]
    meta = f"filename {b64(word + '.mp4')},title {b64('Bench ' + word)},language {b64('en')}"
    started = time.perf_counter()
    resp = client.post("/api/v1/uploads", headers={**producer, "Tus-Resumable": "1.0.0", "Upload-Length": "1000",
                                                   "Upload-Metadata": meta})
    answered = time.perf_counter()
    assert resp.status_code == 201, resp.get_data(as_text=True)
    asset_id = resp.headers["Ortak-Asset-Id"]
    searches = 0
    while True:
        searches += 1
        hits = client.get("/api/v1/search", query_string={"q": word}, headers=colleague).get_json()["hits"]
        if any(h["id"] == asset_id for h in hits):
            return answered - started, time.perf_counter() - answered, searches
        if time.perf_counter() - answered > timeout:
            raise SystemExit(f"{asset_id} not found after {timeout} s")
        time.sleep(0.005)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20, help="uploads per way (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ortak-bench-") as tmp:
        data = Path(tmp)
        env = {**os.environ, "ORTAK_DATA_DIR": str(data), "ORTAK_SECRET_KEY": "bench", "ORTAK_LOG_FORMAT": "text",
               "ORTAK_LOG_LEVEL": "INFO"}
        env.pop("ORTAK_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "archive.cli", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        app = create_app({"DATA_DIR": str(data), "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
        with app.app_context():
            s = db.session()
            accounts.create_organisation(s, "AzTV", "AZ")
            tokens = {}
            for role in ("producer", "broadcaster"):
                user = accounts.create_user(s, f"{role}@bench.example", "correct horse battery", "AzTV", role)
                tokens[role] = accounts.create_token(s, user)
            s.commit()
        producer = {"Authorization": f"Bearer {tokens['producer']}"}
        colleague = {"Authorization": f"Bearer {tokens['broadcaster']}"}
        client = app.test_client()
        worker = start_worker(env, data / "worker.log")
        try:
            one_upload(client, producer, colleague)  # warm both processes up
            results: dict[str, list[tuple[float, float, int]]] = {"at once": [], "task only": [], "busy": []}
            for _ in range(args.uploads):
                results["at once"].append(one_upload(client, producer, colleague))
                with mock.patch("archive.indexing.write_now", return_value=0):
                    results["task only"].append(one_upload(client, producer, colleague))
            for _ in range(max(3, args.uploads // 4)):
                # Another handle's writer, dropped (so its lock freed) 2 s after the POST starts.
                holder = TantivySearchBackend(app.config["SEARCH_DIR"])
                holding = [holder._acquire_writer(holder._open())]  # once the worker's last write is done
                release = threading.Timer(2.0, holding.clear)
                release.start()
                results["busy"].append(one_upload(client, producer, colleague))
                release.join()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        base_post = statistics.median(r[0] for r in results["task only"])
        base_find = statistics.median(r[1] for r in results["task only"])
        print(f"uploads per way: {args.uploads} (busy: {len(results['busy'])}), "
              f"SEARCH_WRITE_WAIT_MS {app.config['SEARCH_WRITE_WAIT_MS']}")
        print(f"{'way':10} {'POST':>28} {'201 -> found':>28}  POST/task-only  found/task-only  found by search #")
        for way, rows in results.items():
            posts, finds, searches = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
            print(f"{way:10} {summary(posts):>28} {summary(finds):>28}  {statistics.median(posts) / base_post:14.2f}"
                  f"  {statistics.median(finds) / base_find:15.3f}  {min(searches)}-{max(searches)}")


if __name__ == "__main__":
    main()
