"""What a query means, for every backend: parsing the text a person typed, and the plan of
clauses a backend turns into its own query objects.

The syntax (nothing else is special; any other character only separates words):

- words: every word must match in some form (search.analysis: exact, folded, stemmed,
  cross-Turkic with Azerbaijani ə read as Turkish e or a, English stem; the stem of a word
  typed without its Turkish letters read with them by vowel harmony (`dugunler`); a synonym of
  search.synonyms; a word of 5+ letters one edit away), exact forms ranked highest, then
  folded, stemmed, cross-Turkic; below any of them, synonyms (a constant score tier), then fuzzy;
- `"a phrase"` (also “…”, «…», „…“): the words in a row; an unbalanced quote is ignored;
- `-word`, `-"a phrase"`, `NOT word`: documents with it are left out;
- `word*`: a prefix (two letters at least); with `as_you_type`, the last word is one too;
- `AND`, `OR`, `&&`, `||` (upper case) are dropped when there are other words: all words are
  required anyway. A query of only such words searches for them;
- a suffix after an apostrophe is dropped (`Şuşa'da` → `Şuşa`).

A text with characters but no searchable word (`🎉`, `***`, `*`, `-`, and control characters
alone: `\x00`, `\x1f`) is a QueryError with code `no_searchable_text`: answering it with the
whole archive would be a lie. Only an empty text, or one of spaces, tabs and line breaks
(`is_blank`), browses everything.
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Union

from search import analysis, synonyms
from search.interfaces import QueryError
from search.normalize import MAX_WORD

MAX_TEXT = 2000      # characters of a query read; the API refuses longer ones before this
MAX_TERMS = 32       # a pasted page is not a query; the first words say enough
MAX_PHRASE = 16
MIN_PREFIX = 2
MIN_FUZZY = 5        # letters a word needs before a typo in it is forgiven
# A word the archive has, as typed (folded), in at least `frequent_threshold(assets)` assets is
# taken as spelt as meant: its typo matches are left out (`plan(frequent=...)`). Source: Lucene's
# DirectSpellChecker, which offers no correction for a term in more than `maxQueryFrequency`
# (default 0.01) of the documents. TYPO_FREQUENT_MIN keeps a small archive's typos as they were.
TYPO_FREQUENT_SHARE = 0.01
TYPO_FREQUENT_MIN = 1000
OPERATORS = {"AND", "OR", "&&", "||"}
NOT = "NOT"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‟": '"'})
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')

NO_SEARCHABLE_TEXT = "no_searchable_text"
PREFIX_MARK = "*"  # after a prefix among ParsedQuery.words (no normalised word has it)


@dataclass(frozen=True)
class Term:
    """One unit of a query: a word (or the words of one token such as `mugam.mp4`), or a phrase."""
    words: tuple[str, ...]           # normalised (search.analysis.words)
    phrase: bool = False
    prefix: bool = False
    negated: bool = False
    text: str = ""                   # as typed, for "did you mean"


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.negated]

    @property
    def words(self) -> list[str]:
        """The positive words, for snippets, highlights and segment hits; a prefix's with
        PREFIX_MARK after it (`qarab*`: search.normalize and search.highlight mark the words it
        begins, where Snowball's stem of it, `qarap`, begins none)."""
        seen: list[str] = []
        for term in self.positive:
            words = [term.words[0] + PREFIX_MARK] if term.prefix else term.words
            seen += [w for w in words if w not in seen]
        return seen


def frequent_threshold(assets: int) -> int:
    """The number of assets (titles or bodies holding a word's folded form) from which the word
    is frequent: 1 % of `assets`, at least TYPO_FREQUENT_MIN."""
    return max(TYPO_FREQUENT_MIN, math.ceil(TYPO_FREQUENT_SHARE * assets))


def frequency_terms(word: str) -> list[tuple[str, str]]:
    """The (field, value) terms whose documents count towards a word's frequency
    (`frequent_threshold`): its folded form in each field group (`title_f`, `body_f`); a
    backend counts the assets that have any of them."""
    folded = analysis.fold(word)
    return [(f"{group}_f", folded) for group in GROUP_WEIGHT]


def typo_words(parsed: ParsedQuery) -> list[str]:
    """The words of `parsed` a typo would be forgiven in (a positive word, not a prefix nor in a
    phrase, of MIN_FUZZY letters or more), without repeats: the ones a backend asks about
    before `plan(frequent=...)`."""
    out: list[str] = []
    for term in parsed.positive:
        if term.phrase or term.prefix:
            continue
        word = term.words[0]
        if len(analysis.fold(word)) >= MIN_FUZZY and word not in out:
            out.append(word)
    return out


_LINE_CONTROLS = frozenset("\t\n\r")


def is_blank(text: str | None) -> bool:
    """Whether `text` is empty or only spaces, tabs and line breaks: Unicode white space that
    is not a control character, or tab, LF, CR. Other control characters (NUL, U+001C-U+001F,
    which Python's `str.strip` takes for white space, U+0085) are not blank: a query of them
    has characters and no word, and is refused rather than read as no query."""
    return all(c.isspace() and (c in _LINE_CONTROLS or unicodedata.category(c) != "Cc") for c in text or "")


def parse(text: str | None, *, as_you_type: bool = False) -> ParsedQuery:
    """The terms of a query text (the syntax in the module docstring).

    Raises QueryError (code `no_searchable_text`) when `text` has characters but no word
    (control characters alone included). An empty or blank text (`is_blank`) is an empty
    ParsedQuery (browse everything, newest first).
    """
    text = (text or "")[:MAX_TEXT]
    if is_blank(text):
        return ParsedQuery()
    text = text.replace("\x00", "").translate(_QUOTES)
    if text.count('"') % 2:  # an unbalanced quote: the last one is taken for a typo
        cut = text.rindex('"')
        text = text[:cut] + " " + text[cut + 1:]
    raw: list[tuple[str, bool, bool, bool]] = []  # (token, phrase, negated, prefix)
    for m in _TOKEN.finditer(text):
        if m.group(3) is None:
            raw.append((m.group(2), True, bool(m.group(1)), False))
            continue
        token = m.group(3)
        negated = token.startswith("-") and len(token) > 1
        token = token.lstrip("-+")
        raw.append((token, False, negated, token.endswith("*")))
    typing = as_you_type and raw and not raw[-1][1] and not text[-1].isspace()
    if typing:
        token, _phrase, negated, _prefix = raw[-1]
        raw[-1] = (token, False, negated, True)

    only_operators = all(tok in OPERATORS or tok == NOT for tok, phrase, *_ in raw if not phrase)
    terms: list[Term] = []
    negate_next = False
    for token, phrase, negated, prefix in raw:
        if not phrase and not only_operators:
            if token in OPERATORS:
                continue
            if token == NOT:
                negate_next = True
                continue
        negated, negate_next = negated or negate_next, False
        words = tuple(analysis.words(token))
        if not words and any(c.isalnum() for c in token):
            # Only words too long to be indexed (search.normalize.MAX_WORD): they match nothing.
            words = (analysis.fold(token[:MAX_WORD]),)
        if not words:
            continue
        if phrase and len(words) > 1:
            terms.append(Term(words[:MAX_PHRASE], phrase=True, negated=negated, text=token))
        elif negated and len(words) > 1:  # -foo.bar: leave out the two words in a row
            terms.append(Term(words[:MAX_PHRASE], phrase=True, negated=True, text=token))
        else:
            for i, word in enumerate(words):
                last = i == len(words) - 1
                terms.append(Term((word,), prefix=prefix and last and len(word) >= MIN_PREFIX,
                                  negated=negated, text=word if len(words) > 1 else token.rstrip("*")))
    if typing and len(terms) > 1 and len(terms[-1].words) == 1 and len(terms[-1].words[0]) < MIN_PREFIX \
            and terms[-1].text == raw[-1][0].lstrip("-+").rstrip("*"):
        # The first letter of a word being typed (`dede k`): too short for a prefix, and as a
        # word it would have to match, so every suggestion went at each new word. Left out.
        terms.pop()
    if not terms:
        raise QueryError("the query has no letter or digit to search for", code=NO_SEARCHABLE_TEXT)
    # Repeats add nothing: `istanbul İSTANBUL` is one term.
    unique: list[Term] = []
    for term in terms:
        if all((t.words, t.phrase, t.negated) != (term.words, term.phrase, term.negated) for t in unique):
            unique.append(term)
    return ParsedQuery(tuple(unique[:MAX_TERMS]))


# ---- the plan: backend-neutral clauses ----------------------------------------------------------

@dataclass(frozen=True)
class Match:
    """One term value in one field; `kind` is `term`, `prefix` or `fuzzy` (edit distance 1)."""
    field: str
    value: str
    boost: float
    kind: str = "term"


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    boost: float


@dataclass(frozen=True)
class Any_:
    """At least one of the clauses matches; the scores of those that do add up."""
    clauses: tuple["Clause", ...]


@dataclass(frozen=True)
class All:
    """Every clause matches."""
    clauses: tuple["Clause", ...]


@dataclass(frozen=True)
class Const:
    """`clause`'s matches, each scored `score` whatever the words' frequencies (a tier, not a
    relevance: search.query.plan ranks a word's own forms above its synonyms with it)."""
    clause: "Clause"
    score: float


Clause = Union[Match, Phrase, Any_, All, Const]


@dataclass(frozen=True)
class Plan:
    """A query's clauses. `top_must`, `top_should` and `top_score` are its top tier alone (`plan`:
    the documents with every word in its own forms, above all others whatever their relevance):
    matched by `top_must` and `must_not`, each scored its score under `must` and `should` less
    `top_score` (the same for all of them), so an engine may read a page of the top tier without
    the tiers' clauses and the typo and synonym clauses in its must (`top_score` 0: no tiers)."""
    must: tuple[Clause, ...] = ()
    must_not: tuple[Clause, ...] = ()
    should: tuple[Clause, ...] = ()  # optional: they only add to the score
    top_must: tuple[Clause, ...] = ()
    top_should: tuple[Clause, ...] = ()
    top_score: float = 0.0


# (form of the query word → field form, boost) per field group: the exact spelling first, a
# title above the rest. A stemmed field is also tried with the unstemmed folded word, since
# Snowball does not always stem a bare word as it stems the inflected one (`muğam` → `muğa`,
# `muğamları` → `muğam`); the same for the cross-Turkic stem.
WORD_FORMS = (("n", "n", 4.0), ("f", "f", 2.5), ("s", "s", 1.5), ("f", "s", 1.5), ("e", "e", 1.5),
              ("x", "x", 1.0), ("xs", "xs", 0.8), ("x", "xs", 0.8))
GROUP_WEIGHT = {"title": 1.0, "body": 0.4}
SYNONYM_WEIGHT = 0.5
# Each word ranks by how it matches (README "Searching"): its own forms (exact, folded, stemmed,
# cross-Turkic) above a synonym above a typo. Relevance (BM25) sums over fields and forms and a
# rare synonym or typo weighs more than a common word, so boosts alone could not keep that
# order: beside a synonym or a typo match, a document gets a constant (`should` clauses) of 2
# steps for each word matched in its own forms, 1 for each matched only by a synonym (a word
# without synonyms: 1 step for its own forms, none for a typo), where a step is
# OWN_FORM_SCORE more than the most the whole query can score by relevance (`most_score`);
# within a tier, relevance decides as before.
OWN_FORM_SCORE = 1.0
FUZZY_BOOST = 0.3
TRUNCATION_BOOST = 1.0
PREFIX_BOOST = 0.8
# The stem of a word typed without its Turkish letters read with them (analysis.restored_stems:
# `dugunler` → `dugun`): a stem, below the stem of the word as typed.
RESTORED_BOOST = 1.2
# The stems of the word's common inflections (analysis.inflected_stems: `kale` → `kales`, the
# stem of `kalesi`): the Turkish stem, as the document's word has it, so ranked as a stem.
INFLECTED_BOOST = 1.5
SCHWA_BOOST = 0.8    # a reading with Azerbaijani ə as Turkish a (analysis.schwa_readings), as `xs`
PHRASE_FORMS = (("n", 4.0), ("f", 2.5), ("x", 1.0))
_FORM_INDEX = {letter: i for i, letter in enumerate(analysis.FORMS)}


def word_clause(word: str, *, weight: float = 1.0, prefix: bool = False, fuzzy: bool = True) -> Any_:
    """Every way one normalised word may match, without repeats."""
    forms = analysis.forms(word)
    out: list[Clause] = []
    seen = set()

    def add(field: str, value: str, boost: float, kind: str = "term", key: tuple | None = None) -> None:
        # `key`: what makes a repeat (a term by field and value; a prefix or reading by its kind too).
        key = key or (field, value)
        if key not in seen:
            seen.add(key)
            out.append(Match(field, value, round(boost * weight, 4), kind))

    restored, restored_cross = analysis.restored_stems(word)
    inflected, inflected_cross = analysis.inflected_stems(word)
    folded_cuts, cross_cuts = analysis.truncations(word)
    for group, group_weight in GROUP_WEIGHT.items():
        for query_form, field_form, boost in WORD_FORMS:
            add(f"{group}_{field_form}", forms[_FORM_INDEX[query_form]], boost * group_weight)
        for field_form, values, boost in (("s", restored, RESTORED_BOOST), ("xs", restored_cross, RESTORED_BOOST / 2),
                                          ("s", inflected, INFLECTED_BOOST), ("xs", inflected_cross, INFLECTED_BOOST / 2)):
            for value in values:
                add(f"{group}_{field_form}", value, boost * group_weight)
        if prefix:
            for field_form, value, boost in (("f", forms[1], 1.0), ("x", analysis.cross_prefix(word), 0.5)):
                add(f"{group}_{field_form}", value, PREFIX_BOOST * boost * group_weight, "prefix",
                    key=(f"{group}_{field_form}", value, "prefix"))
        for field_form, value in analysis.schwa_readings(word, prefix=prefix):
            kind = "prefix" if prefix else "term"
            add(f"{group}_{field_form}", value, (PREFIX_BOOST * 0.5 if prefix else SCHWA_BOOST) * group_weight, kind,
                key=(f"{group}_{field_form}", value, kind))
        for field_form, cuts, boost in (("s", folded_cuts, TRUNCATION_BOOST), ("f", folded_cuts, TRUNCATION_BOOST),
                                        ("xs", cross_cuts, TRUNCATION_BOOST / 2), ("x", cross_cuts, TRUNCATION_BOOST / 2)):
            for cut in cuts:
                add(f"{group}_{field_form}", cut, boost * group_weight)
        if fuzzy and not prefix and len(forms[1]) >= MIN_FUZZY:
            out.append(Match(f"{group}_f", forms[1], round(FUZZY_BOOST * group_weight * weight, 4), "fuzzy"))
            out.append(Match(f"{group}_x", forms[3], round(FUZZY_BOOST / 2 * group_weight * weight, 4), "fuzzy"))
    return Any_(tuple(out))


def phrase_clause(words: tuple[str, ...], *, weight: float = 1.0) -> Any_:
    analysed = [analysis.forms(w) for w in words]
    return Any_(tuple(Phrase(f"{group}_{letter}", tuple(a[_FORM_INDEX[letter]] for a in analysed),
                             round(boost * group_weight * weight, 4))
                      for group, group_weight in GROUP_WEIGHT.items() for letter, boost in PHRASE_FORMS))


def _exclusion(term: Term) -> Clause:
    if len(term.words) > 1:
        return phrase_clause(term.words)
    # What the word would find, but typos and synonyms: `-saray` leaves out `Saraya` too.
    return word_clause(term.words[0], fuzzy=False)


def plan(parsed: ParsedQuery, *, synonym_table: synonyms.Synonyms | None = None,
         frequent: frozenset[str] = frozenset()) -> Plan:
    """The clauses of a parsed query: one `must` per positive term (or per run of words a
    synonym group matches), one `must_not` per negated term. A word in `frequent` (of
    `typo_words`, as the backend found it in the index: `frequent_threshold`) has no typo
    clause: a document with only a typo of it is not found."""
    table = synonym_table or synonyms.default()
    must: list[Clause] = []
    should: list[Clause] = []
    plain = [t for t in parsed.positive if not t.phrase]
    # Stop words are optional beside other words (`epic of Dede Korkut`), required alone (`of`).
    if any(t.words[0] not in analysis.STOP_WORDS for t in plain) or any(t.phrase for t in parsed.positive):
        should += [word_clause(t.words[0], fuzzy=False) for t in plain if t.words[0] in analysis.STOP_WORDS]
        plain = [t for t in plain if t.words[0] not in analysis.STOP_WORDS]
    spans = {start: (end, alts) for start, end, alts in
             table.spans([t.words[0] for t in plain])}
    tiers: list[tuple[Clause, int]] = []  # (clause, steps it adds)
    # The top tier (Plan): each tiered run of words must match in its own forms, scored as its
    # must clause scores them (the own forms' relevance, its typo matches' and synonyms' added).
    top_must: list[Clause] = []
    top_should: list[Clause] = []
    i = 0
    while i < len(plain):
        end, alternatives = spans.get(i, (i + 1, []))
        typed = [word_clause(t.words[0], prefix=t.prefix, fuzzy=t.words[0] not in frequent) for t in plain[i:end]]
        synonyms_: list[Clause] = []
        for alt in alternatives:
            clauses = [word_clause(w, weight=SYNONYM_WEIGHT, fuzzy=False) for w in alt]
            synonyms_.append(clauses[0] if len(clauses) == 1 else All(tuple(clauses)))
        if synonyms_ or any(m.kind == "fuzzy" for c in typed for m in c.clauses):
            own_words = [word_clause(t.words[0], prefix=t.prefix, fuzzy=False) for t in plain[i:end]]
            own = own_words[0] if len(own_words) == 1 else All(tuple(own_words))
            # A step for its own forms or a synonym, one more for its own forms: a document
            # with both is in the own forms' tier, not above it.
            tiers += [(Any_((own, *synonyms_)), 1), (own, 1)] if synonyms_ else [(own, 1)]
            top_must.append(own)
            for word in typed:
                typos = tuple(m for m in word.clauses if m.kind == "fuzzy")
                if typos:
                    top_should.append(Any_(typos))
            top_should += synonyms_
        else:
            top_must.extend(typed)
        if synonyms_:
            must.append(Any_((typed[0] if len(typed) == 1 else All(tuple(typed)), *synonyms_)))
        else:
            must.extend(typed)
        i = end
    phrases = [phrase_clause(t.words) for t in parsed.positive if t.phrase]
    must += phrases
    if not tiers:
        return Plan(tuple(must), tuple(_exclusion(t) for t in parsed.negative), tuple(should))
    step = OWN_FORM_SCORE + sum(most_score(c) for c in must + should)
    top = (tuple(top_must + phrases), tuple(top_should + should), step * sum(tier for _clause, tier in tiers))
    should += [Const(clause, tier * step) for clause, tier in tiers]
    return Plan(tuple(must), tuple(_exclusion(t) for t in parsed.negative), tuple(should), *top)


# BM25 (Robertson et al.; tantivy and Elasticsearch both: k1 1.2, b 0.75, idf ln(1 + (N - n +
# 0.5) / (n + 0.5))) gives one term at most idf × (k1 + 1), and idf is at most ln(1 + 2N) for
# N documents: MOST_DOCUMENTS bounds the archive an index holds.
BM25_K1 = 1.2
MOST_DOCUMENTS = 10**9


def most_score(clause: Clause) -> float:
    """The most `clause` can score under BM25 in an index of up to MOST_DOCUMENTS documents:
    every Match and Phrase it holds matching, each at its boost × (k1 + 1) × the largest idf
    (a phrase as its words' sum, at most MAX_PHRASE words); a Const its score."""
    if isinstance(clause, Match):
        return clause.boost * (BM25_K1 + 1) * math.log(1 + 2 * MOST_DOCUMENTS)
    if isinstance(clause, Phrase):
        return len(clause.words) * clause.boost * (BM25_K1 + 1) * math.log(1 + 2 * MOST_DOCUMENTS)
    if isinstance(clause, Const):
        return clause.score
    return sum(most_score(c) for c in clause.clauses)


# ---- matching alone: counts and exclusions -------------------------------------------------------

def counted(clause: Clause) -> Clause:
    """`clause` for matching alone (a total, facet counts, an exclusion: no score): the same
    documents, without the Matches of an Any_ whose documents another Match of that Any_ is
    sure to have, so an engine reads fewer postings and walks fewer term dictionaries. In a
    field group `g`, every document word gives all its forms (search.analysis), so:

    - `g_n` value v: the documents whose word is v, whose cross form is `analysis.cross(v)`;
    - `g_f` value u: those whose folded word is u, whose cross form is
      `analysis.cross_of_folded(u)`;
    - `g_f` prefix u: their cross form begins with `u` written the Turkish way (TO_TURKISH),
      or is `analysis.cross_of_folded(u)` (FINAL_DEVOICING changes the last letter of a word
      that is u itself: `kitab` → `kitap`);
    - `g_x` or `g_f` value v: a prefix of v in the same field has them;

    and a `g_x` cross form is found by a `g_x` term of that value, by a `g_x` typo (edit
    distance 1 covers 0) or a `g_x` prefix of it. Scores would change (each field adds its
    BM25): not for a scored search. Its typo Matches must be compiled too (a `g_x` term may be
    left out for its typo Match)."""
    if isinstance(clause, Const):
        return Const(counted(clause.clause), clause.score)
    if isinstance(clause, All):
        return All(tuple(counted(c) for c in clause.clauses))
    if not isinstance(clause, Any_):
        return clause
    matches = [c for c in clause.clauses if isinstance(c, Match)]
    cross_terms = {(m.field, m.value) for m in matches if m.kind in ("term", "fuzzy") and m.field.endswith("_x")}
    prefixes = [(m.field, m.value) for m in matches if m.kind == "prefix"]
    fuzzy_x = {(m.field, m.value) for m in matches if m.kind == "fuzzy" and m.field.endswith("_x")}

    def has_cross(group: str, value: str) -> bool:
        field = f"{group}_x"
        return (field, value) in cross_terms or any(f == field and value.startswith(p) for f, p in prefixes)

    def covered(m: Match) -> bool:
        group, form = m.field.rsplit("_", 1)
        if m.kind == "term":
            if form == "n":
                return has_cross(group, analysis.cross(m.value))
            if form == "f":
                return (has_cross(group, analysis.cross_of_folded(m.value))
                        or any(f == m.field and m.value.startswith(p) for f, p in prefixes))
            if form == "x":
                return (m.field, m.value) in fuzzy_x or any(f == m.field and m.value.startswith(p) for f, p in prefixes)
        if m.kind == "prefix" and form == "f" and m.value:
            return (f"{group}_x", m.value.translate(analysis.TO_TURKISH)) in prefixes and (
                m.value[-1] not in analysis.FINAL_DEVOICING or has_cross(group, analysis.cross_of_folded(m.value)))
        return False

    return Any_(tuple(counted(c) if not isinstance(c, Match) else c
                      for c in clause.clauses if not (isinstance(c, Match) and covered(c))))


# ---- "did you mean" -----------------------------------------------------------------------------

def suggestion(parsed: ParsedQuery, closest: Callable[[str], str | None],
               known: Callable[[str], bool] | None = None) -> str | None:
    """The query with each positive word replaced by `closest(word)` (a word of the index
    spelled like it, or None), as text; None when no word changes. A word `known(word)` says
    the index has in some form (search.query.word_clause without typos) is kept as typed:
    `halı -Qarabağ` finds nothing because of its exclusion, not a misspelling, and `halk
    -qarabağ` would answer another question."""
    parts, changed = [], False
    for term in parsed.terms:
        if term.phrase:
            parts.append(("-" if term.negated else "") + '"' + " ".join(term.words) + '"')
            continue
        word = term.words[0]
        better = None if term.negated or term.prefix or (known and known(word)) else closest(word)
        if better and better != word:
            changed = True
            word = better
        parts.append(("-" if term.negated else "") + word + ("*" if term.prefix else ""))
    return " ".join(parts) if changed else None


def candidates_from(texts: list[str], word: str) -> str | None:
    """The word of `texts` closest to `word` (difflib's ratio, at least 0.75), or None."""
    vocabulary = {w for text in texts for w in analysis.words(text) if w != word}
    found = difflib.get_close_matches(word, sorted(vocabulary), n=1, cutoff=0.75)
    if found:
        return found[0]
    folded = {analysis.fold(w): w for w in vocabulary}
    found = difflib.get_close_matches(analysis.fold(word), sorted(folded), n=1, cutoff=0.75)
    return folded[found[0]] if found else None


__all__ = ["All", "Any_", "Clause", "Const", "Match", "NO_SEARCHABLE_TEXT", "ParsedQuery", "Phrase", "Plan", "Term",
           "candidates_from", "counted", "parse", "phrase_clause", "plan", "suggestion", "word_clause"]
