"""Accessibility checks run in the page: axe-core (npm, installed by `npm ci`; injected only by
the tests) and the visibility of the keyboard focus, measured from computed styles."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.0 and 2.1 success criteria of levels A and AA, as axe-core tags its rules.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_FOCUS_CONTRAST = 3.0  # WCAG 2.1, 1.4.11 Non-text Contrast


@lru_cache(maxsize=1)
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (make assets)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now.

    Injected through the DevTools protocol (page.evaluate), which the page's
    Content-Security-Policy does not govern: the page under test keeps its real policy.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""", WCAG_AA_TAGS)
    return result


# Runs in the page: where the focus is and whether a person can see it there.
FOCUS_PROBE = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return {focused: null}; }
  const drawsRing = (e) => {
    const s = getComputedStyle(e);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  };
  // The ring is the element's own, or drawn around it by an ancestor (:focus-within).
  let ring = el;
  while (ring && ring !== document.body && !drawsRing(ring)) { ring = ring.parentElement; }
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const out = {focused: name(el), ring: null};
  if (!ring || ring === document.body) { return out; }
  const s = getComputedStyle(ring);
  const width = parseFloat(s.outlineWidth);
  const offset = parseFloat(s.outlineOffset) || 0;
  const box = ring.getBoundingClientRect();
  const outer = {left: box.left - offset - width, top: box.top - offset - width,
                 right: box.right + offset + width, bottom: box.bottom + offset + width};
  // Clipped: an ancestor that hides its overflow and does not hold the whole ring.
  let clippedBy = null;
  for (let a = ring.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
    const as = getComputedStyle(a);
    if (as.overflowX === 'visible' && as.overflowY === 'visible') { continue; }
    const r = a.getBoundingClientRect();
    if (outer.left < r.left - 0.5 || outer.top < r.top - 0.5 || outer.right > r.right + 0.5 ||
        outer.bottom > r.bottom + 0.5) { clippedBy = name(a); break; }
  }
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) { return null; }
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  // What the ring is drawn on: outside the box, the parent's background; inside, its own.
  const background = (start) => {
    const layers = [];
    for (let e = start; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
    }
    let base = {r: 255, g: 255, b: 255};  // the canvas
    for (let i = layers.length - 1; i >= 0; i--) {
      const c = layers[i];
      base = {r: c.r * c.a + base.r * (1 - c.a), g: c.g * c.a + base.g * (1 - c.a), b: c.b * c.a + base.b * (1 - c.a)};
    }
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const colour = rgba(s.outlineColor);
  const bg = background(offset >= 0 ? ring.parentElement : ring);
  const hi = Math.max(lum(colour), lum(bg)), lo = Math.min(lum(colour), lum(bg));
  const vw = window.innerWidth, vh = window.innerHeight;
  out.ring = {element: name(ring), style: s.outlineStyle, width: width, colour: s.outlineColor,
              background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`,
              contrast: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100,
              boxWidth: box.width, boxHeight: box.height, clippedBy: clippedBy,
              inViewport: box.bottom > 0 && box.top < vh && box.right > 0 && box.left < vw};
  return out;
}"""


def focus_state(page) -> dict:
    return page.evaluate(FOCUS_PROBE)


def assert_focus_visible(page, where: str = "") -> dict:
    """The focused element has a ring of ≥ 2 px, not clipped, ≥ 3:1 against what it is drawn
    on, around a box a person can see (not a 1 px visually-hidden one), inside the viewport."""
    state = focus_state(page)
    label = f"{where} {state.get('focused')}".strip()
    assert state["focused"], f"{where}: the focus is on the page itself, not on a control"
    ring = state["ring"]
    assert ring, f"{label}: no focus ring"
    assert ring["clippedBy"] is None, f"{label}: the ring is clipped by {ring['clippedBy']}"
    assert ring["boxWidth"] >= 4 and ring["boxHeight"] >= 4, f"{label}: the ring surrounds a {ring}"
    assert ring["contrast"] >= MIN_FOCUS_CONTRAST, f"{label}: ring contrast {ring}"
    assert ring["inViewport"], f"{label}: the focused control is off screen {ring}"
    return state
