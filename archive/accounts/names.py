"""When two organisation names are the same name: `name_key`, the form compared for uniqueness.

Names are shown as typed; they are unique by their key (`organisations.name_key`, a unique
index, migration 0022), so "TRT" and "trt", or "İstanbul TV" and "ISTANBUL TV", cannot be two
organisations. The key:

- NFC (a decomposed `İ`, `I` + U+0307, is the composed one), runs of white space as one space;
- the four Turkish and Azerbaijani i's, `I`, `ı`, `İ`, `i`, are one letter (`i`): Turkish
  rules lowercase `I` to `ı` and `İ` to `i`, English rules `I` to `i`, and a name typed on
  either keyboard must meet the other (`ISTANBUL TV`, `İstanbul TV`, `istanbul tv`,
  `ıstanbul tv` are one name). Python's `str.lower()` alone would keep `İstanbul` apart
  (`i̇stanbul`, with a combining dot) and a Turkish lowercase would keep `ISTANBUL` apart;
- then Unicode full case folding (`str.casefold`: `ß` = `ss`), every other letter kept:
  `ş` ≠ `s`, `ə` ≠ `e`, `ö` ≠ `o` (they are other letters, not other cases).

A copy of this function, frozen as it was, is in migration 0022 (which fills the column).
"""
from __future__ import annotations

import unicodedata

_I = str.maketrans({"I": "i", "ı": "i", "İ": "i"})


def name_key(name: str) -> str:
    """The key `name` is unique by: `name_key("İstanbul  TV") == name_key("ıSTANBUL tv") ==
    "istanbul tv"`; `name_key("Şeki") != name_key("Seki")`."""
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    text = text.translate(_I).casefold().replace("i\u0307", "i")
    return unicodedata.normalize("NFC", text)
