"""Pillow previews for JPEG/PNG/TIFF, EXIF orientation, damaged files and decompression bombs."""
import pytest
from PIL import Image

from archive.media import images
from archive.media.probe import Rejected
from archive.media.profiles import IMAGE_POSTER as POSTER


def _jpeg_with_orientation(path, orientation):
    im = Image.new("RGB", (400, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    im.save(path, "JPEG", exif=exif)
    return path


def test_png_preview(sample_image, tmp_path):
    info = images.inspect_image(str(sample_image))
    assert (info.format, info.width, info.height, info.content_type) == ("PNG", 800, 600, "image/png")
    out = tmp_path / "p.jpg"
    assert images.make_preview(str(sample_image), str(out), POSTER) == (800, 600)  # never upscaled
    with Image.open(out) as im:
        assert im.format == "JPEG" and im.size == (800, 600)


def test_exif_orientation_is_applied(tmp_path):
    src = _jpeg_with_orientation(tmp_path / "phone.jpg", 6)  # rotated 90° clockwise on display
    info = images.inspect_image(str(src))
    assert (info.width, info.height, info.orientation) == (200, 400, 6)
    out = tmp_path / "p.jpg"
    assert images.make_preview(str(src), str(out), POSTER) == (200, 400)
    with Image.open(out) as im:
        assert im.size == (200, 400)


def test_large_tiff_and_alpha_png_are_scaled_and_flattened(tmp_path):
    tiff = tmp_path / "scan.tif"
    Image.new("I;16", (3000, 2000), 40000).save(tiff, "TIFF")
    out = tmp_path / "t.jpg"
    assert images.make_preview(str(tiff), str(out), POSTER) == (1080, 720)
    png = tmp_path / "logo.png"
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(png)
    images.make_preview(str(png), str(out), POSTER)
    with Image.open(out) as im:
        assert im.mode == "RGB" and im.getpixel((10, 10)) == (255, 255, 255)  # transparent → white


@pytest.mark.parametrize("tolerant", [False, True], ids=["strict", "tolerant-process"])
def test_truncated_jpeg_is_rejected(tmp_path, monkeypatch, tolerant):
    # WeasyPrint (co-production reports) sets Pillow's process-wide truncated-image tolerance.
    from PIL import ImageFile
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant)
    full = tmp_path / "full.jpg"
    Image.effect_noise((600, 400), 60).convert("RGB").save(full, "JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[:3000])
    with pytest.raises(Rejected) as info:
        images.inspect_image(str(cut))
    assert info.value.code == "truncated" and "incomplete or damaged" in info.value.reason
    with pytest.raises(Rejected) as info:
        images.make_preview(str(cut), str(tmp_path / "p.jpg"), POSTER)
    assert info.value.code == "truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is tolerant  # restored for the library that set it


def test_decompression_bomb_is_rejected(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (4000, 4000)).save(bomb)  # tiny on disk, 16 Mpx decoded
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    for call in (lambda: images.inspect_image(str(bomb)),
                 lambda: images.make_preview(str(bomb), str(tmp_path / "x.jpg"), POSTER)):
        with pytest.raises(Rejected) as info:
            call()
        assert info.value.code == "too_large"
    assert images.identify(str(bomb)) in ("PNG", "BOMB")


def test_unsupported_and_non_images(tmp_path, not_media):
    gif = tmp_path / "a.gif"
    Image.new("P", (10, 10)).save(gif)
    with pytest.raises(Rejected) as info:
        images.inspect_image(str(gif))
    assert info.value.code == "unsupported_image"
    assert images.identify(str(not_media)) is None
    empty = tmp_path / "e.png"
    empty.write_bytes(b"")
    with pytest.raises(Rejected) as info:
        images.inspect_image(str(empty))
    assert info.value.code == "empty"
