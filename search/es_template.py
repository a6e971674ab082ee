"""The Elasticsearch index template: settings, analysers and mappings, made from the tables of
search.analysis and search/data/synonyms.txt so both backends share one definition.

Two kinds of text field:

- the word fields `<title|body>_<n|f|s|x|xs|e>` receive words search.analysis made (a
  whitespace analyser only): our queries use them, so ranking is the same as on tantivy and
  does not depend on which plugins a cluster has;
- the language fields `text_tr`, `text_az`, `text_en`, `text_names` receive the raw text and
  analyse it in Elasticsearch the same way, with multi-fields per form: the field itself
  (Azerbaijani Cyrillic → Latin by a `mapping` char filter, apostrophe suffixes dropped,
  `lowercase` with `language: turkish`), `.folded` (`asciifolding` with `preserve_original`),
  `.stem` (the `turkish` Snowball stemmer, `porter2` on English) and `.cross` (the cross-Turkic
  correspondences as a `mapping` char filter, folded, stemmed, the final consonant devoiced).
  Their search analyser adds the synonym groups as a `synonym_graph` filter, so multi-word
  synonyms (`Qara dəniz` ↔ `Karadeniz`) match as graphs. Queries add them as an optional
  clause; they also serve other clients of the cluster (dashboards) and highlighting.

Segments (transcript cues and player markers) are `nested` documents under SEGMENTS_FIELD,
one per segment (segment_mapping): its timecodes (`in`, `out` as given, `in_seconds`,
`out_seconds` in seconds), `source` (its kind: `marker` or `transcript`), `lang`, `text` (a
language field as above, with its multi-fields) and the same `body_<form>` word fields as the
asset, so a `nested` query with `inner_hits` says which segments of a hit matched, ranked
(search.elasticsearch_backend). The asset's own `body_<form>` fields hold its segments' words
too, as the tantivy asset index does, so an asset matches and ranks the same on both backends.

osmem-server (tests) ignores `mapping` char filters and `synonym_graph`; the cases that need
them run against a real Elasticsearch (ORTAK_ES_URL).
"""
from __future__ import annotations

import functools
import re
from typing import Any

from search import analysis, fields, normalize, synonyms
from search.interfaces import FACETS

# The 1991 Azerbaijani Cyrillic alphabet (search.normalize transliterates it with ICU's
# az_Cyrl-az/BGN); letters outside it are left to ICU in Python and unmapped here.
AZ_CYRILLIC = "АБВГҒДЕӘЖЗИЫЈКҜЛМНОӨПРСТУҮФХҺЧҸШ"
_LATIN = re.compile(r"^[A-Za-zÇçĞğİıÖöŞşÜüƏə]+$")
LANGUAGE_FIELDS = {"text_tr": ("title_tr", "description_tr"), "text_az": ("title_az", "description_az"),
                   "text_en": ("title_en", "description_en")}
NAMES_FIELD = "text_names"  # people, places, keywords, organisation, file name
SEGMENTS_FIELD = "segments"  # nested: one document per transcript cue or marker (segment_mapping)
# The word fields a segment has: the asset's body group (search.fields.document_forms).
SEGMENT_WORD_FIELDS = tuple(f"body_{form}" for form in analysis.FORMS)
WORDS = {"type": "text", "analyzer": "ortak_words", "norms": True}
# Kept in the segment's _source for the hit, neither searched nor sorted on.
KEPT = {"type": "keyword", "index": False, "doc_values": False}


@functools.lru_cache(maxsize=1)
def cyrillic_mappings() -> tuple[str, ...]:
    """`mapping` char filter lines `Ә => Ə` for upper and lower case, from ICU's own table."""
    out = []
    for upper in AZ_CYRILLIC:
        for letter in (upper, upper.lower()):
            latin = normalize._transliterator().transliterate(letter)
            if _LATIN.match(latin):
                out.append(f"{letter} => {latin}")
    return tuple(out)


def cross_turkic_mappings() -> tuple[str, ...]:
    """search.analysis.TO_TURKISH as `mapping` lines, upper and lower case."""
    out = []
    for source, target in analysis.TO_TURKISH.items():
        src, dst = chr(source), chr(target) if isinstance(target, int) else target
        out += [f"{src} => {dst}", f"{src.upper()} => {dst.upper()}"]
    return tuple(out)


def synonym_rules() -> list[str]:
    """search/data/synonyms.txt as Solr rules (`a, b c, d`), words normalised as our queries'."""
    return [", ".join(" ".join(member) for member in group) for group in synonyms.default().groups]


def stem_override_rules(*, cross: bool = False) -> list[str]:
    """search/data/stems.txt as `stemmer_override` rules (`denizde, denizden => deniz`): each
    word's spellings (search.analysis.stem_overrides: the word and its common inflections, as
    written and folded) as the stemmed analysers see them, after `lowercase` and, for the
    cross-Turkic analyser (`cross`), after the cross-Turkic `mapping`."""
    out, seen = [], set()
    for word, _others in analysis.STEM_ENTRIES:
        spellings = list(analysis.override_spellings(word))
        if cross:
            spellings, word = [s.translate(analysis.TO_TURKISH) for s in spellings], word.translate(analysis.TO_TURKISH)
        # A spelling once (`deniz` folds `dəniz`'s too): the first rule that has it wins.
        keys = [k for k in dict.fromkeys([*spellings, *(analysis.fold(s) for s in spellings)]) if k not in seen]
        seen.update(keys)
        if keys:
            out.append(f"{', '.join(keys)} => {word}")
    return out


def settings() -> dict[str, Any]:
    text_chain = ["ortak_cyrillic", "ortak_apostrophe"]
    devoice = [f"ortak_devoice_{c}" for c in analysis.FINAL_DEVOICING]
    return {
        "number_of_shards": 1,
        "analysis": {
            "char_filter": {
                "ortak_cyrillic": {"type": "mapping", "mappings": list(cyrillic_mappings())},
                "ortak_cross_turkic": {"type": "mapping", "mappings": list(cross_turkic_mappings())},
                # search.analysis.APOSTROPHES: the suffix after one is dropped (`Şuşa'da` → `Şuşa`).
                # No look-behind: RE2-based servers (osmem) refuse it.
                "ortak_apostrophe": {"type": "pattern_replace", "replacement": "$1",
                                     "pattern": r"([\p{L}\p{N}])[" + analysis.APOSTROPHES + r"]\p{L}+"},
            },
            "tokenizer": {
                # search.analysis.words: runs of letters, digits and combining marks.
                "ortak_letters": {"type": "pattern", "pattern": r"[^\p{L}\p{N}\p{M}]+"},
            },
            "filter": {
                "ortak_lowercase": {"type": "lowercase", "language": "turkish"},
                # Lucene's asciifolding (and osmem's) makes `ə` an `a`; ours (search.analysis) an `e`.
                "ortak_schwa": {"type": "pattern_replace", "pattern": "ə", "replacement": "e"},
                "ortak_fold": {"type": "asciifolding", "preserve_original": True},
                "ortak_fold_only": {"type": "asciifolding", "preserve_original": False},
                "ortak_turkish_stem": {"type": "stemmer", "language": "turkish"},
                # search/data/stems.txt: words Snowball would cut to another word's stem.
                "ortak_stem_override": {"type": "stemmer_override", "rules": stem_override_rules()},
                "ortak_cross_stem_override": {"type": "stemmer_override", "rules": stem_override_rules(cross=True)},
                "ortak_english_stem": {"type": "stemmer", "language": "porter2"},
                **{f"ortak_devoice_{c}": {"type": "pattern_replace", "pattern": f"^(.{{2,}}){c}$",
                                          "replacement": f"$1{v}"} for c, v in analysis.FINAL_DEVOICING.items()},
                "ortak_synonyms": {"type": "synonym_graph", "synonyms": synonym_rules(), "lenient": True},
            },
            "analyzer": {
                "ortak_words": {"type": "custom", "tokenizer": "whitespace"},
                "ortak_exact": {"type": "custom", "char_filter": text_chain, "tokenizer": "ortak_letters",
                                "filter": ["ortak_lowercase"]},
                "ortak_search": {"type": "custom", "char_filter": text_chain, "tokenizer": "ortak_letters",
                                 "filter": ["ortak_lowercase", "ortak_synonyms"]},
                "ortak_folded": {"type": "custom", "char_filter": text_chain, "tokenizer": "ortak_letters",
                                 "filter": ["ortak_lowercase", "ortak_schwa", "ortak_fold"]},
                "ortak_stem_tr": {"type": "custom", "char_filter": text_chain, "tokenizer": "ortak_letters",
                                  "filter": ["ortak_lowercase", "ortak_stem_override", "ortak_turkish_stem", "ortak_schwa",
                                             "ortak_fold_only"]},
                "ortak_stem_en": {"type": "custom", "char_filter": text_chain, "tokenizer": "ortak_letters",
                                  "filter": ["ortak_lowercase", "ortak_schwa", "ortak_fold_only", "ortak_english_stem"]},
                "ortak_cross": {"type": "custom", "char_filter": [*text_chain, "ortak_cross_turkic"],
                                "tokenizer": "ortak_letters",
                                "filter": ["ortak_lowercase", "ortak_cross_stem_override", "ortak_turkish_stem", "ortak_schwa",
                                           "ortak_fold_only", *devoice]},
            },
        },
    }


def _language_field(stem: str) -> dict[str, Any]:
    return {"type": "text", "analyzer": "ortak_exact", "search_analyzer": "ortak_search",
            "fields": {"folded": {"type": "text", "analyzer": "ortak_folded"},
                       "stem": {"type": "text", "analyzer": stem},
                       "cross": {"type": "text", "analyzer": "ortak_cross"}}}


def segment_mapping() -> dict[str, Any]:
    """The `nested` mapping of SEGMENTS_FIELD: one hidden Lucene document per segment, strict
    like the asset's. `in`/`out` are the timecodes as the archive gives them (kept, not
    searched), `in_seconds`/`out_seconds` seconds from the start (a range query can find
    segments by time), `source` the kind (`marker`, `transcript`), `lang` its language code,
    `text` the raw text analysed as the names field is (Turkish stemmer: a cue's language is
    not known to be one of ours), and SEGMENT_WORD_FIELDS the words search.analysis made of
    it, which our queries use."""
    return {"type": "nested", "dynamic": "strict", "properties": {
        "in": KEPT, "out": KEPT, "in_seconds": {"type": "double"}, "out_seconds": {"type": "double"},
        "source": {"type": "keyword"}, "lang": {"type": "keyword"}, "text": _language_field("ortak_stem_tr"),
        **{name: WORDS for name in SEGMENT_WORD_FIELDS}}}


def mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "keyword"},
            **{field: WORDS for field in fields.TEXT_FIELDS},
            **{name: _language_field("ortak_stem_en" if name == "text_en" else "ortak_stem_tr")
               for name in (*LANGUAGE_FIELDS, NAMES_FIELD)},
            **{facet: {"type": "keyword"} for facet in FACETS},
            SEGMENTS_FIELD: segment_mapping(),
            # What is open today by platform × territory × licensee (search.cleared): filtered, never scored.
            fields.CLEARED_FIELD: {"type": "keyword", "norms": False, "doc_values": False},
            "created": {"type": "date"},
            # The organisation that finds the asset before it is ready (search.fields.PUBLIC_STATUSES, HIDDEN_STATUSES).
            fields.OWNER_FIELD: {"type": "keyword"},
            # Sorts and the recording-date range (search.fields.sort_values; title keys halved to fit a long).
            **{name: {"type": "long"} for name in fields.SORT_INTEGERS},
            # The title order (search.fields.SORT_TEXTS): the whole collation key, hexadecimal.
            **{name: {"type": "keyword"} for name in fields.SORT_TEXTS},
            # The mapped document as given but its segments (counted: `segment_count`), for
            # titles and snippets; not searchable itself.
            "source": {"type": "object", "enabled": False},
        },
    }


def template(alias: str) -> dict[str, Any]:
    """The body of `PUT _index_template/<alias>`: every index `<alias>-*` gets these settings
    and mappings (`ortak reindex` makes a new one and moves the alias to it)."""
    return {"index_patterns": [f"{alias}-*"], "priority": 100,
            "template": {"settings": settings(), "mappings": mappings()},
            "_meta": {"made_by": "ortak search.es_template"}}


def language_texts(doc: dict[str, Any]) -> dict[str, list[str]]:
    """The raw texts of a mapped document for the language fields (empty ones left out); its
    segments' texts are in their nested documents (segment_documents)."""
    out = {name: [doc[f] for f in sources if doc.get(f)] for name, sources in LANGUAGE_FIELDS.items()}
    names: list[Any] = []
    for field in fields.OTHER_TEXT_FIELDS:
        value = doc.get(field)
        names.extend(value if isinstance(value, list) else [value])
    out[NAMES_FIELD] = [str(v) for v in names if v]
    return {k: [str(t) for t in v] for k, v in out.items() if v}


def segment_documents(segments: list[dict], analysed: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The nested documents of SEGMENTS_FIELD for a mapped document's segments
    (search.fields.segments_of, in that order: the position a hit's `inner_hits` report as
    `_nested.offset`): each segment as a hit lists it (search.fields.segment_hit) and its
    words, `analysed` being search.fields.document_forms' analysis of each segment ({} for
    one without a word)."""
    return [{**fields.segment_hit(seg), **{f"body_{form}": joined for form, joined in words.items()}}
            for seg, words in zip(segments, analysed)]
