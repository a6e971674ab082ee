"""`ortak import`: bulk ingest of local files, through the same completion path as tus uploads.

Each file is copied once into UPLOAD_DIR while its SHA-256 is computed, then handed to
`register_original` (dedupe, content-addressed key, Asset + Event, ingest task after the
commit). Metadata comes from a CSV or JSON file whose rows are matched by file name.
Subtitle sidecars next to a media file (`film.mov` with `film.tr.srt`, `film.az.vtt`) are not
assets of their own: they are found in the media file's directory by name (named on the command
line or not) and become the imported asset's transcripts in that language
(`archive.transcripts.services.put_transcript`, as the importing user); the output names each
one attached, and each refused (unknown language, unreadable, refused by the parser) with why.
Beside a file the archive held already, a sidecar follows the rule of a tus upload's
transcripts (`archive.ingest.carry_over.transcript_outcome`): added in a language the asset has
none in, never replacing one it has, never to another organisation's asset.
"""
from __future__ import annotations

import csv
import hashlib
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from tqdm import tqdm

from archive import db
from archive.accounts import services as accounts
from archive.api.body import MalformedJson, parse_json
from archive.assets.schemas import FIELDS, LANGS, LISTS, LOCALISED, language_code, merge_metadata, validate_metadata
from archive.db import checkpoint
from archive.errors import ApiError, ValidationError, WrongRole, join_messages
from archive.ingest import carry_over, staging
from archive.ingest.services import (ALREADY_HELD, DEFAULT_LANGUAGE, HOLDING_ADDED, OWN_ASSET, Registration,
                                     guess_content_type, register_original)
from archive.ingest.tus import sanitise_filename
from archive.media.probe import Rejected, ffprobe, parse_probe
from archive.media.runner import MediaError
from archive.storage.interfaces import StorageError
from archive.transcripts import services as transcripts

IMPORTERS = ("producer", "admin")
# Why a sidecar of a duplicate is not attached (archive.ingest.carry_over.transcript_outcome).
DUPLICATE_SIDECAR = {
    carry_over.CONFLICT: "the asset has another transcript in {lang} already; replace it with "
                         "PUT /api/v1/assets/{asset}/transcripts/{lang}",
    carry_over.NOT_YOUR_ASSET: "the asset is another organisation's: only it changes the asset's transcripts",
}
MAX_ROW_ERRORS = 10
# CSV cells that hold lists: split on commas as the API's lists (PATCH, Upload-Metadata); a
# cell with a ';' is split on ';' instead, so that files written for the former separator keep
# working and a comma can stay inside a name ("Aliyev, Rəşid; Bülbül").
CSV_LISTS = (*LISTS, "languages")
# The language of a plain `title` / `description` (column or JSON string), as Upload-Metadata
# (default `archive.ingest.services.DEFAULT_LANGUAGE`).
LANGUAGE_KEY = "language"


def csv_columns() -> list[str]:
    """Every column a metadata CSV may have, in the order the help and the errors name them."""
    return ["filename", *LOCALISED, LANGUAGE_KEY,
            *(f"{f}_{lang}" for f in LOCALISED for lang in LANGS),
            *(f for f in FIELDS if f not in LOCALISED)]


# What became of a file whose bytes the archive held already (see `record_copy`).
DUPLICATE_OUTCOMES = {HOLDING_ADDED: "your organisation is now recorded as also holding a copy",
                      ALREADY_HELD: "your organisation already holds a copy",
                      OWN_ASSET: "already your organisation's"}


def _named(entry: dict) -> str:
    lang = f" ({entry['lang']})" if entry.get("lang") else ""
    value = entry.get("value", entry.get("values"))
    return f"{entry['what']}{lang}" + (f" {value!r}" if value is not None else "")


def carried_lines(carried: dict | None) -> list[str]:
    """The import's lines for what its metadata gave a duplicate (`archive.ingest.carry_over`):
    one for what went to the asset or the holding, one per thing that did not, with why."""
    if not carried:
        return []
    lines = []
    applied = carried.get("applied") or []
    if applied:
        lines.append("added to the " + applied[0]["to"] + ": " + ", ".join(_named(e) for e in applied))
    lines += [f"not applied: {_named(e)} ({e['reason']})" for e in carried.get("not_applied") or []]
    return lines


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, Registration]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    transcripts: list[tuple[str, str, str, int]] = field(default_factory=list)  # path, language, asset, cues
    unchanged: list[tuple[str, str, str]] = field(default_factory=list)  # path, language, asset: held already

    def sidecar_failed(self, path: Path, asset_id: str, reason: str) -> None:
        """A sidecar that was not attached to the asset `asset_id` imported beside it, and why."""
        self.failed.append((str(path), f"sidecar not attached to asset {asset_id}: {reason}"))

    def line(self) -> str:
        line = f"created {len(self.created)}, duplicates {len(self.duplicates)}, failed {len(self.failed)}"
        return line + (f", transcripts {len(self.transcripts)}" if self.transcripts else "")


def run_import(paths: list[str], metadata_file: str | None, as_user: str) -> int:
    """Import `paths` (files, or directories recursed) for the user `as_user`; 0 if all went well, 1 if not."""
    session = db.session()
    user = accounts.get_user(session, as_user)
    if user.role not in IMPORTERS:
        raise WrongRole("import", IMPORTERS, user.role)
    rows = load_metadata(Path(metadata_file)) if metadata_file else {}
    summary = Summary()
    found = collect_files(paths, summary)
    if metadata_file:  # the CSV/JSON kept beside the footage is read, never imported as an asset
        sheet = _same(Path(metadata_file))
        found = [(path, size) for path, size in found if _same(path) != sheet]
    files, sidecars = split_sidecars(found)
    files = orphan_sidecars(files, summary)
    total = sum(size for _, size in files)
    used: set[str] = set()
    with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
              disable=None, desc="import") as bar:
        for path, size in files:
            name = sanitise_filename(path.name)
            meta = rows.get(path.name, rows.get(name, {}))
            used.update(k for k in (path.name, name) if k in rows)
            try:
                registered = import_one(session, user, path, name, meta, bar)
            except (OSError, StorageError, ApiError) as exc:
                session.rollback()
                summary.failed.append((str(path), getattr(exc, "message", None) or str(exc)))
                continue
            if registered.created:
                summary.created.append(registered.asset.id)
            else:
                summary.duplicates.append((str(path), registered))
            length = recording_length_ms(path) if any(lang for _, lang, _ in sidecars.get(path, [])) else None
            for sidecar, lang, why in sidecars.get(path, []):
                if lang is None:
                    summary.sidecar_failed(sidecar, registered.asset.id, why)
                else:
                    attach_sidecar(session, user, registered.asset, sidecar, lang, summary, length,
                                   duplicate=not registered.created)
    click.echo(summary.line())
    for path, registered in summary.duplicates:
        owner = registered.asset.organisation.name if registered.asset.organisation is not None else "?"
        click.echo(f"  duplicate {path}: the archive holds these bytes as asset {registered.asset.id} "
                   f"of {owner}; {DUPLICATE_OUTCOMES.get(registered.holding or '', registered.holding)}")
        for line in carried_lines(registered.carried_over):
            click.echo(f"    {line}")
    for path, lang, asset_id, cues in summary.transcripts:
        click.echo(f"  transcript {path}: {lang} of asset {asset_id}, {cues} cue{'s' if cues != 1 else ''}")
    for path, lang, asset_id in summary.unchanged:
        click.echo(f"  transcript {path}: asset {asset_id} has this file in {lang} already")
    for path, reason in summary.failed:
        click.echo(f"  failed {path}: {reason}")
    unused = sorted(set(rows) - used)
    if unused:
        click.echo(f"  metadata rows that matched no file: {', '.join(unused[:20])}")
    return 1 if summary.failed else 0


def collect_files(paths: list[str], summary: Summary) -> list[tuple[Path, int]]:
    found: list[tuple[Path, int]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    _add(Path(root) / name, found, summary)
        elif path.exists():
            _add(path, found, summary)
        else:
            summary.failed.append((raw, "no such file or directory"))
    return found


def split_sidecars(files: list[tuple[Path, int]]
                   ) -> tuple[list[tuple[Path, int]], dict[Path, list[tuple[Path, str | None, str | None]]]]:
    """(files to import as assets, media path → [(sidecar path, language or None, why not)]).

    A sidecar of a media file being imported is an `.srt` or `.vtt` file named
    `<media stem>.<tag>.<srt|vtt>` in the media file's directory, found there by name whether or
    not it was named on the command line (`ortak import footage/toy.mp4` takes
    `footage/toy.tr.srt`). `<tag>` is its language (`transcripts.sidecar_tag`); a tag that is no
    ISO 639 code gives (path, None, reason): reported, never imported as a file of its own. A
    subtitle file that is nobody's sidecar stays in the files (`orphan_sidecars` sorts them)."""
    media = [(p, n) for p, n in files if not _is_subtitle(p.name)]
    listings: dict[Path, list[str]] = {}
    sidecars: dict[Path, list[tuple[Path, str | None, str | None]]] = {}
    taken: set[Path] = set()
    for path, _size in media:
        if path.parent not in listings:
            try:
                listings[path.parent] = sorted(n for n in os.listdir(path.parent) if _is_subtitle(n))
            except OSError:
                listings[path.parent] = []
        for name in listings[path.parent]:
            tag = transcripts.sidecar_tag(path.name, name)
            if tag is None:
                continue
            sidecar = path.parent / name
            lang = language_code(tag)
            why = None if lang else (f"{tag[:20]!r} is not an ISO 639 language code: name a sidecar "
                                     f"{path.stem}.<tr|az|en|...>{Path(name).suffix.lower()}")
            sidecars.setdefault(path, []).append((sidecar, lang, why))
            taken.add(_same(sidecar))
    kept = [(p, n) for p, n in files if not (_is_subtitle(p.name) and _same(p) in taken)]
    return kept, sidecars


def orphan_sidecars(files: list[tuple[Path, int]], summary: Summary) -> list[tuple[Path, int]]:
    """`files` without the subtitle files named as a sidecar (`<stem>.<language>.<srt|vtt>`,
    `transcripts.sidecar_language`) whose media file is not among the imported files: each is
    reported failed as an orphan sidecar (so the import exits 1), never imported as media it is
    not. A subtitle file with no language in its name (`notes.srt`) is imported as a file."""
    kept = []
    for path, size in files:
        lang = transcripts.sidecar_language(path.name) if _is_subtitle(path.name) else None
        if lang is None:
            kept.append((path, size))
            continue
        stem = path.name[:-4].rsplit(".", 1)[0]
        summary.failed.append((str(path), f"orphan sidecar: no media file named {stem}.<ext> is imported with it "
                                          f"here; import the media file and this file becomes its {lang} "
                                          f"transcript"))
    return kept


def _is_subtitle(name: str) -> bool:
    return name.lower().endswith(transcripts.SIDECAR_SUFFIXES)


def _same(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def recording_length_ms(path: Path) -> int | None:
    """The length of the media file at `path` as the asset's timeline will count it once
    processed (`transcripts.timeline_length_ms` of its ffprobe result), read here so that a
    sidecar with a cue past the end is refused in the import's output as a PUT refuses it;
    None when ffprobe cannot read it (the ingest then says why, and checks the transcripts
    again once the length is known: `transcripts.check_against_length`)."""
    try:
        probe = parse_probe(ffprobe(str(path), timeout=float(current_app.config["PROBE_TIMEOUT"])))
    except (Rejected, MediaError):
        return None
    return transcripts.timeline_length_ms(probe.to_dict(), probe.kind)


def attach_sidecar(session, user, asset, path: Path, lang: str, summary: Summary,
                   length_ms: int | None = None, *, duplicate: bool = False) -> None:
    """Store the sidecar as the asset's transcript in `lang` (its own unit of work); a file
    that is not a regular file, too large, unreadable or refused by the parser (its line; a
    cue past `length_ms`, the media file's length) is reported failed with its reason; the
    asset stays imported. Beside a `duplicate` (bytes the archive held already as `asset`) the
    rule of a tus upload's transcripts applies (`carry_over.transcript_outcome`): it is added
    in a language the asset has none in, and only to the importer's organisation's own asset;
    another file in a language the asset has is not applied (replacing a transcript is a PUT
    of its own), and the same file there is nothing new."""
    try:
        if not path.is_file():
            raise OSError("not a regular file")
        if path.stat().st_size > transcripts.MAX_BYTES:
            raise transcripts.too_large()
        data = path.read_bytes()
        if duplicate:
            held = {t.lang: t for t in transcripts.transcripts_of(session, asset.id)}
            outcome = carry_over.transcript_outcome(held, transcripts.check_lang(lang),
                                                    hashlib.sha256(data).hexdigest(),
                                                    asset.organisation_id == user.organisation_id)
            if outcome == carry_over.SAME_FILE:
                summary.unchanged.append((str(path), lang, asset.id))
                return
            if outcome is not None:
                raise ValidationError(DUPLICATE_SIDECAR[outcome].format(lang=lang, asset=asset.id), code=outcome)
        transcript, _created = transcripts.put_transcript(session, asset, lang, data, user,
                                                          filename=path.name, known_length_ms=length_ms)
        cues = len(transcript.segments)
        checkpoint(session)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except ApiError as exc:
        reason = exc.message
    else:
        summary.transcripts.append((str(path), lang, asset.id, cues))
        return
    session.rollback()
    summary.sidecar_failed(path, asset.id, reason)


def _add(path: Path, found: list, summary: Summary) -> None:
    if not path.is_file():
        summary.failed.append((str(path), "not a regular file"))
    else:
        found.append((path, path.stat().st_size))


def import_one(session, user, path: Path, name: str, meta: dict, bar) -> Registration:
    staged, sha256, size = stage_copy(path, bar)
    try:
        if size == 0:
            raise ValidationError("the file is empty", code="empty_upload")
        registered = register_original(session, staged=staged, sha256=sha256, size=size, filename=name,
                                       meta=meta, uploader=user, content_type=guess_content_type(name))
        checkpoint(session)  # each file is kept as it is imported: a later failure loses none
    finally:
        staged.unlink(missing_ok=True)
    return registered


def stage_copy(path: Path, bar) -> tuple[Path, str, int]:
    """Copy `path` into UPLOAD_DIR in constant memory, hashing on the way."""
    staged = staging.upload_dir() / f"import-{uuid.uuid4()}"
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as src, staged.open("xb") as out:
            while chunk := src.read(staging.CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                bar.update(len(chunk))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, digest.hexdigest(), size


# ---- the metadata file -------------------------------------------------------------------------

def load_metadata(path: Path) -> dict[str, dict]:
    """filename → metadata in the API shape; ValidationError naming the row on any mistake.

    The file: CSV with the columns `csv_columns()` (`title`/`description` in the row's
    `language`, or `title_<lang>`; list cells by `split_list_cell`), or a JSON list of objects
    with the same keys or the API's shapes. An unknown column is `unknown_field` with
    details {"fields", "accepted"}; README "Importing with metadata"."""
    if not path.is_file():
        raise ValidationError(f"No metadata file {path}.", code="metadata_file_missing")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Cannot read {path} as UTF-8: {exc}.", code="metadata_file_unreadable") from exc
    if suffix == ".csv":
        records = _csv_records(text)
    elif suffix == ".json":
        records = _json_records(text)
    else:
        raise ValidationError("The metadata file must end in .csv or .json.", code="metadata_file_type")
    config = current_app.config
    out: dict[str, dict] = {}
    errors: list[str] = []
    for number, record in records:
        try:
            record = _plain_localised(record)
            filename = _row_filename(record.pop("filename", None))
            if filename in out:
                raise ValidationError(f"{filename} appears twice.", code="duplicate_row")
            cleaned = validate_metadata(record, max_title=int(config["MAX_TITLE_LENGTH"]),
                                        max_text=int(config["MAX_TEXT_LENGTH"]))
            out[filename] = merge_metadata({}, cleaned)
        except ValidationError as exc:
            errors.append(f"row {number}: {exc.message}")
    if errors:
        raise ValidationError(f"{path.name}: {join_messages(errors[:MAX_ROW_ERRORS])}", code="invalid_metadata_file",
                              details={"errors": errors[:MAX_ROW_ERRORS], "count": len(errors)})
    return out


def _plain_localised(record: dict) -> dict:
    """`title` / `description` given as plain text are in the row's `language` (tr, az or en;
    default en), as Upload-Metadata reads them; the API's {"tr": ...} objects pass as they are.
    ValidationError (`invalid_metadata`) for another language, or a language given twice."""
    record = dict(record)
    language = record.pop(LANGUAGE_KEY, None)
    if language is not None and language not in LANGS:
        raise ValidationError(f"language must be one of {', '.join(LANGS)} (the language of title and "
                              f"description), not {str(language)[:20]!r}.", code="invalid_metadata")
    for name in LOCALISED:
        value = record.get(name)
        if isinstance(value, str):
            record[name] = {language or DEFAULT_LANGUAGE: value}
        elif isinstance(value, dict) and None in value:  # a CSV row: the plain column (key None) and its _xx ones
            texts = dict(value)
            plain = texts.pop(None)
            lang = language or DEFAULT_LANGUAGE
            if lang in texts:
                raise ValidationError(f"{name} and {name}_{lang} both give the {lang} {name}.",
                                      code="invalid_metadata")
            record[name] = {**texts, lang: plain}
    return record


def _row_filename(value) -> str:
    # Rows only name files to match; a path here would be a way to point at other files.
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("filename is missing.", code="invalid_metadata")
    value = value.strip()
    if any(c in value for c in "/\\\x00") or value in (".", "..") or sanitise_filename(value) != value:
        raise ValidationError(f"filename {value[:80]!r} must be a bare file name, not a path.",
                              code="invalid_metadata")
    return value


def _csv_records(text: str) -> list[tuple[int, dict]]:
    try:
        reader = csv.DictReader(text.splitlines(), strict=True)
        header = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(f"The CSV file is malformed: {exc}.", code="malformed_metadata_file") from exc
    accepted = csv_columns()
    if "filename" not in header:
        raise ValidationError("The CSV file needs a 'filename' column (the bare file name of each row's file); "
                              f"the columns are: {', '.join(accepted)}.", code="malformed_metadata_file",
                              details={"accepted": accepted})
    unknown = sorted(set(header) - set(accepted))
    if unknown:
        raise ValidationError(f"Unknown CSV columns: {', '.join(unknown)}. The columns are: {', '.join(accepted)}.",
                              code="unknown_field", details={"fields": unknown, "accepted": accepted})
    records = []
    for number, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ValidationError(f"row {number} does not have as many cells as the header.",
                                  code="malformed_metadata_file")
        record: dict = {}
        for column, value in row.items():
            value = value.strip()
            if not value:
                continue
            base, _, lang = column.partition("_")
            if base in LOCALISED:
                record.setdefault(base, {})[lang or None] = value  # None: in the row's `language`
            elif column in CSV_LISTS:
                record[column] = split_list_cell(value)
            else:
                record[column] = value
        records.append((number, record))
    return records


def split_list_cell(value: str) -> list[str]:
    """A CSV list cell's items: split on ';' when the cell has one (the former separator, which
    leaves commas inside names), else on ',' as the API's lists; blanks dropped."""
    separator = ";" if ";" in value else ","
    return [v.strip() for v in value.split(separator) if v.strip()]


def _json_records(text: str) -> list[tuple[int, dict]]:
    try:
        data = parse_json(text)  # the API's reader: hostile nesting, NaN, duplicate keys are refused
    except MalformedJson as exc:
        raise ValidationError(f"The JSON file is malformed: {exc.message}", code="malformed_metadata_file",
                              details=exc.details) from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValidationError("The JSON file must be a list of objects.", code="malformed_metadata_file")
    return [(number, dict(record)) for number, record in enumerate(data, start=1)]
