"""assets.error_code beside assets.error: the machine reason of each rejection and failure,
which the pages translate (archive.web.messages)."""
from __future__ import annotations

import contextlib

import pytest

from archive import db
from archive.assets.models import Asset
from archive.assets.services import asset_to_json
from archive.backends import storage
from archive.ingest import pipeline
from archive.ingest.pipeline import process_asset
from archive.storage.interfaces import StorageError


def _run(app, asset_id):
    with app.app_context():
        status = process_asset(asset_id)
    with app.test_request_context():  # the JSON names download URLs
        asset = db.session().get(Asset, asset_id)
        return status, asset.error_code, asset.error, asset_to_json(asset)


@pytest.mark.parametrize("fixture, code", [("truncated_video", "index_missing"), ("not_media", "not_media")])
def test_rejections_carry_their_code(app, add_asset, request, fixture, code):
    status, error_code, error, doc = _run(app, add_asset(request.getfixturevalue(fixture)))
    assert (status, error_code) == ("rejected", code) and error
    assert doc["error_code"] == code and doc["error"] == error


def test_an_empty_file_is_rejected_as_empty(app, add_asset, tmp_path):
    empty = tmp_path / "bos.mp4"
    empty.write_bytes(b"")
    assert _run(app, add_asset(empty))[:2] == ("rejected", "empty")


def test_a_missing_original_is_original_missing(app, add_asset, sample_image):
    asset_id = add_asset(sample_image)
    with app.app_context():
        storage().delete(db.session().get(Asset, asset_id).original_key)
    assert _run(app, asset_id)[:2] == ("failed", "original_missing")


def test_a_storage_outage_is_storage_error(app, add_asset, sample_image, monkeypatch):
    asset_id = add_asset(sample_image)

    @contextlib.contextmanager
    def unreachable(_asset):
        raise StorageError("the store did not answer")
        yield  # pragma: no cover

    monkeypatch.setattr(pipeline.renditions, "source_file", unreachable)
    status, code, error, _doc = _run(app, asset_id)
    assert (status, code) == ("failed", "storage_error") and "did not answer" in error


def test_our_own_fault_is_processing_error_and_a_later_success_clears_it(app, add_asset, sample_video, monkeypatch):
    import dataclasses

    from archive.media import commands
    from archive.media.profiles import PosterProfile

    asset_id = add_asset(sample_video)
    real = commands.OUTPUT_BUILDERS[PosterProfile]

    def broken(profile, probe, dst):
        part = real(profile, probe, dst)
        args = list(part.args)
        args[args.index("-c:v") + 1] = "no-such-encoder"
        return dataclasses.replace(part, args=tuple(args))

    monkeypatch.setitem(commands.OUTPUT_BUILDERS, PosterProfile, broken)
    assert _run(app, asset_id)[:2] == ("failed", "processing_error")
    monkeypatch.setitem(commands.OUTPUT_BUILDERS, PosterProfile, real)
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        asset.status = "processing"  # what a retry does (archive.ingest.recovery)
        asset.processing_started_at = None
        db.session().commit()
    status, code, error, doc = _run(app, asset_id)
    assert (status, code, error, doc["error_code"]) == ("ready", None, None, None)
