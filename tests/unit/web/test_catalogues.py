"""Every page and message in tr, az and en: each catalogue translates every string the code marks,
and the code marks no string the catalogues lack (a new string without its three translations fails)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = ROOT / "archive" / "translations"


def _catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code marks today (what `scripts/i18n.sh --extract` would write)."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "--no-location",
                    "-o", str(out), "archive"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    with out.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_every_marked_string_is_translated(extracted, lang):
    catalogue = _catalogue(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    missing = sorted(extracted - ids)
    assert missing == [], f"{lang}: strings without a translation (run scripts/i18n.sh --extract, then translate)"
    empty = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert empty == [], f"{lang}: empty translations"
    assert not [m.id for m in catalogue if m.id and m.fuzzy], f"{lang}: fuzzy translations"


# One word for each term in each language, as the clip page says it: a master is `ana kayıt` /
# `əsas yazı`, a timecode `zaman kodu` / `vaxt kodu` (not `ana kopya`, `master nüsxə`,
# `taym-kod`, `zaman kodu` in az beside `vaxt kodu`).
TERMS = {"master": {"tr": ("ana kay", ("ana kopya", "ana dosya", "master")),
                    "az": ("əsas yazı", ("master", "nüsxə"))},
         "timecode": {"tr": ("zaman kod", ("timecode", "zaman damga")),
                      "az": ("vaxt kod", ("taym", "zaman kod", "timecode"))}}


@pytest.mark.parametrize("lang", ["tr", "az"])
@pytest.mark.parametrize("term", sorted(TERMS))
def test_one_word_for_a_term(lang, term):
    """Every translation of a string that names the term uses the language's one word for it."""
    word, others = TERMS[term][lang]
    off = []
    for m in _catalogue(lang):
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        text = re.sub(r"%\(\w+\)s", "", " ".join(m.string) if isinstance(m.string, tuple) else m.string)
        if msgid and term in msgid.lower().replace("time code", "timecode").replace("time-code", "timecode"):
            named = text.lower().replace("zaman kodu", "zaman kod") if lang == "tr" else text.lower()
            if word not in named or any(o in named.replace(word, "") for o in others):
                off.append((msgid, text))
    assert off == [], off
