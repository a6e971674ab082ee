"""Every name the asset page shows in its history and technical metadata tables is a label in
the page's language, never a raw key (trial finding: `upload_id`, `mode`, `content type` on
Turkish and Azerbaijani pages)."""
import ast
import pathlib
from dataclasses import fields

import pytest

from archive.media.images import ImageInfo
from archive.media.probe import ProbeResult
from archive.web.present import _SHOWN, FIELD_LABELS, TECHNICAL_LABELS, change_rows, technical_rows

ROOT = pathlib.Path(__file__).resolve().parents[3] / "archive"


def asset_event_keys() -> dict[str, str]:
    """The literal keys of `before`/`after` of every Event the archive records on an asset
    (`events.record(..., subject_type="asset", before={...}, after={...})`), with where."""
    keys: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            kw = {k.arg: k.value for k in node.keywords}
            subject = kw.get("subject_type")
            if name != "record" or not (isinstance(subject, ast.Constant) and subject.value == "asset"):
                continue
            for side in ("before", "after"):
                if isinstance(kw.get(side), ast.Dict):
                    for key in kw[side].keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            keys.setdefault(key.value, f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return keys


def test_the_scan_finds_the_asset_events():
    keys = asset_event_keys()
    assert {"upload_id", "source_id", "usage_record_id", "from_block", "holding", "filename"} <= set(keys)


def test_every_key_of_an_asset_event_has_a_label():
    missing = {k: where for k, where in asset_event_keys().items() if k not in FIELD_LABELS}
    assert not missing, f"history fields without a label (add them to FIELD_LABELS): {missing}"


def probe_keys() -> set[str]:
    image = ImageInfo(format="PNG", content_type="image/png", width=1, height=1, mode="RGB", orientation=1)
    return {f.name for f in fields(ProbeResult)} | {"kind"} | set(image.to_dict())


def test_every_key_a_probe_stores_is_shown_with_a_label_or_in_a_friendlier_row():
    missing = sorted(k for k in probe_keys() if k not in _SHOWN and k not in TECHNICAL_LABELS)
    assert not missing, f"technical keys shown under their raw name: {missing}"


@pytest.mark.parametrize("locale, labels", [
    ("tr", {"mode": "Renk modu", "content_type": "Ortam türü"}),
    ("az", {"mode": "Rəng rejimi", "content_type": "Media növü"}),
])
def test_an_images_technical_rows_are_translated(app, locale, labels):
    image = ImageInfo(format="PNG", content_type="image/png", width=800, height=600, mode="RGB", orientation=6)
    with app.test_request_context(headers={"Accept-Language": locale}):
        rows = dict(technical_rows(image.to_dict()))
    assert rows[labels["mode"]] == "RGB" and rows[labels["content_type"]] == "image/png"
    assert not {"mode", "content type", "content_type", "exif orientation", "exif_orientation"} & set(rows)


def test_history_rows_name_clip_and_upload_fields_and_values_in_the_pages_language(app):
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        rows = change_rows(None, {"upload_id": "u1", "source_id": "a1", "mode": "accurate", "usage_record_id": 3,
                                  "holding": "already_held"})
    fields_shown = {r["field"] for r in rows}
    assert not {"upload_id", "source_id", "mode", "usage_record_id", "holding"} & fields_shown
    values = {r["after"] for r in rows}
    assert not {"accurate", "already_held"} & values


def test_a_carried_over_entry_names_where_it_went_and_a_declaration_its_last_air_date(app):
    """"to" is a declaration's last air date, but in a duplicate upload's carried-over entry
    ({"what", "to", ...}) where the thing went: the one label must not win for both."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rows = change_rows(None, {"to": "2026-12-31",
                                  "carried_over": {"applied": [{"what": "transcript", "to": "asset", "lang": "tr"}]}})
    labels = {r["field"]: r["after"] for r in rows}
    assert labels["Last air date"] == "2026-12-31"
    assert "To: the asset" in labels["Carried over"] and "What: Transcript" in labels["Carried over"]


@pytest.mark.parametrize("locale", ["tr", "az", "en"])
def test_a_processings_renditions_and_step_are_named_not_coded(app, locale):
    """The history of "Processing finished" ({"renditions": [...]}) and of a processing that
    started a step ({"status", "step"}) said the pipeline's own names: fingerprints, hls, probe."""
    with app.test_request_context(headers={"Accept-Language": locale}):
        rows = change_rows(None, {"renditions": ["fingerprints", "hls", "poster", "proxy"]})
        step_rows = change_rows(None, {"status": "processing", "step": "fingerprints"})
    shown = rows[0]["after"].split(", ")
    assert len(shown) == 4 and not {"fingerprints", "hls", "poster", "proxy"} & set(shown)
    assert not {"step", "fingerprints"} & {v for r in step_rows for v in (r["field"], r["after"])}
