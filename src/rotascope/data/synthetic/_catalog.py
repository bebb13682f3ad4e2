"""Fixed catalogue of the synthetic market: sectors, the Mag-7 cluster, ETFs and universes.

Everything here is static data; :mod:`._engine` turns it into prices. Real ticker
symbols are used for the derived ETFs and series so the unchanged pipeline (universes,
report, CLI) runs on the synthetic store; every *name* starts with ``"Synthetic "``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__: list[str] = []  # private module

# name, SPDR sector ETF, equal-weight sector ETF, market beta, growth loading,
# sector-factor daily vol, sampling weight (roughly the S&P 500 head count)
SECTORS: tuple[tuple[str, str, str, float, float, float, float], ...] = (
    ("Communication Services", "XLC", "RSPC", 1.05, 0.5, 0.0065, 22),
    ("Consumer Discretionary", "XLY", "RSPD", 1.20, 0.4, 0.0060, 50),
    ("Consumer Staples", "XLP", "RSPS", 0.60, -0.5, 0.0045, 36),
    ("Energy", "XLE", "RSPG", 1.00, -0.8, 0.0110, 22),
    ("Financials", "XLF", "RSPF", 1.10, -0.6, 0.0065, 72),
    ("Health Care", "XLV", "RSPH", 0.80, 0.1, 0.0055, 60),
    ("Industrials", "XLI", "RSPN", 1.05, -0.1, 0.0050, 78),
    ("Information Technology", "XLK", "RSPT", 1.25, 0.8, 0.0070, 68),
    ("Materials", "XLB", "RSPM", 1.05, -0.4, 0.0065, 26),
    ("Real Estate", "XLRE", "RSPR", 0.90, -0.4, 0.0065, 31),
    ("Utilities", "XLU", "RSPU", 0.50, -0.7, 0.0050, 31),
)
SECTOR_NAMES = tuple(s[0] for s in SECTORS)
SECTOR_INDEX = {name: i for i, name in enumerate(SECTOR_NAMES)}


@dataclass(frozen=True)
class MegaCap:
    """One member of the synthetic mega-cap cluster."""

    ticker: str
    sector: str
    cap_weight: float        # relative end-of-sample market cap inside the cluster
    list_rows_before_end: int | None  # None: listed from the first row


MAG7: tuple[MegaCap, ...] = (
    MegaCap("AAPL", "Information Technology", 3.3, None),
    MegaCap("MSFT", "Information Technology", 3.2, None),
    MegaCap("GOOGL", "Communication Services", 2.1, None),
    MegaCap("AMZN", "Consumer Discretionary", 2.2, None),
    MegaCap("NVDA", "Information Technology", 3.4, None),
    MegaCap("META", "Communication Services", 1.5, 3550),
    MegaCap("TSLA", "Consumer Discretionary", 1.0, 3950),
)
MAG7_TICKERS = tuple(m.ticker for m in MAG7)

#: Derived ETFs: ticker -> (weighting, member rule, display name). Member rules are
#: resolved in ``_engine._basket_members``.
BASKETS: tuple[tuple[str, str, str, str], ...] = (
    ("SPY", "cap", "all", "S&P 500-like ETF (cap-weighted, every listed stock)"),
    ("RSP", "equal", "sp500", "equal-weight S&P 500-like ETF"),
    ("QQQ", "cap", "nasdaq100", "Nasdaq-100-like ETF (100 largest non-financials)"),
    ("IWM", "cap", "small", "small-cap ETF (the smaller stocks)"),
    ("MAGS", "equal", "mag7", "Magnificent Seven ETF (equal weight)"),
    ("XMAG", "cap", "sp500_ex_mag7", "S&P 500-like ex-Magnificent Seven ETF"),
    ("IWF", "cap", "growth", "growth ETF (growth half of all stocks)"),
    ("IWD", "cap", "value", "value ETF (value half of all stocks)"),
    ("SPYG", "cap", "sp500_growth", "S&P 500-like growth ETF"),
    ("SPYV", "cap", "sp500_value", "S&P 500-like value ETF"),
    ("MTUM", "cap", "momentum", "momentum factor ETF (highest-drift fifth)"),
    ("QUAL", "cap", "quality", "quality factor ETF (highest-quality fifth)"),
    ("USMV", "cap", "min_vol", "minimum-volatility ETF (calmest 30%)"),
    ("SPHB", "equal", "high_beta", "high-beta ETF (highest-beta fifth)"),
    ("SPLV", "equal", "low_vol", "low-volatility ETF (calmest fifth)"),
    *((s[1], "cap", f"sector:{s[0]}", f"{s[0]} sector ETF (cap-weighted)") for s in SECTORS),
    *((s[2], "equal", f"sector:{s[0]}", f"{s[0]} sector ETF (equal weight)") for s in SECTORS),
)

#: International ETFs: ticker -> (US market loading, developed, emerging, Europe, Japan,
#: start level, display name).
INTERNATIONAL: tuple[tuple[str, float, float, float, float, float, float, str], ...] = (
    ("ACWX", 0.75, 0.65, 0.35, 0.0, 0.0, 40.0, "world ex-US equity ETF"),
    ("EFA", 0.80, 1.0, 0.0, 0.0, 0.0, 45.0, "developed ex-US equity ETF"),
    ("VGK", 0.85, 1.0, 0.0, 1.0, 0.0, 35.0, "Europe equity ETF"),
    ("EWJ", 0.55, 0.8, 0.0, 0.0, 1.0, 30.0, "Japan equity ETF"),
    ("EEM", 0.80, 0.5, 1.0, 0.0, 0.0, 20.0, "emerging markets ETF"),
    ("VWO", 0.80, 0.5, 1.0, 0.0, 0.0, 25.0, "emerging markets ETF (second issuer)"),
)

#: Macro series: ticker -> (kind, start level, display name).
MACRO: tuple[tuple[str, str, float, str], ...] = (
    ("TLT", "etf", 90.0, "20+ year Treasury ETF"),
    ("IEF", "etf", 80.0, "7-10 year Treasury ETF"),
    ("HYG", "etf", 40.0, "high-yield corporate bond ETF"),
    ("LQD", "etf", 80.0, "investment-grade corporate bond ETF"),
    ("GLD", "etf", 30.0, "gold ETF"),
    ("UUP", "etf", 25.0, "US dollar index ETF"),
    ("VIXY", "etf", 20000.0, "VIX short-term futures ETF (decays in calm markets)"),
    ("^TNX", "index", 4.5, "10-year Treasury yield in percent (a level, not a price)"),
)

#: Crypto: ticker -> (rows before the end it lists, start level, display name).
CRYPTO: tuple[tuple[str, int, float, str], ...] = (
    ("IBIT", 630, 25.0, "spot bitcoin ETF"),
    ("BTC", 490, 40.0, "bitcoin mini trust ETF"),
)

#: Universes with the same names and ticker lists as ``data/universes.yaml`` (a test
#: keeps them equal), plus ``sp500`` and ``stocks`` built per market.
STATIC_UNIVERSES: dict[str, tuple[str, ...]] = {
    "mag7": MAG7_TICKERS,
    "leadership": ("MAGS", "XMAG", "SPY", "RSP", "QQQ", "IWM"),
    "style": ("IWF", "IWD", "SPYG", "SPYV", "MTUM", "QUAL", "USMV", "SPHB", "SPLV"),
    "sectors": ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"),
    "global": ("SPY", "ACWX", "EFA", "VGK", "EWJ", "EEM", "VWO"),
    "macro": ("TLT", "IEF", "HYG", "LQD", "GLD", "UUP", "VIXY", "^TNX"),
    "crypto": ("IBIT", "BTC"),
}

DERIVED_TICKERS: tuple[str, ...] = (
    *(b[0] for b in BASKETS), *(i[0] for i in INTERNATIONAL), *(m[0] for m in MACRO),
    *(c[0] for c in CRYPTO),
)
