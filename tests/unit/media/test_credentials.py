"""C2PA read and sign on real files made with ffmpeg lavfi, signed with a chain made here."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from archive.media import credentials as cr
from tests.c2pa_chain import make_chain


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("c2pa")
    out = {"mp4": d / "a.mp4", "jpg": d / "a.jpg", "mov": d / "a.mov", "mxf": d / "a.mxf"}
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i",
            "sine=duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            str(out["mp4"]))
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240", "-frames:v", "1", str(out["jpg"]))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-qp", "0",
            "-timecode", "10:00:00:00", str(out["mov"]))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "mpeg2video", str(out["mxf"]))
    return out


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return make_chain(tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="module")
def identity(chain):
    return cr.load_identity(str(chain.chain), str(chain.key))


def _manifest(action: str = "c2pa.opened") -> dict:
    return {"claim_generator_info": [{"name": "Ortak", "version": "test"}], "title": "x",
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                {"action": action, "parameters": {"ingredientIds": ["parent"]}} if action == "c2pa.opened" else
                {"action": action, "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"},
                {"action": "c2pa.transcoded"}]}},
                {"label": cr.ORTAK_ASSERTION, "data": {"signed_at": "2026-11-30T05:00:00+00:00", "asset_id": "a1"}}]}


@pytest.mark.parametrize("kind", ["mp4", "jpg", "mov"])
def test_signed_file_is_valid_and_trusted_only_against_its_anchor(files, identity, chain, tmp_path, kind):
    assert cr.read_file(str(files[kind])).state == "absent"
    dst = tmp_path / f"signed.{kind}"
    cr.sign_file(str(files[kind]), str(dst), identity=identity, manifest=_manifest("c2pa.created"))
    report = cr.read_file(str(dst))
    assert report.state == "valid" and report.reason is None
    [m] = report.manifests
    assert m.claim_generator.startswith("Ortak test")
    assert m.signer["common_name"] == "Ortak signer" and m.signer["alg"].lower() == "es256"
    assert [a["action"] for a in m.actions] == ["c2pa.created", "c2pa.transcoded"]
    assert m.time == "2026-11-30T05:00:00+00:00" and m.ortak["asset_id"] == "a1"
    assert cr.read_file(str(dst), trust_anchors=chain.root.read_text()).state == "trusted"
    other = make_chain(tmp_path / "other", org="Someone Else")
    assert cr.read_file(str(dst), trust_anchors=other.root.read_text()).state != "trusted"


def test_flipped_byte_is_invalid_with_the_reason(files, identity, tmp_path):
    dst = tmp_path / "signed.mp4"
    cr.sign_file(str(files["mp4"]), str(dst), identity=identity, manifest=_manifest("c2pa.created"))
    data = bytearray(dst.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    report = cr.read_file(str(tampered))
    assert report.state == "invalid"
    assert "assertion.bmffHash.mismatch" in report.reason
    assert "signingCredential.untrusted" not in report.reason  # the real failure is named, not the noise


def test_child_signed_with_parent_validates_both(files, identity, chain, tmp_path):
    master = tmp_path / "master.mp4"
    cr.sign_file(str(files["mp4"]), str(master), identity=identity, manifest=_manifest("c2pa.created"))
    clip = tmp_path / "clip.mp4"
    cr.sign_file(str(master), str(clip), identity=identity, manifest=_manifest(), parent=(str(master), "master.mp4"),
                 trust_anchors=chain.root.read_text())
    report = cr.read_file(str(clip), trust_anchors=chain.root.read_text())
    assert report.state == "trusted"
    assert [m.state for m in report.manifests] == ["trusted", "trusted"]
    child, parent = report.manifests
    assert child.ingredients == [{"title": "master.mp4", "format": "video/mp4", "relationship": "parentOf",
                                  "active_manifest": parent.label}]
    assert parent.actions[0]["action"] == "c2pa.created"


def test_mxf_is_not_writable_and_nothing_is_written(files, identity, tmp_path):
    dst = tmp_path / "out.mxf"
    with pytest.raises(cr.NotWritable) as err:
        cr.sign_file(str(files["mxf"]), str(dst), identity=identity, manifest=_manifest("c2pa.created"))
    assert "MXF" in err.value.reason.upper() and not dst.exists()
    assert cr.read_file(str(files["mxf"])).state in ("absent", "unsupported")


def test_mxf_master_can_be_a_parent(files, identity, tmp_path):
    clip = tmp_path / "clip.mov"
    cr.sign_file(str(files["mov"]), str(clip), identity=identity, manifest=_manifest(), parent=(str(files["mxf"]), "m.mxf"))
    report = cr.read_file(str(clip))
    assert report.state == "valid" and report.manifests[0].ingredients[0]["title"] == "m.mxf"


def test_not_media_is_absent_or_unsupported_never_raises(tmp_path):
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"not a video\n" * 1000)
    assert cr.read_file(str(junk)).state in ("absent", "unsupported", "invalid")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert cr.read_file(str(empty)).state in ("absent", "unsupported", "invalid")


def test_identity_errors_name_the_file(chain, tmp_path):
    with pytest.raises(cr.IdentityError, match="missing.pem"):
        cr.load_identity(str(tmp_path / "missing.pem"), str(chain.key))
    with pytest.raises(cr.IdentityError, match="not a PEM certificate"):
        cr.load_identity(str(chain.key), str(chain.key))
    other = make_chain(tmp_path / "o")
    with pytest.raises(cr.IdentityError, match="not the key of the first certificate"):
        cr.load_identity(str(chain.chain), str(other.key))


def test_unverified_reading_shows_the_chain_without_checking(files, identity, tmp_path):
    dst = tmp_path / "signed.mp4"
    cr.sign_file(str(files["mp4"]), str(dst), identity=identity, manifest=_manifest("c2pa.created"))
    data = bytearray(dst.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dst.write_bytes(bytes(data))
    report = cr.read_file(str(dst), verify=False)
    assert report.state == "unverified" and report.failures == []  # the damage is not looked for
    assert [m.state for m in report.manifests] == ["unverified"] and report.manifests[0].claim_generator
