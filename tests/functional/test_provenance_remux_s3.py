"""The remux check (`archive.provenance.remux`) when the master's original is not a local file.

On a real S3 store (SeaweedFS, tests/seaweed.py; skipped as the storage contract tests skip
when `weed` is missing) ffmpeg reads the original through a presigned URL, seeking with range
requests: a `-c copy` excerpt looked up through `POST /api/v1/provenance/lookup` is answered
`remuxed` with its packets compared, also when S3_PUBLIC_ENDPOINT names an address only
browsers reach, and only a part of the original crosses the wire. An original gone from the
bucket, or a store offering neither a local path nor a URL, leaves the answer `re_encoded`
with a logged warning (never a 500, never a signed URL in the log).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from archive import create_app, db
from archive.assets.models import Asset
from archive.backends import storage
from archive.media import commands, fingerprints
from archive.media.probe import inspect_media
from archive.media.profiles import FINGERPRINTS
from archive.media.runner import run
from archive.storage.local import LocalBlobStorage
from tests.forwarding import Forwarder
from tests.functional.test_provenance_remux import store_indexed
from tests.functional.test_provenance_lookup import _ffmpeg, _picture, _post, people  # noqa: F401

CLIP_IN = 4  # seconds: where the excerpt is cut from the master


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A 20 s 320x180 master (H.264 in MP4, its index at the end: reading it over HTTP needs a
    range request near the end before the span is read), and 8 s of it from 4 s, stream-copied
    into Matroska as `ffmpeg -ss 4 -t 8 -i master.mp4 -c copy clip.mkv` makes it."""
    d = tmp_path_factory.mktemp("remux-s3")
    master = _picture(d / "master.mp4", "whole", 20)
    _ffmpeg("-ss", str(CLIP_IN), "-t", "8", "-i", str(master), "-c", "copy", str(d / "clip.mkv"))
    return {"master": master, "clip": d / "clip.mkv"}


@pytest.fixture(scope="module")
def prints(media, tmp_path_factory):
    """The master's probe and fingerprints rendition (its files), made once."""
    tmp = tmp_path_factory.mktemp("prints-s3")
    probe = inspect_media(str(media["master"]), timeout=60)
    parts = commands.output_parts(FINGERPRINTS, probe, str(tmp), str(tmp))
    run(commands.one_decode_command(str(media["master"]), probe, parts), timeout=120)
    count = fingerprints.hash_file(parts[0].target, str(tmp / "phash.bin"), aspect=probe.display_aspect,
                                   colour_dst=str(tmp / fingerprints.COLOUR_ENTRY))
    layout = fingerprints.layout(count, FINGERPRINTS.rate, aspect=probe.display_aspect)
    return probe.to_dict(), {"phash.bin": (tmp / "phash.bin").read_bytes(),
                             fingerprints.LAYOUT_ENTRY: json.dumps(layout).encode(),
                             fingerprints.COLOUR_ENTRY: (tmp / fingerprints.COLOUR_ENTRY).read_bytes()}


def _indexed(app, media, prints, people) -> str:
    """The master stored (original and fingerprints) in `app`'s store as a ready asset; its id."""
    return store_indexed(app, people["producer"], media["master"], *prints)


def _top(app, people, path: Path, asset_id: str) -> dict:
    r = _post(app.test_client(), path, people["h"], raw=True)
    assert r.status_code == 200, r.get_json()
    matches = r.get_json()["matches"]
    assert matches and matches[0]["asset_id"] == asset_id, matches
    return matches[0]


@pytest.fixture
def s3_app(app_config, s3_config):
    """make(**overrides) -> an app whose blobs are in a fresh bucket of the SeaweedFS server."""
    made = []

    def make(**overrides):
        made.append(create_app({**app_config, **s3_config, **overrides}))
        return made[-1]

    yield make
    for app in made:
        app.extensions["ortak.db"].dispose()


def _assert_remuxed(top: dict) -> None:
    assert top["edits"] == ["remuxed"], top
    packets = top["packets"]
    # 8 s at 25 fps, every packet the master's: nothing was lost reading it over HTTP.
    assert packets["compared"] >= 190 and packets["found"] == packets["compared"], packets
    assert packets["bytes_found"] == 1.0 and packets["sampled"] is False, packets
    assert abs(top["in"] - CLIP_IN) <= 0.6, top


@pytest.mark.s3
def test_on_s3_a_stream_copy_excerpt_is_remuxed(s3_app, media, prints, people):
    app = s3_app()
    asset_id = _indexed(app, media, prints, people)
    with app.app_context():
        key = db.session().get(Asset, asset_id).original_key
        assert storage().local_path(key) is None  # the original is only in the bucket
    _assert_remuxed(_top(app, people, media["clip"], asset_id))


@pytest.mark.s3
def test_on_s3_behind_a_public_endpoint_the_check_reads_the_internal_one(s3_app, media, prints, people):
    """S3_PUBLIC_ENDPOINT names the address browsers fetch from (a name that does not even
    resolve in here); ffmpeg runs in here and must be sent to S3_ENDPOINT."""
    app = s3_app(S3_PUBLIC_ENDPOINT="https://media.ortak.invalid")
    asset_id = _indexed(app, media, prints, people)
    _assert_remuxed(_top(app, people, media["clip"], asset_id))


@pytest.mark.s3
def test_on_s3_only_a_part_of_the_original_is_read(s3_app, s3_server, media, prints, people):
    """ffmpeg seeks with range requests: the lookup of a 3 s excerpt from the middle of the
    master moves well under the whole original from the store (its fingerprints included)."""
    host, port = s3_server.endpoint.rsplit(":", 1)
    fwd = Forwarder((host, int(port)), buffer=32 * 1024)
    try:
        app = s3_app(S3_ENDPOINT=f"http://127.0.0.1:{fwd.port}")
        asset_id = _indexed(app, media, prints, people)
        short = media["clip"].with_name("short.mkv")
        _ffmpeg("-ss", "9", "-t", "3", "-i", str(media["master"]), "-c", "copy", str(short))
        before = fwd.received
        top = _top(app, people, short, asset_id)
        read = fwd.received - before
    finally:
        fwd.close()
    assert top["edits"] == ["remuxed"] and top["packets"]["found"] == top["packets"]["compared"] >= 50, top
    size = media["master"].stat().st_size
    # Measured 0.52-0.58 of the file (its open-ended first range pushes what the socket holds
    # before ffmpeg drops it, which load changes); reading it whole is 1.0 or more.
    assert read < 0.9 * size, (read, size)


@pytest.mark.s3
def test_on_s3_an_original_gone_from_the_bucket_is_answered_re_encoded(s3_app, media, prints, people, caplog):
    app = s3_app()
    asset_id = _indexed(app, media, prints, people)
    with app.app_context():
        storage().delete(db.session().get(Asset, asset_id).original_key)
    with caplog.at_level(logging.WARNING, logger="archive.provenance.remux"):
        top = _top(app, people, media["clip"], asset_id)
    assert top["edits"] == ["re_encoded"] and top["packets"] is None, top
    assert "remux check" in caplog.text and asset_id in caplog.text
    assert "X-Amz-Signature" not in caplog.text and "X-Amz-Credential" not in caplog.text, caplog.text


class NeitherStore(LocalBlobStorage):
    """Blobs on a disk this process cannot see, and no URL for them: a store that offers
    ffmpeg neither a path nor a presigned URL."""

    def local_path(self, key: str) -> str | None:
        super().local_path(key)
        return None


def test_a_store_offering_neither_path_nor_url_answers_re_encoded(app, media, prints, people, caplog):
    app.extensions["ortak.storage"] = NeitherStore(app.extensions["ortak.storage"].root)
    asset_id = _indexed(app, media, prints, people)
    with caplog.at_level(logging.WARNING, logger="archive.provenance.remux"):
        top = _top(app, people, media["clip"], asset_id)
    assert top["edits"] == ["re_encoded"] and top["packets"] is None, top
    assert "remux check" in caplog.text and asset_id in caplog.text
    assert "neither" in caplog.text

