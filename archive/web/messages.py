"""Service codes made readable in the page's language: the one table for templates and scripts.

The services speak English and attach a machine code: `assets.error_code` beside
`assets.error` (a `Rejected.code` of `archive.media`, or a failure code of
`archive.ingest.pipeline`), the `code` of an API error, and the `code` of each entry of an
invalid-metadata error's `details.errors` (`{"field", "code", "message", "params"}`).
Pages translate by code; a code this table does not know keeps the English text, so a new
code is untranslated, never lost. The scripts get the same table through `script_catalogue()`
(a JSON data attribute) and fill placeholders the same way as `fill()` here.

Templates use Python's named placeholders, `%(limit)s`. Parameters are formatted for the page
(numbers with the locale's digit grouping, choices by their labels) before they are filled in.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol
from flask_babel import format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l

from archive.api.params import PARAMETER_SENTENCES
from archive.web.forms import COUNTRY_LABELS, GENRE_LABELS, LANGUAGE_LABELS
from archive.web.i18n import format_decimal_size
from archive.web.present import FIELD_LABELS, PERSON_UNNAMED, STATUS_LABELS

# Why an asset was rejected (the file's fault) or failed (ours). Source of the codes: every
# `Rejected(code, ...)` in archive/media (a test checks that each has a row here), the failure
# codes of archive.ingest.pipeline, and the sweeper's `attempts_exhausted`.
ASSET_ERRORS = {
    "empty": _l("The file is empty (0 bytes)."),
    "not_media": _l("This is not an audio, video or image file Ortak can read."),
    "truncated": _l("The file is incomplete: it ends before its media data does. Upload the whole file again."),
    "index_missing": _l("The file is incomplete: its MP4/MOV index is missing, which usually means the upload or "
                        "the recording was cut off. Upload the whole file again."),
    "corrupt": _l("The file is damaged: its audio or video cannot be decoded."),
    "unreadable": _l("The file could not be read as media."),
    "no_streams": _l("The file has neither a video nor an audio stream."),
    "unsupported_image": _l("This image format is not supported; use JPEG, PNG or TIFF."),
    "too_large": _l("The image is too large to decode safely."),
    "unsupported_codec": _l("The file's video or audio is in a format Ortak cannot decode."),
    "original_missing": _l("The original file is missing from storage."),
    "storage_error": _l("Storage could not be read or written. The file itself may be fine; processing can be run again."),
    "processing_error": _l("Ortak's processing stopped with an error. The file itself may be fine."),
    "attempts_exhausted": _l("Processing was started several times and never finished."),
}

# Why a search could not be run (search.interfaces.QueryError.code).
QUERY_ERRORS = {
    "no_searchable_text": _l("The search has no letter or digit to look for. Type a word, a name or a number; "
                             "symbols and emoji alone are not searched."),
    "invalid_query": _l("The search could not be understood: %(reason)s"),
}
# What an `invalid_query` a page can meet says, whole, in the page's language (QueryError.reason).
QUERY_REASONS = {
    "dates_reversed": _l("The recording date range ends before it starts."),
    "invalid_date": _l("A recording date is a year, a month or a day of the calendar: 1975, 1975-06 or 1975-06-21."),
    "too_deep": _l("Results past the first %(limit)s are not shown; narrow the search."),
    "unknown_filter": _l("There is no filter named “%(name)s”."),
    "too_many_values": _l("A filter takes at most %(limit)s values."),
}

# One entry of `details.errors` of an invalid-metadata error (the field error codes of
# archive.assets.schemas). `%(field)s` is the field's label, e.g. "Title (tr)".
FIELD_ERRORS = {
    "not_text": _l("%(field)s must be text."),
    "too_long": _l("%(field)s can be at most %(limit)s characters long (it has %(length)s)."),
    "not_an_object": _l("%(field)s must be given per language (tr, az, en)."),
    "unknown_language": _l("%(field)s: “%(language)s” is not one of the languages tr, az, en."),
    "not_a_list": _l("%(field)s must be a list of at most %(max_items)s entries."),
    "invalid_choice": _l("%(field)s must be one of: %(choices)s."),
    "invalid_date": _l("%(field)s must be a real date written YYYY, YYYY-MM or YYYY-MM-DD."),
    "date_out_of_range": _l("%(field)s must lie between %(min)s and %(max)s."),
    "unknown_language_code": _l("%(field)s: these are not language codes: %(values)s."),
    "empty_title": _l("Give a title in at least one language."),
    "unknown_field": _l("Unknown fields: %(fields)s."),
    # Reported alone by the assets service when an administrator names an unknown organisation.
    "organisation_not_found": _l("%(field)s: there is no organisation of that name."),
    # Rights blocks and usage declarations (archive.rights.schemas, archive.access.declarations).
    "required": _l("%(field)s is required."),
    "empty": _l("%(field)s is empty."),  # a marker's text of nothing but spaces
    "unknown_territory": _l("%(field)s: not an ISO 3166-1 country code (such as TR, AZ) or WORLD."),
    "unknown_platform": _l("%(field)s: not a platform Ortak knows."),
    "unknown_country": _l("%(field)s: not an ISO 3166-1 country code such as TR or AZ."),
    "unknown_organisation": _l("%(field)s: there is no organisation of that name."),
    "window_reversed": _l("%(field)s is before the start."),
    "no_licensees": _l("Name at least one licensee: an organisation, a country, or all members."),
    "segment_outside_asset": _l("%(field)s is outside the asset (before its start or past its end)."),
    "segment_reversed": _l("%(field)s must come after the segment's start."),
    "invalid_timecode": _l("%(field)s must be a timecode such as 00:01:00.000."),
    "date_in_past": _l("%(field)s is in the past: declare planned air dates from today (%(today)s)."),
    "invalid_territory": _l("%(field)s: not an ISO 3166-1 country code (such as TR, AZ) or WORLD."),
    # Clips (archive.clips.schemas) and the one declaration reader.
    "invalid_seconds": _l("%(field)s must be a number of seconds from the start, 0 or more."),
    "out_of_range": _l("%(field)s is past the end of the master (%(max)s)."),
    "before_start": _l("%(field)s is before the start of the master (%(min)s)."),
    "out_before_in": _l("The out point must come after the in point."),
    "declared_twice": _l("Declare the use once: in the address or in the form, not both."),
    "declared_by_link": _l("The use was declared when this link was made; declare nothing else."),
    "declaration_without_original": _l("A usage declaration goes with a link that shares originals."),
    # Any free text (archive.validation.disguise_error): `%(characters)s` are code points, U+202E...
    "forbidden_characters": _l("%(field)s contains invisible characters that can make text read differently from "
                               "how it is stored (%(characters)s); remove them."),
}

# An `invalid_timecode` whose label is well formed but has a field out of its range
# (`params.reason` of archive.media.timecode.TimecodeError): the field named with its range.
TIMECODE_REASONS = {
    "hours_out_of_range": _l("%(field)s: the hours are %(value)s; hours run from 00 to %(max)s."),
    "minutes_out_of_range": _l("%(field)s: the minutes are %(value)s; minutes run from 00 to %(max)s."),
    "seconds_out_of_range": _l("%(field)s: the seconds are %(value)s; seconds run from 00 to %(max)s."),
    "frame_out_of_range": _l("%(field)s: frame %(value)s does not exist; at this frame rate frames run from 00 to "
                             "%(max)s."),
    "drop_frame_rate": _l("%(field)s: drop-frame timecode (;) exists only at 29.97 and 59.94 frames a second."),
    "dropped_label": _l("%(field)s: drop-frame counting skips this label."),
    "drop_frame_mismatch": _l("%(field)s: use the master's own kind of timecode (; for drop-frame, : otherwise)."),
}

# Why the avails engine decided as it did (`reasons[].code` of archive.rights.avails and the
# rights policy); `%(scope)s` is the part of the request concerned, `%(blocks)s` block ids.
RIGHTS_REASONS = {
    "cleared": _l("Cleared by rights block %(blocks)s."),
    "own_asset": _l("Your organisation contributed this asset; it may always use it."),
    "admin": _l("Administrators may read every asset."),
    "restricted": _l("Restriction %(blocks)s forbids this use for %(scope)s."),
    "not_covered": _l("No grant clears this use for %(scope)s."),
    "held_back": _l("A holdback keeps this use back for %(scope)s."),
    "preview_only": _l("Rights block %(blocks)s allows previews only."),
    "clip_too_long": _l("Rights block %(blocks)s allows clips of at most %(max_clip_seconds)s seconds."),
    "declaration_required": _l("Declare the use first: platform, territory, air dates, purpose and programme."),
    "not_a_licensee": _l("Previews of this asset are for its licensees."),
}

# A grant that would clear the use but for its window (`windows` of a `not_covered` reason).
RIGHTS_WINDOWS = {
    "ended": _l("Grant %(block)s ended on %(day)s."),
    "not_started": _l("Grant %(block)s starts on %(day)s."),
}

# Why a subtitle file was refused (`details.reason` of an `invalid_subtitles`,
# archive.transcripts.parse.REASONS; a test checks each has a row), with the line of the fault.
SUBTITLE_REASONS = {
    "not_utf8": _l("The file is not UTF-8 text: line %(line)s holds a byte that is not UTF-8. Save it as UTF-8 and "
                   "send it again."),
    "srt_cue": _l("Line %(line)s is not part of an SRT cue (a number, a timing line such as "
                  "00:00:01,000 --> 00:00:02,000, then the text)."),
    "srt_timestamp": _l("Line %(line)s has a timing that is not an SRT timestamp (00:00:01,000 --> 00:00:02,000)."),
    "vtt_file": _l("The file is not WebVTT: its first line must be WEBVTT."),
    "vtt_cue": _l("Line %(line)s holds a WebVTT cue that cannot be read (its timing reads "
                  "00:00:01.000 --> 00:00:02.000, and an empty line ends it)."),
    "no_cues": _l("The file holds no subtitle cue."),
    "too_many_cues": _l("The file holds more than %(limit)s cues."),
    "cue_reversed": _l("Cue %(cue)s, on line %(line)s, ends before it starts: the cues' times are out of order."),
    "forbidden_characters": _l("Cue %(cue)s on line %(line)s holds characters that can disguise its text "
                               "(%(characters)s)."),
    "cue_past_end": _l("Cue %(cue)s, on line %(line)s, starts after the end of the recording (%(seconds)s s): "
                       "is this file for another cut?"),
    # A file over the limit (413 `body_too_large`, details.limit in bytes).
    "too_large": _l("The file is larger than the %(limit)s a subtitle file may be."),
}

# The `code` of an API error as the pages' scripts meet it (uploads, metadata edits).
API_ERRORS = {
    "unauthenticated": _l("You are no longer logged in. Log in again, then upload the file again: it resumes "
                          "where it stopped."),
    "forbidden": _l("You are not allowed to do this."),
    # Filled by `wrong_role()` (action and roles said with their labels); these are its fallbacks.
    "wrong_role": _l("Only %(roles)s may do this; your account is %(role)s."),
    "csrf_failed": _l("The page has expired. Reload it and try again."),
    "upload_too_large": _l("This file is larger than the limit of %(limit)s."),
    "exceeds_upload_length": _l("The server received more data than the file's size; start the upload again."),
    "empty_upload": _l("The file is empty (0 bytes)."),
    "invalid_metadata": _l("Some details are not valid; see the marked fields."),
    "unknown_field": _l("Some details are not valid; see the marked fields."),
    "metadata_too_long": _l("The title and description are too long to send with the upload; shorten them and "
                            "add the rest on the asset page."),
    "admin_only_field": _l("Only an administrator may set the organisation or country."),
    "upload_expired": _l("This upload has expired; start it again."),
    "upload_not_found": _l("The server no longer knows this upload; start it again."),
    "checksum_mismatch": _l("Part of the file arrived damaged; press Upload to send it again."),
    "storage_failed": _l("The server could not store the file just now; press Upload to try again."),
    "not_allowed_to_edit": _l("Only the producers and rights managers of the asset's organisation, or an "
                              "administrator, may edit this asset."),
    "too_many_requests": _l("Too many attempts; wait a moment and try again."),
    "invalid_parameter": _l("A value in the address is not valid."),
    "exclusive_conflict": _l("This exclusive grant overlaps another licensee's exclusive grant %(blocks)s."),
    "not_rights_manager": _l("Only a rights manager of the asset's organisation or an administrator may change "
                             "its rights."),
    "rights_denied": _l("Your organisation is not cleared for this use."),
    "declaration_required": RIGHTS_REASONS["declaration_required"],
    "source_not_ready": _l("Only an asset that is ready can be clipped; this one is still being processed, or "
                           "was rejected."),
    "not_clippable": _l("Only a video whose length is known can be clipped."),
    "share_not_found": _l("There is no such share link. Check the address you were sent."),
    "share_revoked": _l("This share link was withdrawn by the person who made it."),
    "share_expired": _l("This share link has expired."),
    "share_exhausted": _l("This share link has been used as many times as it allows."),
    "share_password_required": _l("This link needs its password: open the link itself first."),
    "share_password_wrong": _l("The password is wrong."),
    "rendition_not_shared": _l("This link does not share that file."),
    "zip_not_ready": _l("The zip is not ready yet."),
    # 416 of a Range that starts past the end of a file or a zip (archive.assets.download,
    # archive.baskets.zip_answer): a download manager resuming a file that has changed.
    "range_not_satisfiable": _l("The part of the file asked for starts past its end: download it again from the "
                                "start."),
    # Codes the pages meet that had only the services' English sentence (baskets, markers,
    # downloads, rights, accounts, request bodies).
    "basket_not_found": _l("There is no such basket, or it is not shared with you."),
    "asset_not_found": _l("There is no such asset, or it is not one you may see yet."),
    "asset_uploading": _l("This asset is still being uploaded: try again once its upload has finished."),
    "project_not_found": _l("There is no such project, or your organisation is not one of its parties."),
    "transcript_not_found": _l("This asset has no transcript in that language."),
    "rendition_not_found": _l("This asset has no such rendition."),
    "organisation_not_found": _l("There is no such organisation."),
    "basket_read_only": _l("This basket is shared with you to read only."),
    "basket_owner": _l("Only the basket's owner may do this."),
    "basket_full": _l("The basket holds as many items as it may."),
    "basket_empty": _l("The basket is empty: add items first."),
    "basket_item_not_found": _l("That item is no longer in the basket."),
    "basket_member_not_found": _l("That person is not a member of this basket."),
    "too_many_members": _l("The basket is shared with as many people as it may be."),
    "zip_in_progress": _l("The zip is being made; wait until it is ready."),
    "user_not_found": _l("There is no user with that e-mail address."),
    "marker_not_found": _l("There is no such marker on this asset."),
    "not_marker_author": _l("Only the marker's author or an administrator may change it."),
    "too_many_markers": _l("This asset has as many markers as it may have."),
    "no_timeline": _l("This asset has no timeline: it is not audio or video, or its length is not known yet."),
    "admin_only": _l("Only an administrator may do this."),
    "rendition_not_ready": _l("This file is not ready yet."),
    "original_not_ready": _l("The original is not ready yet."),
    "blob_missing": _l("The file is missing from storage."),
    # A BagIt export, a clip or a basket zip of an original whose latest fixity check failed
    # (archive.provenance.fixity.fixity_failed).
    "fixity_failed": _l("The original “%(file)s” is not the file that was stored: its bytes have changed since, "
                        "so no bag, clip or zip is made of it. Restore it from a copy, then check its fixity "
                        "again."),
    # A fast clip whose lead-in from the keyframe the rights do not clear (archive.clips.services).
    "fast_cut_not_cleared": _l("A fast clip starts on the keyframe before your in point, and the rights do not "
                               "clear that longer span. Export the clip accurately (frame-exact) instead."),
    "too_many_attempts": _l("Too many attempts; wait a moment and try again."),
    "weak_password": _l("The password is too short or too simple."),
    "password_too_long": _l("The password is too long."),
    "wrong_password": _l("The current password is wrong."),
    "body_too_large": _l("What was sent is larger than the server accepts."),
    "malformed_json": _l("The server could not read the request."),
    "unsupported_media_type": _l("The server does not accept this kind of file here."),
    "too_many_blocks": _l("This asset has as many rights blocks as it may have."),
    "rights_block_not_found": _l("There is no such rights block."),
    # A clip's copy of its master's block (archive.rights.inherited).
    "inherited_block": _l("This block is a copy of a block of the master the clip was cut from, and follows it: "
                          "change that block on the master, or add a restriction to the clip."),
    "export_too_large": _l("The export is too large: narrow the search first."),
    "contract_exists": _l("A contract with that reference exists already."),
    "contract_not_found": _l("There is no such contract."),
    "document_too_large": _l("The document is larger than the server accepts."),
    # The bytes are not of the declared Content-Type (archive.content_types), and a file name
    # header that is not UTF-8 or holds control characters (archive.api.body.filename_header).
    "content_type_mismatch": _l("The file's content is not %(declared)s, the type it was sent as: "
                                "send it with its own type."),
    "invalid_filename": _l("The file name could not be read: send it as UTF-8 (URL-encoded), without "
                           "control or invisible characters."),
    "share_gone": _l("This share link is no longer open."),
    # Reverse clip search (POST /api/v1/provenance/lookup).
    "file_required": _l("Choose a file first."),
    "too_large": _l("The clip is larger than a lookup accepts; cut a shorter excerpt."),
    "not_video": _l("This is not a video file Ortak can read (audio, a still image or something else)."),
    "empty_file": _l("The file is empty (0 bytes)."),
    "clip_too_short": _l("The clip is too short to look up: at least %(min_seconds)s seconds are needed."),
    "no_picture": _l("Every sampled frame is blank (black or one flat colour): there is nothing to recognise."),
    "undecodable": _l("The clip could not be decoded: the file may be damaged or incomplete."),
    "lookup_timeout": _l("The clip took too long to decode; try a shorter excerpt."),
    "malformed_multipart": _l("The form could not be read: send the clip again."),
}

# Why a clip sent to the reverse clip search could not be decoded (`details.reason` of its 422
# `undecodable`, archive.provenance.services.UNDECODABLE_REASONS; a test checks each has a row).
UNDECODABLE_REASONS = {
    "truncated": _l("The clip could not be decoded: the file ends before its media data does."),
    "index_missing": _l("The clip could not be decoded: its MP4/MOV index (the 'moov' atom) is missing."),
    "corrupt": _l("The clip could not be decoded: its picture is damaged."),
    "decode_failed": _l("The clip could not be decoded. An excerpt copied without re-encoding may start "
                        "without a keyframe: re-encode it and try again."),
}


# API errors whose `details.reason` picks a sentence of its own: code → reason → sentence.
# The tool's words (ffmpeg's, ffprobe's) never reach a caller; these say what went wrong.
ERROR_REASONS = {
    "undecodable": UNDECODABLE_REASONS,
    "not_clippable": {"keyframes_unreadable": _l("The master's keyframes cannot be read: ask for an accurate "
                                                 "clip.")},
    # POST /api/v1/provenance/verify (archive.provenance.credentials.FORMAT_NOT_SUPPORTED).
    "unsupported_format": {"format_not_supported": _l("Content credentials cannot be read from this kind of file: "
                                                      "C2PA is read from JPEG, PNG, MP4, MOV, WAV, PDF and other "
                                                      "formats the C2PA library knows.")},
}


def undecodable(reason: str | None) -> str:
    """The sentence of an `undecodable` lookup in the page's language, by its reason."""
    return str(UNDECODABLE_REASONS.get(reason or "", API_ERRORS["undecodable"]))


# A `wrong_role` (archive.errors.WrongRole): what was refused (`details.action`, the keys of
# archive.errors.ROLE_ACTIONS) and who may do it (`details.roles`), in the page's language.
USER_ROLE_LABELS = {"producer": _l("producer"), "broadcaster": _l("broadcaster"),
                    "rights_manager": _l("rights manager"), "admin": _l("administrator")}
ROLE_ACTIONS = {
    "upload": _l("uploading files"),
    "import": _l("importing files"),
    "coproduction": _l("recording co-production projects, entries and meetings"),
    "rights": _l("managing rights blocks and contracts"),
    "avails_other_organisation": _l("asking about another organisation's avails"),
    "usage_log": _l("reading the usage log and the rights audit"),
    "avails_export": _l("exporting avails"),
    "notifications": _l("managing the organisation's notifications and webhook"),
    "fixity": _l("reading the fixity report"),
}
WRONG_ROLE = _l("Your account may not do this: %(action)s. It is for these roles: %(roles)s; your account's role "
                "is %(role)s.")
WRONG_ROLE_NO_ACTION = _l("Your account may not do this. It is for these roles: %(roles)s; your account's role is "
                          "%(role)s.")
WRONG_ROLE_BARE = _l("Your account's role may not do this.")


def wrong_role(details: Mapping[str, Any] | None) -> str:
    """A `wrong_role` error in the page's language, naming the action refused and the roles that
    may do it (the bare sentence when the details do not say)."""
    details = details or {}
    roles, role = details.get("roles"), details.get("role")
    if not isinstance(roles, list) or not roles or not isinstance(role, str):
        return str(WRONG_ROLE_BARE)
    values = {"roles": ", ".join(str(USER_ROLE_LABELS.get(r, r)) for r in roles),
              "role": str(USER_ROLE_LABELS.get(role, role))}
    action = ROLE_ACTIONS.get(str(details.get("action") or ""))
    if action is None:
        return str(WRONG_ROLE_NO_ACTION) % values
    return str(WRONG_ROLE) % {**values, "action": str(action)}


# When an answer carries no code we know: by HTTP status, then "network" for no answer at all.
STATUS_ERRORS = {
    "400": _l("The server could not read the request."),
    "401": API_ERRORS["unauthenticated"],
    "403": API_ERRORS["forbidden"],
    "404": _l("The server no longer knows this upload; start it again."),
    "413": _l("This file or its details are larger than the server accepts."),
    "422": API_ERRORS["invalid_metadata"],
    "429": API_ERRORS["too_many_requests"],
    "5xx": _l("The server had a problem; try again later. An interrupted upload resumes where it stopped."),
    "network": _l("The connection to the server was lost. Check the network and press Upload: the upload "
                  "resumes where it stopped."),
    "retrying": _l("The connection was interrupted; trying again…"),
}

# Notifications by kind (archive.notifications.checks); `params` fill the placeholders. A kind
# without a row here is shown in its stored English sentence.
NOTIFICATIONS = {
    "usage_log_broken": _l("The usage log does not verify (%(problem)s, record %(record)s): run “ortak audit "
                           "verify” and compare with the signed checkpoints."),
    "rights_expiring": _l("The grant %(block)s on “%(title)s” ends on %(end)s (in %(days_left)s days)."),
    "use_outside_rights": _l("Use %(usage)s of “%(title)s” by %(organisation)s is outside the rights that cleared "
                             "it (%(problems)s)."),
    "fixity_fail": _l("Fixity check failed: the %(object)s of “%(title)s” (asset %(asset)s, stored as %(key)s) "
                      "no longer has the SHA-256 recorded when it was stored (found %(actual)s)."),
    "fixity_missing": _l("Fixity check: the %(object)s of “%(title)s” (asset %(asset)s) is missing from storage "
                         "(%(key)s)."),
}
# What a fixity notification's `object` names: the original, or a rendition's file by its path.
NOTIFICATION_OBJECTS = {"original": _l("original")}
NOTIFICATION_PROBLEMS = {
    "chain_broken": _l("a record was changed, deleted, inserted or reordered"),
    "head_mismatch": _l("the log was rewritten up to a signed checkpoint"),
    "missing_tail": _l("its newest records are missing"),
    "bad_checkpoint": _l("a checkpoint's signature does not hold"),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Parameters of API errors that count bytes (upload_too_large: {"length", "limit"}).
SIZE_PARAMS = ("limit", "length", "remaining", "content_length")
# Field names a form shows under another name, and fields whose values are codes with labels.
_CHOICE_LABELS = {"genre": GENRE_LABELS, "country": COUNTRY_LABELS, "languages": LANGUAGE_LABELS}


def fill(template: str, params: Mapping[str, Any]) -> str | None:
    """`template` with each `%(name)s` replaced by str(params[name]); None when one is missing.

    The scripts do the same (messages.js), so a message reads alike wherever it is shown.
    """
    missing = False

    def sub(m: re.Match) -> str:
        nonlocal missing
        if m.group(1) not in params:
            missing = True
            return ""
        return str(params[m.group(1)])

    out = _PLACEHOLDER.sub(sub, template)
    return None if missing else out


def field_label(path: str | None) -> str:
    """"title.tr" → "Title (tr)"; "keywords.3" or "keywords[3]" → "Keywords"; unknown → as given."""
    if not path:
        return ""
    parts = [p for p in re.split(r"[.\[\]]", path) if p]
    base = str(FIELD_LABELS.get(parts[0], parts[0])) if parts else path
    if len(parts) > 1 and parts[0] in ("title", "description") and parts[1] in LANGUAGE_LABELS:
        return f"{base} ({parts[1]})"
    return base


def _value(field: str, name: str, value: Any, *, sizes: bool = False) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format_decimal_size(value) if sizes and name in SIZE_PARAMS else format_decimal(value)
    if isinstance(value, (list, tuple)):
        labels = _CHOICE_LABELS.get(field.split(".")[0], {}) if name in ("choices", "values") else {}
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(value)


def field_error(error: Mapping[str, Any]) -> str:
    """One `details.errors` entry as a sentence in the page's language (its English
    `message` for an unknown code or when a parameter the sentence needs is missing)."""
    field = str(error.get("field") or "")
    code = str(error.get("code") or "")
    template = FIELD_ERRORS.get(code)
    params = error.get("params") if isinstance(error.get("params"), Mapping) else {}
    if code == "invalid_timecode" and params.get("reason") in TIMECODE_REASONS:
        template = TIMECODE_REASONS[params["reason"]]
        params = {**params, **({"value": f"{params['value']:02d}", "max": f"{params['max']:02d}"}
                               if isinstance(params.get("value"), int) and isinstance(params.get("max"), int) else {})}
    if template is not None:
        values = {k: (v if k in ("value", "max") and isinstance(v, str) else _value(field, k, v))
                  for k, v in params.items()}
        values["field"] = field_label(field)
        text = fill(str(template), values)
        if text is not None:
            return text
    return str(error.get("message") or error.get("code") or "")


def field_errors(code: str, message: str, details: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The field errors of an API error: its `details.errors`, or, from a service that reports
    one error, that one error (field from `details.field`, parameters from the rest)."""
    details = details or {}
    errors = details.get("errors")
    if isinstance(errors, list) and errors:
        return [e for e in errors if isinstance(e, Mapping)]
    params = {k: v for k, v in details.items() if k != "field"}
    return [{"field": details.get("field"), "code": code, "message": message, "params": params}]


# 403 `not_rights_manager` of an avails asked for another organisation than one's own
# (archive.rights.services.check_avails): who may, whom was asked for, and the caller's own.
AVAILS_OTHER_ORGANISATION = _l("Only a rights manager of the asset's organisation (%(asset_organisation)s) or an "
                               "administrator may ask about the avails of another organisation than their own; you "
                               "asked for %(organisation)s, and your organisation is %(own_organisation)s.")


def api_error(code: str | None, message: str, status: int | None = None,
              details: Mapping[str, Any] | None = None) -> str:
    """A top-level API error for a person: by code, then by status, then the English message."""
    if code == "wrong_role":
        return wrong_role(details)
    template = API_ERRORS.get(code or "")
    if code == "not_rights_manager" and (details or {}).get("action") == "avails_other_organisation":
        template = AVAILS_OTHER_ORGANISATION
    if template is not None:
        text = fill(str(template), {k: _value("", k, v, sizes=True) for k, v in (details or {}).items()})
        if text is not None:
            return text
    if message:
        return message
    key = "5xx" if status and status >= 500 else str(status)
    return str(STATUS_ERRORS.get(key, STATUS_ERRORS["5xx"]))


def scope_text(scope: Mapping[str, Any] | None) -> str:
    """A reason's scope, language-neutral: "2027-02-01 – 2027-03-31; AZ, TR; 01:00:08;00 – 01:00:10;00"
    (segments as the master's timecodes when the reason carries them, else the clock)."""
    if not isinstance(scope, Mapping):
        return ""
    parts = [", ".join(f"{p.get('from')} – {p.get('to') or '…'}" for p in scope.get("periods") or [])]
    territories = list(scope.get("territories") or [])
    parts.append(", ".join(territories[:12]) + (f" (+{len(territories) - 12})" if len(territories) > 12 else ""))
    for seg in scope.get("segments") or []:
        parts.append(f"{_segment_end(seg, 'in')} – {_segment_end(seg, 'out')}")
    return "; ".join(p for p in parts if p)


def _segment_end(segment: Any, end: str) -> str:
    label = segment.get(f"{end}_timecode") if isinstance(segment, Mapping) else None
    if isinstance(label, str) and label:
        return label
    return _clock(segment.get(end) if isinstance(segment, Mapping) else None)


def _clock(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)):
        return "…"
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def rights_reason(reason: Mapping[str, Any]) -> str:
    """One reason of a rights decision in the page's language (its English `message` for a
    code this table does not know)."""
    template = RIGHTS_REASONS.get(str(reason.get("code") or ""))
    if template is not None:
        values = {"scope": scope_text(reason.get("scope")),
                  "blocks": ", ".join(str(b) for b in reason.get("blocks") or []),
                  "max_clip_seconds": reason.get("max_clip_seconds")}
        text = fill(str(template), {k: v for k, v in values.items() if v not in (None, "")})
        if text is not None:
            return " ".join([text, *_clip_sentence(reason), *_window_sentences(reason.get("windows"))])
    return str(reason.get("message") or reason.get("code") or "")


# The length a `clip_too_long` reason was asked for (`clip_seconds`), after its limit.
CLIP_ASKED = _l("The clip asked for is %(clip_seconds)s seconds long.")


def _clip_sentence(reason: Mapping[str, Any]) -> list[str]:
    asked = reason.get("clip_seconds")
    if reason.get("code") != "clip_too_long" or not isinstance(asked, (int, float)) or isinstance(asked, bool):
        return []
    return [fill(str(CLIP_ASKED), {"clip_seconds": format_decimal(asked)})]


def _window_sentences(windows: Any) -> list[str]:
    """The translated sentences of a `not_covered` reason's lapsed or future grants (RIGHTS_WINDOWS)."""
    out = []
    for w in windows if isinstance(windows, list) else []:
        template = RIGHTS_WINDOWS.get(str(w.get("state"))) if isinstance(w, Mapping) else None
        if template is None:
            continue
        text = fill(str(template), {"block": w.get("block"), "day": w.get("to" if w["state"] == "ended" else "from")})
        if text:
            out.append(text)
    return out


# The codes whose stored English carries words of the tool or the system beyond the sentence
# (ffprobe's or ffmpeg's last complaint, the error that stopped processing): the page shows
# that English, marked as such, after the translated sentence. Any other known code's sentence
# says all its English does.
ASSET_ERRORS_WITH_TOOL_DETAIL = frozenset({"corrupt", "unreadable", "processing_error", "storage_error"})


def asset_error(code: str | None, detail: str | None) -> dict[str, str | None]:
    """{"message", "detail"} for a rejected or failed asset: the translated reason for a known
    code, with the stored English sentence as `detail` only for a code whose English quotes the
    tool (ASSET_ERRORS_WITH_TOOL_DETAIL); for an unknown or missing code the English sentence
    itself, as the detail, under a general message."""
    template = ASSET_ERRORS.get(code or "")
    if template is not None:
        message = str(template)
        shown = detail if code in ASSET_ERRORS_WITH_TOOL_DETAIL and detail and detail != message else None
        return {"message": message, "detail": shown}
    return {"message": None, "detail": detail or None}


def notification(kind: str, params: Mapping[str, Any], english: str) -> str:
    """A notification in the page's language: by kind, else its stored English sentence."""
    template = NOTIFICATIONS.get(kind)
    if template is None:
        return english
    values = {k: ("-" if v is None else v) for k, v in (params or {}).items()}
    if "problem" in values:
        values["problem"] = str(NOTIFICATION_PROBLEMS.get(str(values["problem"]), values["problem"]))
    if "object" in values:
        values["object"] = str(NOTIFICATION_OBJECTS.get(str(values["object"]), values["object"]))
    return fill(str(template), values) or english


def number_symbols() -> dict[str, str]:
    """How the page's language writes numbers, for its scripts (CLDR through Babel; a browser's
    own locale data may lack a language: Chromium wrote Azerbaijani 1,3 as "1.3"): the decimal
    and group signs, and a percentage with `%(num)s` for the number ("%%(num)s" in Turkish)."""
    locale = get_locale()
    return {"decimal": get_decimal_symbol(locale), "group": get_group_symbol(locale),
            "percent": format_percent(0.72, locale=locale).replace("72", "%(num)s")}


def script_catalogue() -> dict[str, Any]:
    """Everything messages.js needs, translated into the page's language (a JSON data attribute)."""
    return {
        "field_errors": {k: str(v) for k, v in FIELD_ERRORS.items()},
        "timecode_reasons": {k: str(v) for k, v in TIMECODE_REASONS.items()},
        "api_errors": {k: str(v) for k, v in API_ERRORS.items()},
        "subtitle_reasons": {k: str(v) for k, v in SUBTITLE_REASONS.items()},
        "error_reasons": {code: {k: str(v) for k, v in table.items()} for code, table in ERROR_REASONS.items()},
        "status_errors": {k: str(v) for k, v in STATUS_ERRORS.items()},
        "asset_errors": {k: str(v) for k, v in ASSET_ERRORS.items()},
        "fields": {k: str(v) for k, v in FIELD_LABELS.items()},
        "choices": {field: {k: str(v) for k, v in labels.items()} for field, labels in _CHOICE_LABELS.items()},
        "statuses": {k: str(v) for k, v in STATUS_LABELS.items()},
        "person_unnamed": str(PERSON_UNNAMED),
        "size_params": list(SIZE_PARAMS),
        "numbers": number_symbols(),
        "wrong_role": {"with_action": str(WRONG_ROLE), "no_action": str(WRONG_ROLE_NO_ACTION),
                       "bare": str(WRONG_ROLE_BARE), "actions": {k: str(v) for k, v in ROLE_ACTIONS.items()},
                       "roles": {k: str(v) for k, v in USER_ROLE_LABELS.items()}},
    }


def query_error(code: str, message: str, reason: str | None = None, params: dict | None = None) -> str:
    """The search's QueryError (`code`, English `message`, `reason` and its `params`) in the
    page's language: a `reason` of QUERY_REASONS whole; else the code's sentence around the English
    `message`; an unknown code keeps the English `message`."""
    if reason in QUERY_REASONS:
        values = {k: format_decimal(v) if isinstance(v, int) else v for k, v in (params or {}).items()}
        return str(QUERY_REASONS[reason]) % values if values else str(QUERY_REASONS[reason])
    text = QUERY_ERRORS.get(code)
    if text is None:
        return f"The search could not be understood: {message}"
    return str(text) % {"reason": message} if code == "invalid_query" else str(text)


def parameter_error(sentence: str | None, values: Mapping[str, Any] | None, english: str,
                    labels: Mapping[str, Any] | None = None,
                    choice_labels: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A ParameterError (archive.api.params: `sentence`, its `values`, the `english` message)
    in the current locale: PARAMETER_SENTENCES[sentence] translated, filled with the values
    (numbers with the locale's digit grouping, lists joined; `name` through `labels` when given,
    as a page names its fields, and its `choices` through `choice_labels[name]`, as the page's
    facets show them: "Video, Ses", not "video, audio"); the English message for an unknown
    sentence or a missing value."""
    if sentence not in PARAMETER_SENTENCES:
        return english
    template = gettext(PARAMETER_SENTENCES[sentence])
    params = dict(values or {})
    name = str(params.get("name") or "")
    formatted = {k: _value(name, k, v) for k, v in params.items()}
    if labels is not None and name in labels:
        formatted["name"] = str(labels[name])
    shown = (choice_labels or {}).get(name)
    if shown and isinstance(params.get("choices"), (list, tuple)):
        formatted["choices"] = ", ".join(str(shown.get(v, v)) for v in params["choices"])
    text = fill(str(template), formatted)
    return text if text is not None else english
