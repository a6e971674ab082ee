"""Still images (JPEG/PNG/TIFF): identify, check and make previews with Pillow.

Decompression bombs are refused: Pillow's `Image.MAX_IMAGE_PIXELS` (or a lower limit the
caller passes) bounds the decoded size, and going over it is a rejection, not a crash.
"""
from __future__ import annotations

import contextlib
import os
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from archive.media.probe import Rejected
from archive.media.profiles import ImagePreviewProfile

SUPPORTED = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "MPO": "image/jpeg"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    width: int  # as displayed, after EXIF orientation
    height: int
    mode: str
    orientation: int | None

    def to_dict(self) -> dict:
        return {"container": self.format.lower(), "kind": "image", "width": self.width, "height": self.height,
                "mode": self.mode, "exif_orientation": self.orientation, "content_type": self.content_type}


def identify(path: str) -> str | None:
    """The image format Pillow sees in the file's header ('PNG', 'JPEG', ...), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.format
    except Image.DecompressionBombError:
        return "BOMB"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _open_checked(path: str, max_pixels: int | None):
    limit = max_pixels if max_pixels is not None else Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns above the limit and raises at twice it; we refuse at the limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise _bomb(exc) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise Rejected("not_media", "This is not an audio, video or image file Ortak can read.") from exc
    if im.format not in SUPPORTED:
        im.close()
        raise Rejected("unsupported_image", f"{im.format} images are not supported; use JPEG, PNG or TIFF.")
    if limit and im.width * im.height > limit:
        pixels = im.width * im.height
        im.close()
        raise Rejected("too_large", f"The image is {pixels:,} pixels, more than the {limit:,} Ortak accepts "
                                    "(a very large or malicious image).")
    return im


_STRICT = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Decode with Pillow's truncated-image tolerance off, whatever the process set.

    `ImageFile.LOAD_TRUNCATED_IMAGES` is process-wide and WeasyPrint (co-production reports)
    turns it on when imported; a truncated master must still be refused here.
    """
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _bomb(exc: Exception) -> Rejected:
    return Rejected("too_large", f"The image is too large to decode safely ({exc}).")


def inspect_image(path: str, *, max_pixels: int | None = None) -> ImageInfo:
    """Check the image decodes completely; a Rejected with a reason otherwise."""
    if os.path.getsize(path) == 0:
        raise Rejected("empty", "The file is empty (0 bytes).")
    im = _open_checked(path, max_pixels)
    with im:
        fmt = im.format
        orientation = im.getexif().get(0x0112)
        try:
            with _strict_decoding():
                im.load()
        except Image.DecompressionBombError as exc:
            raise _bomb(exc) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise Rejected("truncated", "The image is incomplete or damaged and cannot be decoded "
                                        f"({exc}). Upload the complete file again.") from exc
        width, height = im.size
        if orientation in (5, 6, 7, 8):  # rotated by 90°: displayed the other way round
            width, height = height, width
        return ImageInfo(format=fmt, content_type=SUPPORTED[fmt], width=width, height=height,
                         mode=im.mode, orientation=orientation)


def make_preview(src: str, dst: str, profile: ImagePreviewProfile, *, max_pixels: int | None = None) -> tuple[int, int]:
    """Write a poster-sized JPEG of `src` to `dst`, upright per EXIF; return its size."""
    im = _open_checked(src, max_pixels)
    with im:
        try:
            with _strict_decoding():
                im.load()
            upright = ImageOps.exif_transpose(im)
            if getattr(upright, "n_frames", 1) > 1:
                upright.seek(0)
            if upright.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit/float TIFF scans
                upright = upright.point(lambda v: v * (1 / 256)).convert("L")
            if upright.mode in ("RGBA", "LA", "P", "PA"):
                upright = _flatten(upright)
            elif upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.thumbnail((profile.max_width, profile.max_height), Image.Resampling.LANCZOS)
            upright.save(dst, "JPEG", quality=profile.jpeg_quality, optimize=True, progressive=True)
            return upright.size
        except (OSError, ValueError, SyntaxError) as exc:
            raise Rejected("truncated", f"The image is damaged and cannot be decoded ({exc}).") from exc


def _flatten(im: Image.Image) -> Image.Image:
    # JPEG has no alpha: composite on white, as a viewer would show a transparent PNG.
    rgba = im.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
