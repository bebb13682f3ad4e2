"""Reading market commentary: text extraction, finance sentiment, claim checking.

* :mod:`.extract`    plain text / Markdown / HTML -> paragraphs and sentences
* :mod:`.aliases`    names in commentary -> store tickers (extensible alias table)
* :mod:`.lexicon`    Loughran-McDonald word lists, market supplement, negation
* :mod:`.sentiment`  overall and per-instrument tone with the words that drove it
* :mod:`.claims`     quantitative claims: rule-based extraction and verification

Guide: ``docs/text.md``.
"""

from __future__ import annotations

from .aliases import Alias, AliasTable, Mention, load_aliases
from .claims import CheckReport, Claim, ClaimResult, check_document, check_text, extract_claims
from .extract import Document, parse_document, read_document, split_sentences
from .lexicon import Lexicon, load_lexicon
from .sentiment import InstrumentSentiment, SentimentResult, sentiment, sentiment_of_file

__all__ = ["Alias", "AliasTable", "Mention", "load_aliases", "CheckReport", "Claim",
           "ClaimResult", "check_document", "check_text", "extract_claims", "Document",
           "parse_document", "read_document", "split_sentences", "Lexicon", "load_lexicon",
           "InstrumentSentiment", "SentimentResult", "sentiment", "sentiment_of_file"]
