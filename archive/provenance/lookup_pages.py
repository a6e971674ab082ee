"""What the reverse clip search page shows: its labels, in the reader's language."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from archive.provenance.services import EDITS

# A label for each of archive.provenance.services.EDITS (the page lists them in that order).
EDIT_LABELS = {
    "identical": lambda: _("Identical file"),
    "mirrored": lambda: _("Mirrored"),
    "speed_change": lambda: _("Speed changed"),
    "letterboxed": lambda: _("Bars above and below"),
    "pillarboxed": lambda: _("Bars left and right"),
    "cropped": lambda: _("Cropped"),
    # The whole picture, squeezed or stretched to another shape (anamorphic).
    "squeezed": lambda: _("Squeezed or stretched to another shape"),
    "resized": lambda: _("Resized"),
    "re_encoded": lambda: _("Re-encoded"),
    # The clip's video packets are the master's own (a cut or re-wrap by stream copy).
    "remuxed": lambda: _("The master's own video, cut or re-wrapped"),
}


def lookup_page() -> dict:
    """The page's settings and labels (the script renders the matches)."""
    limit = int(current_app.config["LOOKUP_MAX_BYTES"])
    labels = {
        "searching": _("Looking up %(name)s…"),
        "none": _("No master in the archive matches this clip."),
        "ambiguous": _("No single answer: these candidates match equally well (static or repeating "
                       "pictures, or the same footage in several assets)."),
        "confidence": _("Confidence"),
        "master": _("In the master"),
        "query": _("In your clip"),
        "open": _("Open in the player at this timecode"),
        "tied": _("Tied"),
        "speed": _("Speed ×%(speed)s"),
        "packets": _("%(found)s of %(compared)s video packets are the master's"),
        "sampled": _("The clip is long: only samples of it were compared."),
        "your_frame": _("Your clip"),
        "master_frame": _("The master"),
        # A match that is itself exported from another asset (the answer's `clip_of`).
        "clip": _("Exported clip"),
        "clip_of": _("Cut from “%(title)s”, also found."),
        "clip_of_other": _("Cut from another asset in the archive."),
        "in_clip": _("In the exported clip"),
        "clip_frame": _("The exported clip"),
        "failed": _("The lookup failed."),
        "edits": {code: EDIT_LABELS[code]() for code in EDITS},
    }
    # The page's language travels with the file (the browser's Accept-Language may name another).
    return {"labels": labels, "api": url_for("provenance_lookup.lookup", lang=str(get_locale() or "tr")),
            "max_mb": limit // (1024 * 1024),
            "credentials": url_for("provenance_lookup_pages.lookup_credentials")}
