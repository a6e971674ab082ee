"""Language analysis: the forms a word is indexed and looked up in, for every backend.

One module for indexing and querying, tantivy and Elasticsearch alike. Each word of a text
(search.normalize: Azerbaijani Cyrillic → Latin, NFC, Turkish lowercase) gets these forms:

- `n` normalised: the exact spelling (`şəki`), ranked highest;
- `f` folded: without the letters a foreign keyboard lacks (`seki`, `istanbul` for `Istanbul`);
- `s` stemmed: the folded Turkish Snowball stem (`türküleri` → `turku`);
- `x` cross-Turkic: the word with Azerbaijani and Turkish spellings made one (`TO_TURKISH`,
  `FINAL_DEVOICING`): `Qarabağ`/`Karabağ`, `Naxçıvan`/`Nahçıvan`, `Qorqud`/`Korkut` meet;
- `xs` cross-Turkic stem: the Turkish stem of the word written the Turkish way, so
  `aşıqları`/`aşıklar` meet; both ranked below the forms of one language;
- `e` English: the folded English (Porter2) Snowball stem, only for English texts
  (`title_en`, `description_en`), so `rigs` meets `rig`.

A suffix after an apostrophe is dropped on both sides (`Şuşa'da` → `şuşa`, `İstanbul'un` →
`istanbul`): Turkish and Azerbaijani write proper names' case endings that way, and as a word
of its own the suffix matches nothing useful.

A word's forms are cached together (`forms`, `functools.lru_cache`): a vocabulary repeats
far more than it grows. A new word's forms are made without further caches: folding is one
`str.translate` through a per-character table (`_CharTable`), the stems one Snowball call
each. Indexing analyses a document's texts together (`indexed_forms_many`): one
normalisation, one regular-expression pass and one transposition of the forms for all of
them; the work per text, not per word, was most of the analysis of short subtitle cues.
"""
from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from pathlib import Path

import snowballstemmer

from search.normalize import MAX_WORD, TEXT_BREAK, normalise, normalise_many, strip_marks

# Apostrophes people type between a name and its suffix: ASCII, typographic, modifier letter,
# grave and acute accents used as apostrophes.
APOSTROPHES = "'’ʼ‘`´"
_SUFFIX = re.compile(r"(?<=[^\W_])[" + APOSTROPHES + r"][^\W\d_]+")
# A word: letters and digits with any combining marks that survived NFC.
_WORD = re.compile(r"[^\W_][\u0300-\u036F]*(?:[^\W_][\u0300-\u036F]*)*")
_FOLD = str.maketrans({"ı": "i", "ə": "e", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u",
                       "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})

# The regular Azerbaijani ↔ Turkish spelling correspondences. Sources: the 1991 Azerbaijani
# Latin alphabet against the 1928 Turkish one (q, x, ə, w have no Turkish letter: Azerbaijani
# q is Turkish k — `Qarabağ`/`Karabağ`; x is h — `Naxçıvan`/`Nahçıvan`, `xan`/`han`; ə is e —
# `Dədə`/`Dede`), and final devoicing, which Turkish writes and Azerbaijani does not
# (`Qorqud`/`Korkut`, `Məhəmməd`/`Mehmet`, `kənd`/`kent`).
TO_TURKISH = str.maketrans({"q": "k", "x": "h", "ə": "e", "w": "v"})
FINAL_DEVOICING = {"b": "p", "d": "t", "g": "k"}
# The circumflex marks vowel length or a palatal consonant (`hikâye`, `kâğıt`) and is mostly
# not typed; Snowball's Turkish vowel harmony rules know only the plain vowels.
_CIRCUMFLEX = str.maketrans({"â": "a", "î": "i", "û": "u"})

_local = threading.local()


def _stemmer(language: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


def words(text: str) -> list[str]:
    """The normalised words of a text, in order, apostrophe suffixes dropped:
    `"Şuşa'da bir TOY"` → `["şuşa", "bir", "toy"]`. Words over MAX_WORD letters are noise
    (hashes, base64) and left out."""
    if not text:
        return []
    text = _SUFFIX.sub("", normalise(text))
    return [w for w in _WORD.findall(text) if len(w) <= MAX_WORD]


class _CharTable(dict):
    """A `str.translate` table filled on first use: each character's image under `image`.
    `fold` and the cross-Turkic spelling are maps of one character at a time (a translation,
    NFD, then the combining marks dropped: NFD's reordering moves only combining marks, which
    are dropped), so a word's form is its characters' forms joined, one `str.translate`."""

    def __init__(self, image):
        super().__init__()
        self.image = image

    def __missing__(self, code: int) -> str:
        value = self[code] = self.image(chr(code))
        return value


def _fold_char(char: str) -> str:
    return strip_marks(unicodedata.normalize("NFD", char.translate(_FOLD)))


_FOLDS = _CharTable(_fold_char)
# Folded first, then written the Turkish way: a word's cross form is a function of its folded
# form (`cross_of_folded`), so every document whose folded word is `u` has the cross form
# `cross_of_folded(u)`, even for a letter that folds to q, x or w (`ẋ` → `x` → `h`).
_CROSS_FOLDS = _CharTable(lambda char: _fold_char(char).translate(TO_TURKISH))


def fold(word: str) -> str:
    """The folded form of one normalised word: `'şəki'` → `'seki'`, `'ıstanbul'` → `'istanbul'`."""
    return word.translate(_FOLDS)


def _stem(word: str) -> str:
    override = _STEM_OVERRIDES.get(word)
    if override is not None:
        return override
    return _stemmer("turkish").stemWord(word.translate(_CIRCUMFLEX)).translate(_FOLDS)


@functools.lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """The folded Turkish Snowball stem of one normalised word: `'türküleri'` → `'turku'`;
    for a word of search/data/stems.txt or one of its inflections, that word folded
    (`'denizde'` → `'deniz'`, where Snowball gives `'de'`, as for `'dede'`)."""
    return _stem(word)


def _devoice(folded: str) -> str:
    if len(folded) > 2 and folded[-1] in FINAL_DEVOICING:
        return folded[:-1] + FINAL_DEVOICING[folded[-1]]
    return folded


def _cross(word: str) -> str:
    return _devoice(word.translate(_CROSS_FOLDS))


def cross_of_folded(folded: str) -> str:
    """The cross-Turkic form of every word whose folded form (`fold`) is `folded`:
    `cross(word) == cross_of_folded(fold(word))` for any word (`_CROSS_FOLDS` folds first)."""
    return _devoice(folded.translate(TO_TURKISH))


@functools.lru_cache(maxsize=500_000)
def cross(word: str) -> str:
    """The cross-Turkic form of one normalised word: written the Turkish way (TO_TURKISH),
    folded, the final consonant devoiced (FINAL_DEVOICING): `'qarabağ'` and `'karabağ'` →
    `'karabak'`, `'qorqud'` → `'korkut'`, `'naxçıvan'` → `'nahcivan'`."""
    return _cross(word)


def cross_covers_typos(folded: str) -> bool:
    """Whether every word one edit from the folded word `folded` (Levenshtein, a transposition
    one edit, as a typo clause counts them) has a cross-Turkic form one edit at most from
    `folded`'s: then a typo clause on the `x` forms finds every document a typo clause on the
    `f` forms finds (search.tantivy_backend walks only the `x` dictionary).

    The cross form is the folded form with each letter mapped on its own (TO_TURKISH's q → k,
    x → h, w → v, on folded letters: `_CROSS_FOLDS` is that map after `_FOLDS`), which keeps an
    edit one edit at most, then FINAL_DEVOICING of the last letter, which does not: it turns
    `kitab` into `kitap` but leaves `kitabı` alone, so the neighbours `kitab`/`kitabı` (an
    insertion at the end) and `kitba`/`kitab` (the last two transposed) are two edits apart in
    cross form. That happens only when a b, d or g is last in one of the two words, so only when
    `folded` has one among its last two letters: then False. A document word with a q, x or w
    carrying a precomposed accent (`ẋ`, `ŵ`) is covered too: it is folded before it is written
    the Turkish way (`_CROSS_FOLDS`)."""
    return not any(c in FINAL_DEVOICING for c in folded[-2:])


def cross_prefix(word: str) -> str:
    """`cross` for the start of a word (no final devoicing: the word goes on)."""
    return word.translate(_CROSS_FOLDS)


def _cross_stem(word: str) -> str:
    turkish = word.translate(TO_TURKISH)
    override = _CROSS_STEM_OVERRIDES.get(turkish)
    if override is not None:
        return _devoice(override)
    return _devoice(_stemmer("turkish").stemWord(turkish.translate(_CIRCUMFLEX)).translate(_FOLDS))


@functools.lru_cache(maxsize=500_000)
def cross_stem(word: str) -> str:
    """The cross-Turkic Turkish stem of one normalised word: `'aşıqları'` and `'aşıklar'` → `'asik'`."""
    return _cross_stem(word)


def _english(folded: str) -> str:
    return _stemmer("english").stemWord(folded)


@functools.lru_cache(maxsize=500_000)
def english(folded: str) -> str:
    """The English Snowball (Porter2) stem of a folded word: `'rigs'` → `'rig'`, `'dancing'` → `'danc'`."""
    return _english(folded)


# A word typed without its Turkish letters (`dugunler` for `düğünler`, `toylari` for `toyları`)
# breaks the vowel harmony Snowball's Turkish stemmer checks before it takes a suffix (`-ler`
# after a back `u`, `-i` after a back `a`), so the folded word keeps its suffixes. Turkish and
# Azerbaijani vowel harmony makes a word's vowels all front (e, i, ö, ü; Azerbaijani ə) or all
# back (a, ı, o, u), and a suffix follows the vowel before it (TDK Yazım Kılavuzu, "Ünlü
# uyumu"): of the folded vowels, `e` is front and `a` back, `u`, `o`, `i` may be either. The
# restoration reads each of those as the vowel before it (the first ones as the first vowel
# after them that tells), and a `g` between vowels once also as `ğ`; what the stemmer takes off
# the restored word is the folded word's stem. Two readings at most per word.
_FRONT = {"u": "ü", "o": "ö", "i": "i"}
_BACK = {"u": "u", "o": "o", "i": "ı"}
_TELLING = {"e": _FRONT, "ə": _FRONT, "ö": _FRONT, "ü": _FRONT, "a": _BACK, "ı": _BACK}
_INTERVOCALIC_G = re.compile(r"(?<=[aeıioöuüə])g(?=[aeıioöuüə])")


def harmonised(word: str) -> tuple[str, ...]:
    """The spellings a folded word may have had with its Turkish letters, by vowel harmony
    (the comment above): `'dugunler'` → `('dügünler', 'düğünler')`, `'toylari'` →
    `('toyları',)`; () when no vowel tells front from back or nothing changes."""
    folded = word.translate(_FOLDS)
    telling = [(i, _TELLING[c]) for i, c in enumerate(folded) if c in _TELLING]
    if not telling:
        return ()
    letters, side = list(folded), None
    for i, c in enumerate(folded):
        if c in _TELLING:
            side = _TELLING[c]
        elif c in _FRONT:
            letters[i] = (side or next(s for j, s in telling if j > i))[c]
    restored = "".join(letters)
    out = [restored] if restored != folded else []
    with_soft_g = _INTERVOCALIC_G.sub("ğ", restored)
    if with_soft_g != restored:
        out.append(with_soft_g)
    return tuple(out)


@functools.lru_cache(maxsize=200_000)
def restored_stems(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded Turkish stems, cross-Turkic stems) of a word's `harmonised` spellings that its
    own `forms` lack: `'dugunler'` → `(('dugun',), ('dugun',))`, so it meets `düğünler`'s
    stem. Empty for a word its stemmer already reads (`forms` has the stem)."""
    own = forms(word)
    stems, cross_stems = [], []
    for spelling in harmonised(word):
        for value, out, form in ((_stem(spelling), stems, own[2]), (_cross_stem(spelling), cross_stems, own[4])):
            if value != form and value != own[1] and len(value) >= 2 and value not in out:
                out.append(value)
    return tuple(stems), tuple(cross_stems)


# The form letters, in the order `forms` returns them after the normalised word itself.
FORMS = ("n", "f", "s", "x", "xs", "e")


@functools.lru_cache(maxsize=500_000)
def forms(word: str) -> tuple[str, str, str, str, str, str]:
    """(normalised, folded, stemmed, cross-Turkic, cross-Turkic stem, English stem) of one
    normalised word, cached together."""
    folded = word.translate(_FOLDS)
    return word, folded, _stem(word), _cross(word), _cross_stem(word), _english(folded)


def text_forms(text: str, *, english_text: bool = False) -> dict[str, list[str]]:
    """{form letter: word list} of a text, as it goes into the index: `n`, `f`, `s`, `x`, `xs`,
    and `e` when `english_text`. Empty lists when the text has no word."""
    letters = FORMS if english_text else FORMS[:-1]
    analysed = [forms(w) for w in words(text)]
    if not analysed:
        return {letter: [] for letter in letters}
    # One transposition instead of a pass per form (indexing analyses every text of every asset).
    return {letter: list(column) for letter, column in zip(letters, zip(*analysed))}


def indexed_forms(text: str, *, english_text: bool = False) -> dict[str, str]:
    """{form letter: its words joined by single spaces} of a text, as an engine field takes
    them (search.fields); empty when the text has no word."""
    letters = FORMS if english_text else FORMS[:-1]
    analysed = [forms(w) for w in words(text)]
    if not analysed:
        return {}
    return {letter: " ".join(column) for letter, column in zip(letters, zip(*analysed))}


# A word when the text has no combining mark (`_WORD` then finds the same runs), or a text break.
_PLAIN_WORD_OR_BREAK = re.compile(r"[^\W_]+|" + TEXT_BREAK)
_WORD_OR_BREAK = re.compile(_WORD.pattern + "|" + TEXT_BREAK)
_MARK = re.compile("[\u0300-\u036F]")
_HAS_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
_BREAK_FORMS = (TEXT_BREAK,) * len(FORMS)


def indexed_forms_many(texts: list[str], english_texts: list[bool] | None = None) -> list[dict[str, str]]:
    """`indexed_forms` of each text (`english_texts[i]`: whether text i is English), made for
    all the texts together: one normalisation (normalise_many), one pass of the regular
    expressions and one transposition of the words' forms with a break between texts, then
    each form's words joined once and cut at the breaks. An asset with a transcript has
    hundreds of cues of a few words each, where the work per text cost more than the words."""
    if not texts:
        return []
    normalised = TEXT_BREAK.join(normalise_many(texts))
    if _HAS_APOSTROPHE.search(normalised):
        normalised = _SUFFIX.sub("", normalised)
    tokens = (_WORD_OR_BREAK if _MARK.search(normalised) else _PLAIN_WORD_OR_BREAK).findall(normalised)
    analysed = [_BREAK_FORMS, *[_BREAK_FORMS if w == TEXT_BREAK else forms(w) for w in tokens if len(w) <= MAX_WORD],
                _BREAK_FORMS]
    # Each column joined: "\0 a b \0 c \0 \0": split at the breaks, each piece keeps a space on
    # either side from the join.
    columns = [[piece[1:-1] for piece in " ".join(column).split(TEXT_BREAK)[1:-1]] for column in zip(*analysed)]
    out = []
    for i, normal in enumerate(columns[0]):
        if not normal:
            out.append({})
        elif english_texts and english_texts[i]:
            out.append({letter: column[i] for letter, column in zip(FORMS, columns)})
        else:
            out.append({letter: column[i] for letter, column in zip(FORMS[:-1], columns)})
    return out


# A bare noun and its inflections meet in the index only if Snowball stems them alike, and
# for two kinds of inflection it does not: the third-person possessive `-(s)I` after a vowel
# stays partly on (`kalesi` → `kales`, `türküsü` → `turkus`, `dedesi` → `dedes`), and a noun
# that drops its last vowel before a vowel (ünlü düşmesi: `şehir` → `şehri`, `oğul` → `oğlu`,
# `burun` → `burnu`) keeps the shorter body (`şehrinin` → `sehri`, `şehrin` → `sehr`). A query
# word is a bare form far more often than a document's word (`kale` for "Şuşa şehrinin kalesi"),
# so the query side makes the word's common inflections (TDK Yazım Kılavuzu, "Ünlü uyumu",
# "Ünlü düşmesi", "Ünsüz yumuşaması": the possessive and the case endings on it, the case
# endings and the plural on the bare word; each vowel by harmony, a final p, ç, t, k softened
# before a vowel, a high vowel between the last two consonants dropped) and looks up their
# stems, made by the same stemmer as the document's (`inflected_stems`).
_VOWELS = "aeıioöuüə"
_BACK_VOWELS = "aıou"
_ROUNDED = "oöuü"
_VOICELESS = "çfhkpsşt"
_SOFTENED = {"p": "b", "ç": "c", "t": "d", "k": "ğ"}
# Words of one syllable mostly keep their final consonant (`kat` → `katı`, `süt` → `sütü`):
# softened are those in -nk (`renk` → `rengi`, `denk` → `dengi`) and these (TDK Yazım
# Kılavuzu, "Ünsüz yumuşaması").
_ONE_SYLLABLE_SOFTENING = frozenset({"dip", "uç", "kap", "kurt", "yurt", "dert", "taç", "gök", "çok"})
# The nouns that drop the high vowel of their last syllable before a suffix that starts with a
# vowel (`şehir` → `şehri`, `burun` → `burnu`); a rule of these words, not of every word of that
# shape (`bilim` → `bilimi`, `ekin` → `ekini`). TDK Yazım Kılavuzu, "Ünlü düşmesi".
_VOWEL_DROPPING = frozenset({
    "ağız", "akıl", "alın", "bağır", "beyin", "boyun", "böğür", "burun", "devir", "emir", "fikir", "gönül",
    "göğüs", "hapis", "hüküm", "isim", "kahır", "karın", "kayıp", "kısım", "metin", "nakit", "nesil",
    "oğul", "omuz", "ömür", "resim", "sabır", "şehir", "şekil", "vakit", "zehir", "zihin", "kabir",
    "ilim", "hatır", "asır", "cisim", "beniz"})


def _inflections(word: str) -> list[str]:
    """Common inflections of a bare Turkish noun (`word` normalised): the possessive `-(s)I`
    alone and with the case endings, the case endings and the plural on the word itself."""
    vowels = [c for c in word if c in _VOWELS]
    if not vowels or len(word) < 3:
        return []
    last = vowels[-1]
    back = last in _BACK_VOWELS
    a = "a" if back else "e"
    i = ("u" if back else "ü") if last in _ROUNDED else ("ı" if back else "i")
    vowel_end = word[-1] in _VOWELS
    # The bodies a suffix that starts with a vowel attaches to: the word, its final consonant
    # softened (`kitap` → `kitab-`, `renk` → `reng-`), its last high vowel dropped (`şehr-`).
    bodies = [word]
    if not vowel_end:
        if word[-1] in _SOFTENED and (len(vowels) > 1 or word.endswith("nk") or word in _ONE_SYLLABLE_SOFTENING):
            bodies.append(word[:-1] + ("g" if word[-1] == "k" and word[-2:-1] == "n" else _SOFTENED[word[-1]]))
        if word in _VOWEL_DROPPING:
            bodies.append(word[:-2] + word[-1])
    t = "t" if word[-1] in _VOICELESS else "d"
    out = []
    if vowel_end:
        possessive = [word + "s" + i]
        out += [word + "y" + i, word + "y" + a, word + "n" + i + "n"]
    else:
        possessive = [body + i for body in bodies]
        out += [body + ending for body in bodies for ending in (i, a, i + "n")]
    for p in possessive:
        out += [p, p + "n" + i, p + "n" + i + "n", p + "n" + a, p + "nd" + a, p + "nd" + a + "n"]
    # After the plural the possessive follows its unrounded `a`/`e` (`oyunları`, not `oyunlaru`).
    out += [word + t + a, word + t + a + "n", word + "l" + a + "r", word + "l" + a + "r" + ("ı" if back else "i")]
    return list(dict.fromkeys(out))


@functools.lru_cache(maxsize=100_000)
def inflected_stems(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded Turkish stems, cross-Turkic stems) of the common inflections of one normalised
    word (the comment above) that its own forms and `truncations` do not already look up:
    `'kale'` → `(('kales',), ('kales',))`, `'şehir'` → stems with `'sehri'` and `'sehr'`, so a
    document's `kalesi`, `şehrinin` meet the bare word."""
    own = forms(word)
    cuts = truncations(word)
    known = {own[1], own[2], *cuts[0]}
    known_cross = {own[3], own[4], *cuts[1]}
    stems, cross_stems = [], []
    # An inflected query word (`kaleler`, `şehirde`: one of its stem's inflections) is inflected
    # again from its stem, as typed (not folded: the vowels tell the harmony); a word the stemmer
    # only cut (`kalem` → `kale`) is not that word inflected. A stem under MIN_TRUNCATION letters
    # is often cut too short (`burun` → `bur`) to say which noun it was.
    body = _stemmer("turkish").stemWord(word.translate(_CIRCUMFLEX))
    inflections = _inflections(word)
    if body != word and len(body) >= MIN_TRUNCATION:
        of_body = _inflections(body)
        if word in of_body:
            inflections += of_body
    # Snowball reads a root's last `y` or `n` after a vowel as the joining consonant of a suffix
    # (`-yI`, `-yA`, `-nI`, `-nA`) and takes it off with the suffix: `alayı` → `ala`, `alanı`
    # → `ala`. That stem is shorter than MIN_TRUNCATION for a word of four letters, yet it is
    # the word less that letter, not a guess: it is looked up from BUFFER_CUT letters.
    cut, cut_cross = (word[:-1].translate(_FOLDS), _devoice(word[:-1].translate(_CROSS_FOLDS))) \
        if len(word) > BUFFER_CUT and word[-1] in "yn" and word[-2] in _VOWELS else (None, None)
    for inflected in inflections:
        stem_ = _stem(inflected)
        if (len(stem_) >= MIN_TRUNCATION or stem_ == cut) and stem_ not in known and stem_ not in stems:
            stems.append(stem_)
        crossed = _cross_stem(inflected)
        if (len(crossed) >= MIN_TRUNCATION or crossed == cut_cross) and crossed not in known_cross \
                and crossed not in cross_stems:
            cross_stems.append(crossed)
    return tuple(stems), tuple(cross_stems)


BUFFER_CUT = 3  # the shortest root less its `y`/`n` that `inflected_stems` looks up (`ala` of `alay`)


MIN_TRUNCATION = 4


@functools.lru_cache(maxsize=200_000)
def truncations(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded, cross-Turkic) beginnings of one normalised word, from one letter shorter than
    its stem to the whole word, at least MIN_TRUNCATION letters: what its stem may be in a
    document (or than the stem of a spelling `restored_stems` reads). Snowball's Turkish stemmer leaves the possessive `-(s)I` after a vowel
    (`türküsü` → `turkus`, `türküleri` → `turku`) and takes `-nI` for an accusative
    (`destanı` → `desta`): a query word tried at these lengths against the stems meets them.
    """
    out = []
    restored = restored_stems(word)
    known = word in _STEM_OVERRIDES
    for whole, stemmed, others in ((fold(word), stem(word), restored[0]),
                                   (cross_prefix(word), cross_stem(word), restored[1])):
        # A restored spelling's stem (restored_stems) may be shorter: `dugunde` → `dugu`.
        # A word of search/data/stems.txt has its stem from the table, not Snowball's guess.
        shortest = max(MIN_TRUNCATION, min(len(stemmed), len(whole), *map(len, others)) - (0 if known else 1))
        out.append(tuple(whole[:k] for k in range(shortest, len(whole) + 1)))
    return out[0], out[1]


# Words that join others rather than name something: optional in a query of other words, so
# `epic of Dede Korkut` finds `Dede Korkut`. Source: the Snowball English stop list (its
# articles, prepositions and conjunctions) and their Turkish and Azerbaijani counterparts.
STOP_WORDS = frozenset("""a an the of in on at to for from with by and or as into about
ve və ile ilə ya veya yaxud ki de da bu şu o için üçün""".split())


# Azerbaijani `ə` is Turkish `e` in most words (`Dədə`/`Dede`: the cross-Turkic form joins them)
# but `a` in many from Arabic and Persian, often beside an `e` (`Həsən`/`Hasan`, `Əli`/`Ali`,
# `xəbər`/`haber`, `Nəsrəddin`/`Nasreddin`, `qədim`/`kadim`, `Rəşid`/`Reşit`). For a Turkish
# spelling, the Azerbaijani letters each of its letters may be (TO_TURKISH read backwards, ə for
# a or e; at the end, FINAL_DEVOICING backwards); the readings that put an ə for an `a` are
# looked up in the normalised (`n`) forms, where ə is kept. Source: the spellings of these
# pairs in TDK Güncel Türkçe Sözlük and Azərbaycan dilinin izahlı lüğəti.
_AZERBAIJANI_LETTERS = {"a": "aə", "e": "eə", "k": "kq", "h": "hx"}
_AZERBAIJANI_FINAL = {devoiced: devoiced + voiced for voiced, devoiced in FINAL_DEVOICING.items()}
MIN_SCHWA_WORD = 3   # `at`/`ət` (horse/meat), `al`/`əl` (red/hand): two letters tell nothing apart
MAX_SCHWA_READINGS = 32


@functools.lru_cache(maxsize=100_000)
def schwa_readings(word: str, *, prefix: bool = False) -> tuple[tuple[str, str], ...]:
    """The other-language readings of one normalised word that the cross-Turkic form misses
    because Azerbaijani `ə` may be Turkish `a`, as (form letter, value) pairs:

    - a word with an `ə`: its cross-Turkic form (`cross`, or `cross_prefix` for a prefix) with
      some `ə` read as `a`, looked up in the `x` forms: `həsən` → `hasan`, `hesan`, `hasen`;
    - a word without: its Azerbaijani spellings with at least one `a` written `ə` (and `e`, `k`,
      `h` as `ə`, `q`, `x`, a final `t`, `p`, `k` as `d`, `b`, `g`), looked up in the `n`
      forms: `hasan` → `həsən`, `həsan`, `hasən`, …; `nasreddin` → `nəsrəddin`, ….

    Empty for words under MIN_SCHWA_WORD letters, without an `ə` or an `a`, or with more than
    MAX_SCHWA_READINGS readings (the other forms and one typo still apply)."""
    if len(word) < MIN_SCHWA_WORD:
        return ()
    if "ə" in word:
        where = [i for i, c in enumerate(word) if c == "ə"]
        if 2 ** len(where) > MAX_SCHWA_READINGS:
            return ()
        out = []
        for mask in range(1, 2 ** len(where)):
            letters = list(word)
            for bit, i in enumerate(where):
                if mask >> bit & 1:
                    letters[i] = "a"
            reading = "".join(letters)
            out.append(cross_prefix(reading) if prefix else cross(reading))
        return tuple(("x", r) for r in dict.fromkeys(out) if r != (cross_prefix(word) if prefix else cross(word)))
    if "a" not in word:
        return ()
    options = [_AZERBAIJANI_LETTERS.get(c, c) for c in word]
    if not prefix and word[-1] in _AZERBAIJANI_FINAL:
        options[-1] = "".join(dict.fromkeys(options[-1] + _AZERBAIJANI_FINAL[word[-1]]))
    if functools.reduce(lambda n, o: n * len(o), options, 1) > MAX_SCHWA_READINGS:
        return ()
    a_at = [i for i, c in enumerate(word) if c == "a"]
    return tuple(("n", "".join(r)) for r in itertools.product(*options) if any(r[i] == "ə" for i in a_at))


def key(word: str) -> str:
    """The loosest form of one normalised word (cross-Turkic stem), for synonym look-ups."""
    return forms(word)[4]


STEMS = Path(__file__).parent / "data" / "stems.txt"


def parse_stems(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(word, the words whose stem it took) of each line of search/data/stems.txt's text, all
    normalised: `deniz != dede, de` → `("deniz", ("dede", "de"))`; `#` starts a comment. A line
    that is not one word, or names one word twice, is a ValueError naming the line."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        head, _, tail = line.partition("!=")
        word = words(head)
        others = tuple(w for part in tail.split(",") for w in words(part))
        if len(word) != 1:
            raise ValueError(f"stems line {number}: one word before '!=', not {head.strip()!r}")
        if word[0] in others or len(set(others)) != len(others):
            raise ValueError(f"stems line {number}: a word named twice")
        out.append((word[0], others))
    return out


def override_spellings(word: str) -> tuple[str, ...]:
    """The spellings a word of search/data/stems.txt stems to itself in: the word and its common
    inflections (`_inflections`), as written; `stem_overrides` and Elasticsearch's
    `stemmer_override` rules (search.es_template) add each one folded."""
    return (word, *_inflections(word))


def stem_overrides(entries: list[tuple[str, tuple[str, ...]]]) -> tuple[dict[str, str], dict[str, str]]:
    """The stems of the words of search/data/stems.txt and of their common inflections
    (`_inflections`), as two look-ups keyed by each spelling as written and as typed without
    its Turkish letters (folded; a look-up is one dict access, before any folding): spelling →
    folded word (for `stem`), and spelling written the Turkish way (`TO_TURKISH`) → the word so
    written and folded (for `cross_stem`, before its final devoicing). Two words that claim one
    spelling for different stems are a ValueError: the table must say which one it is."""
    folded: dict[str, str] = {}
    crossed: dict[str, str] = {}
    for word, _others in entries:
        for spelling in override_spellings(word):
            for typed in dict.fromkeys((spelling, spelling.translate(_FOLDS))):
                for table, key, value in ((folded, typed, word.translate(_FOLDS)),
                                          (crossed, typed.translate(TO_TURKISH), word.translate(_CROSS_FOLDS))):
                    if table.setdefault(key, value) != value:
                        raise ValueError(f"stems: {spelling!r} is an inflection of {table[key]!r} and of {value!r}")
    return folded, crossed


# The lines of search/data/stems.txt, read once: the look-ups below and the Elasticsearch rules.
STEM_ENTRIES = parse_stems(STEMS.read_text(encoding="utf-8"))
_STEM_OVERRIDES, _CROSS_STEM_OVERRIDES = stem_overrides(STEM_ENTRIES)
