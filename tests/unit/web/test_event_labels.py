"""Every event the code can record on an asset, and every usage action, has a label in the
pages' language: read from the source itself (every `events.record(..., subject_type="asset")`
and `change_status(...)` call), so a new event type without a label fails here, not on a page."""
from __future__ import annotations

import ast
from pathlib import Path

import archive
from archive.usage.services import ACTIONS
from archive.web.pages import ACTION_LABELS, USAGE_ACTION_LABELS, usage_label

ROOT = Path(archive.__file__).parent
# Functions that record an event whose action their caller names (their calls are read instead).
FORWARDERS = {"assets/status.py"}  # change_status(session, asset, status, error, action, ...)


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return out


def _strings(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """The values an `action` argument can take: a literal, a module constant, either branch of
    an `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) + _strings(node.orelse, constants)
    raise AssertionError(f"an event action the test cannot read: {ast.dump(node)[:200]}")


def recorded_asset_actions() -> dict[str, str]:
    """action → where it is recorded, for every event with an asset as its subject."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            kw = {k.arg: k.value for k in node.keywords}
            if name == "record" and "action" in kw and "subject_type" in kw:
                subject = kw["subject_type"]
                if path.relative_to(ROOT).as_posix() in FORWARDERS and getattr(kw["action"], "id", None) == "action":
                    continue  # its callers name the action: read below
                if isinstance(subject, ast.Constant) and subject.value == "asset":
                    for action in _strings(kw["action"], constants):
                        found[action] = f"{path.relative_to(ROOT)}:{node.lineno}"
            elif name == "change_status" and len(node.args) >= 5:  # archive.assets.status: always an asset
                for action in _strings(node.args[4], constants):
                    found[action] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_event_recorded_on_an_asset_has_a_label():
    actions = recorded_asset_actions()
    # The scan sees what it should (a scan that finds nothing would pass anything).
    assert {"asset.created", "asset.ready", "transcript.added", "transcript.replaced", "marker.added",
            "credentials.not_signed", "rights.block_created"} <= set(actions), sorted(actions)
    missing = {a: where for a, where in actions.items() if a not in ACTION_LABELS}
    assert not missing, f"events without a label in archive.web.pages.ACTION_LABELS: {missing}"


def test_every_usage_action_has_a_label(app):
    assert set(ACTIONS) <= set(USAGE_ACTION_LABELS)
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert usage_label("download", "original") == "İndirildi · Özgün dosya"
        assert usage_label("clip", "clip") == "Klip dışa aktarıldı"
        assert usage_label("download", "proxy") == "İndirildi · İzleme kopyası (MP4)"
