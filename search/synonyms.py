"""The curated Turkish ↔ Azerbaijani ↔ English synonym groups (search/data/synonyms.txt).

Applied at query time only: the index keeps what the metadata says, and the list can change
without a reindex. Members are matched on their cross-Turkic stems (search.analysis.key), so
`halıları`, `HALI` and `hali` all find the group of `halı`, and a member of several words
(`Qara dəniz`) matches those words in a row. A word no member matches so is tried once more
with Azerbaijani `ə` read as Turkish `a` too (`schwa_key`): `Molla Nasreddin` finds the group
of `Molla Nəsrəddin`.
"""
from __future__ import annotations

import functools
from pathlib import Path

from search import analysis

DATA = Path(__file__).parent / "data" / "synonyms.txt"
MAX_SPAN = 4  # the longest member, in words
# Letters a schwa_key needs (all its words): shorter stems meet by chance (`masa`, a table,
# and `meşə`, a forest, both read `mes`), as a typo is forgiven only in a word of five letters.
MIN_SCHWA_LETTERS = 5


def parse(text: str) -> list[list[list[str]]]:
    """Groups of members, each member its normalised words, from the file's text: one group
    a line, members separated by `|`, `#` starts a comment. A member without a word, or a
    group of fewer than two different members, is a ValueError naming the line."""
    groups = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        members = []
        for raw in line.split("|"):
            member = analysis.words(raw)
            if not member:
                raise ValueError(f"synonyms line {number}: a member without a word: {raw.strip()!r}")
            if len(member) > MAX_SPAN:
                raise ValueError(f"synonyms line {number}: {raw.strip()!r} is longer than {MAX_SPAN} words")
            if member not in members:
                members.append(member)
        if len({_keys(m) for m in members}) < 2:
            raise ValueError(f"synonyms line {number}: a group needs two different members")
        groups.append(members)
    return groups


def _keys(words: list[str]) -> tuple[str, ...]:
    return tuple(analysis.key(w) for w in words)


# The forms a member is found by (search.analysis.forms): cross-Turkic stem, cross-Turkic word
# (Snowball stems a bare word unlike its inflections: `halı` → `hal`, `halıları` → `halı`),
# English stem (`carpets` → `carpet`).
_LOOKUP_FORMS = (4, 3, 5)


def _lookup_keys(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(analysis.forms(w)[i] for w in words) for i in _LOOKUP_FORMS]


def schwa_key(words: list[str]) -> tuple[str, ...]:
    """The cross-Turkic stems of `words` with every `a` read as `e`. The cross-Turkic form
    writes Azerbaijani `ə` as Turkish `e` (`Dədə`/`Dede`, `Gəncə`/`Gence`), but in words from
    Arabic and Persian Turkish writes it `a` as often (`Nəsrəddin`/`Nasreddin`,
    `Həsən`/`Hasan`, `xəbər`/`haber`, `həftə`/`hafta`), and often both in one word. Only a
    look-up where one side has an `ə` uses it (`Synonyms.alternatives`): Turkish words that
    differ by `a`/`e` alone (`kar`/`ker`, `bal`/`bel`) stay apart. Source: the correspondences
    of these pairs in TDK Güncel Türkçe Sözlük and Azərbaycan dilinin izahlı lüğəti (the
    sources of search/data/synonyms.txt)."""
    return tuple(analysis.key(w).replace("a", "e") for w in words)


def _has_schwa(words: list[str]) -> bool:
    return any("ə" in w for w in words)


def _long_enough(loose: tuple[str, ...]) -> bool:
    return sum(map(len, loose)) >= MIN_SCHWA_LETTERS


def _begins_alike(words: list[str], member: list[str]) -> bool:
    """Whether each query word begins as the member's word does, its last two letters aside
    (cross-Turkic forms: `denizleri`, `dənizin` and `deniz`; `kitabı` and `kitap`; `şehri` and
    `şehir`). Snowball cuts some bare words to a stem another word has
    (`dede` and `deniz` both to `de`): a stem alone does not make a member."""
    for word, own in zip(words, member):
        typed, kept = analysis.forms(word)[3], analysis.forms(own)[3]
        if not typed.startswith(kept[:max(len(kept) - 2, 2)]):
            return False
    return len(words) == len(member)


class Synonyms:
    """Look-ups over parsed groups: `expand(words)` → spans with their alternatives."""

    def __init__(self, groups: list[list[list[str]]]):
        self.groups = groups
        # Look-up key → (member, the group's other members) of each member it is a key of.
        self._by_key: dict[tuple[str, ...], list[tuple[list[str], list[list[str]]]]] = {}
        # schwa_key → alternatives, of the members with an `ə` and of those without one.
        self._by_schwa: dict[bool, dict[tuple[str, ...], list[list[str]]]] = {True: {}, False: {}}
        for members in groups:
            for member in members:
                others = [other for other in members if _keys(other) != _keys(member)]
                loose = schwa_key(member)
                for lookup in _lookup_keys(member):
                    entries = self._by_key.setdefault(lookup, [])
                    if all(m != member for m, _others in entries):
                        entries.append((member, others))
                if _long_enough(loose):
                    alternatives = self._by_schwa[_has_schwa(member)].setdefault(loose, [])
                    alternatives += [other for other in others if other not in alternatives]

    def alternatives(self, words: list[str]) -> list[list[str]]:
        """The other members (as word lists) of every group that has `words` as a member,
        compared by cross-Turkic stem or word, or English stem; when none is, by schwa_key."""
        out: list[list[str]] = []
        lookups = _lookup_keys(words)
        if len(words) == 1:  # `müsahibəsi`: the stem Snowball misses is one of its beginnings
            lookups += [(cut,) for cut in reversed(analysis.truncations(words[0])[1])]
        for lookup in lookups:
            for member, others in self._by_key.get(lookup, []):
                if _begins_alike(words, member):
                    out += [m for m in others if m not in out and m != words]
        loose = schwa_key(words)
        if not out and _long_enough(loose):
            # `ə` read as `a`: a query word with an `ə` meets any member, one without meets
            # the members that have one (schwa_key).
            tables = (self._by_schwa[True], self._by_schwa[False]) if _has_schwa(words) else (self._by_schwa[True],)
            for table in tables:
                out += [m for m in table.get(loose, []) if m not in out and m != words]
        return out

    def spans(self, words: list[str]) -> list[tuple[int, int, list[list[str]]]]:
        """(start, end, alternatives) for the longest members found in `words`, left to right,
        not overlapping: `["qara", "dəniz", "mahnıları"]` → `[(0, 2, [["karadeniz"], ...]),
        (2, 3, [["şarkı"], ["song"]])]`."""
        out, i = [], 0
        while i < len(words):
            for n in range(min(MAX_SPAN, len(words) - i), 0, -1):
                found = self.alternatives(words[i:i + n])
                if found:
                    out.append((i, i + n, found))
                    i += n
                    break
            else:
                i += 1
        return out


@functools.lru_cache(maxsize=1)
def default() -> Synonyms:
    """The groups of search/data/synonyms.txt, read once per process."""
    return Synonyms(parse(DATA.read_text(encoding="utf-8")))
