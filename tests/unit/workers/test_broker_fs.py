"""The embedded broker across processes: every message delivered exactly once.

Stock kombu's filesystem transport lost messages in this same set-up (consumers read files
still being written); archive.broker_fs is what make_celery configures instead.
"""
import json
import subprocess
import sys
import textwrap

from kombu import Connection, Exchange, Queue

N = 300

CONSUMER = textwrap.dedent("""
    import json, sys, time
    from kombu import Connection, Exchange, Queue
    opts = json.loads(sys.argv[1])
    q = Queue("media", Exchange("media", "direct"), routing_key="media")
    got, deadline = [], time.monotonic() + 120
    with Connection(transport="archive.broker_fs:Transport", transport_options=opts) as conn:
        with conn.SimpleQueue(q) as sq:
            while time.monotonic() < deadline:
                try:
                    m = sq.get(timeout=0.2)
                except sq.Empty:
                    continue
                m.ack()
                if m.payload["i"] is None:  # the producer's "stop", sent after every message
                    break
                got.append(m.payload["i"])
    print(json.dumps(got))
""")


def test_two_consumer_processes_get_every_message_once(tmp_path):
    opts = {"data_folder_in": str(tmp_path / "q"), "data_folder_out": str(tmp_path / "q"),
            "processed_folder": str(tmp_path / "p"), "control_folder": str(tmp_path / "c"),
            "store_processed": False, "polling_interval": 0.05}
    for d in ("q", "p", "c"):
        (tmp_path / d).mkdir()
    consumers = [subprocess.Popen([sys.executable, "-c", CONSUMER, json.dumps(opts)], stdout=subprocess.PIPE)
                 for _ in range(2)]
    try:
        ex = Exchange("media", "direct")
        q = Queue("media", ex, routing_key="media")
        with Connection(transport="archive.broker_fs:Transport", transport_options=opts) as conn:
            producer = conn.Producer()
            for i in [*range(N), None, None]:
                producer.publish({"i": i}, exchange=ex, routing_key="media", declare=[q], serializer="json")
        received = []
        for c in consumers:
            out, _ = c.communicate(timeout=120)
            assert c.returncode == 0
            received += json.loads(out)
    finally:
        for c in consumers:
            if c.poll() is None:
                c.kill()
                c.communicate()
    assert sorted(received) == list(range(N))
    assert list((tmp_path / "q").iterdir()) == [] and list((tmp_path / "p").iterdir()) == []


def test_bindings_are_written_for_every_broker_folder(tmp_path):
    """Two folders used from one process (two apps, or tests): both get their routing file.

    Stock kombu remembers bindings per process and drops the second folder's message.
    """
    ex = Exchange("media", "direct")
    q = Queue("media", ex, routing_key="media")
    for name in ("one", "two"):
        base = tmp_path / name
        opts = {"data_folder_in": str(base / "q"), "data_folder_out": str(base / "q"),
                "processed_folder": str(base / "p"), "control_folder": str(base / "c")}
        for d in ("q", "p", "c"):
            (base / d).mkdir(parents=True)
        with Connection(transport="archive.broker_fs:Transport", transport_options=opts) as conn:
            conn.Producer().publish({"i": name}, exchange=ex, routing_key="media", declare=[q], serializer="json")
        assert len(list((base / "q").iterdir())) == 1, f"message to {name} was dropped as unroutable"
