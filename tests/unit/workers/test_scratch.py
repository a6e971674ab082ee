"""Scratch folders: one per process, removed once their process is gone, never while it runs."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from archive.scratch import Owner, _hostname, current_owner, owner_alive, process_dir, sweep_orphans

DAY = 24 * 3600


def _folder(data_dir, name: str, age: float = 0.0) -> str:
    path = os.path.join(data_dir, "tmp", name)
    os.makedirs(os.path.join(path, "ortak-proxy-x"), exist_ok=True)
    part = os.path.join(path, "ortak-proxy-x", "proxy.mp4")
    with open(part, "wb") as fh:
        fh.write(b"\0" * 1024)
    if age:
        old = time.time() - age
        for p in (part, os.path.dirname(part), path):
            os.utime(p, (old, old))
    return path


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not psutil.pid_exists(proc.pid) or psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE
    return proc.pid


def test_each_process_writes_in_its_own_named_folder(tmp_path):
    path = process_dir(str(tmp_path))
    owner = Owner.parse(os.path.basename(path))
    assert owner == current_owner() and owner.pid == os.getpid() and owner.host == _hostname()
    assert os.path.isdir(path) and owner_alive(owner)
    assert process_dir(str(tmp_path)) == path


def test_the_folder_of_a_dead_process_on_this_host_goes_at_once(tmp_path, dead_pid):
    dead = _folder(tmp_path, Owner(dead_pid, 12345, _hostname()).folder_name)
    mine = process_dir(str(tmp_path))
    removed = sweep_orphans(str(tmp_path), max_age=DAY)
    assert removed == [os.path.basename(dead)]
    assert not os.path.exists(dead) and os.path.isdir(mine)


def test_the_folder_of_an_exited_but_unreaped_process_goes(tmp_path):
    """A killed pool process can stay a zombie for a while (its new parent, a container's init,
    reaps when it will): it runs nothing, so its scratch is an orphan."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the child never exited"
            time.sleep(0.05)
        zombie = Owner(proc.pid, round(psutil.Process(proc.pid).create_time() * 100), _hostname())
        assert not owner_alive(zombie)
        folder = _folder(tmp_path, zombie.folder_name)
        assert sweep_orphans(str(tmp_path), max_age=DAY) == [os.path.basename(folder)]
    finally:
        proc.wait()


def test_a_reused_pid_is_told_apart_by_its_start_time(tmp_path):
    me = current_owner()
    stale = _folder(tmp_path, Owner(me.pid, me.start - 500, me.host).folder_name)
    live = _folder(tmp_path, me.folder_name, age=3 * DAY)  # old, but its process runs
    assert sweep_orphans(str(tmp_path), max_age=DAY) == [os.path.basename(stale)]
    assert os.path.isdir(live)


def test_another_hosts_folders_go_only_when_silent_for_max_age(tmp_path):
    busy = _folder(tmp_path, Owner(7, 100, "worker-b.example").folder_name, age=3 * DAY)
    with open(os.path.join(busy, "ortak-proxy-x", "proxy.mp4"), "ab") as fh:  # a transcode writing now
        fh.write(b"more")
    quiet = _folder(tmp_path, Owner(8, 100, "worker-b.example").folder_name, age=3 * DAY)
    young = _folder(tmp_path, Owner(9, 100, "worker-c.example").folder_name, age=60)
    assert sweep_orphans(str(tmp_path), max_age=DAY) == [os.path.basename(quiet)]
    assert os.path.isdir(busy) and os.path.isdir(young)


def test_folders_of_the_old_layout_go_by_age(tmp_path):
    old = _folder(tmp_path, "ortak-proxy-abc123", age=3 * DAY)
    new = _folder(tmp_path, "ortak-src-def456", age=60)
    stray = os.path.join(tmp_path, "tmp", "stray.part")
    with open(stray, "wb") as fh:
        fh.write(b"x")
    os.utime(stray, (time.time() - 3 * DAY,) * 2)
    assert sorted(sweep_orphans(str(tmp_path), max_age=DAY)) == ["ortak-proxy-abc123", "stray.part"]
    assert not os.path.exists(old) and os.path.isdir(new)


def test_nothing_to_sweep(tmp_path):
    assert sweep_orphans(str(tmp_path), max_age=DAY) == []


def test_failed_render_leaves_nothing(app, add_asset, sample_video, monkeypatch):
    """The `finally` path: a render that raises removes its own scratch at once."""
    from archive import db
    from archive.assets.models import Asset
    from archive.media import render
    from archive.media.profiles import renditions_for
    from archive.renditions import services

    class Exploding(render.Renderer):
        def render(self, jobs, src, **_kwargs):
            for profile, folder in jobs:
                with open(os.path.join(folder, profile.entry), "wb") as fh:
                    fh.write(b"partial")
            raise RuntimeError("encoder crashed")

    monkeypatch.setitem(render.RENDERERS, "ffmpeg", Exploding())
    asset_id = add_asset(sample_video)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        with pytest.raises(RuntimeError, match="encoder crashed"):
            services.make_renditions(s, asset, renditions_for("video"), lambda: str(sample_video), probe=None)
        mine = services.work_dir()
    assert os.listdir(mine) == []
