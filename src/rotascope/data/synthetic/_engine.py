"""Vectorised generation of the synthetic market (internal).

Model (daily log returns, stock ``i``, row ``t``)::

    r[t, i] = mu[i] + beta[i] m[t] + growth[i] g[t] + gamma[i] S[t, sector(i)]
              + mega[i] c[t] + sigma[i] h[t] eps[t, i] + jump[t, i]

``m`` is the market factor, whose volatility follows a two-state Markov regime (calm /
stressed); ``g`` a growth-versus-value factor; ``S`` eleven sector factors; ``c`` the
mega-cap factor shared by the Mag-7; ``eps`` standard normal noise (float32) and
``jump`` sparse Laplace jumps, which give fat tails together with the regimes.

The stock matrix is built in two passes over blocks of tickers, each block with its own
seeded generator (the block size is fixed, so output does not depend on memory):

* pass A writes the log returns into the output matrix and keeps, for the few rows where
  an episode imposes the index path, what :func:`solve_controls` needs;
* :func:`solve_controls` finds the shifts of the market factor, the mega-cap factor and
  a breadth factor (loading 0 for the largest sp500 stock up to 1 for the smallest) that
  make the cap-weighted index (``SPY``), ``MAGS`` and ``RSP`` follow the imposed paths
  exactly;
* pass B adds the shifts, turns the log returns into prices in place and accumulates the
  sums that give every derived ETF's daily return (matrix products, no loop over days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import ParameterError
from . import _catalog as cat
from .episodes import Plan

__all__: list[str] = []  # private module

BLOCK = 256                    # tickers per block (fixed: part of the seeded output)
JUMP_PROB = 0.0015             # share of stock-days with an idiosyncratic jump
ANNUAL_ROWS = 252


def _t5(rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
    """Student-t(5) draws scaled to unit variance."""
    return rng.standard_t(5, size) / np.sqrt(5.0 / 3.0)


# -- stocks ------------------------------------------------------------------------------
@dataclass
class Stocks:
    tickers: list[str]
    sector: np.ndarray       # int index into cat.SECTORS
    beta: np.ndarray
    gamma: np.ndarray
    growth: np.ndarray
    sigma: np.ndarray
    mu: np.ndarray
    quality: np.ndarray
    mega: np.ndarray         # bool
    list_row: np.ndarray     # first row with a price
    last_row: np.ndarray     # last row with a price
    cap0: np.ndarray         # relative market cap at listing (sets the other stocks' shares)
    p0: np.ndarray           # price on ``list_row``
    breadth: np.ndarray      # loading on the broadening factor (set by set_breadth_loading)
    mega_caps: np.ndarray    # the Mag-7's market caps on the last row (USD)
    others_total: float      # the other stocks' total market cap at the end of their lives

    @property
    def n(self) -> int:
        return len(self.tickers)


def make_stocks(n: int, rows: int, rng: np.random.Generator, mag7_share: float) -> Stocks:
    """Draw the static characteristics of ``n`` stocks (the 7 mega-caps first)."""
    n_mega = len(cat.MAG7)
    n_other = n - n_mega
    width = max(4, len(str(n_other)))
    tickers = [*cat.MAG7_TICKERS, *(f"S{i:0{width}d}" for i in range(1, n_other + 1))]
    sec_beta = np.array([s[3] for s in cat.SECTORS])
    sec_growth = np.array([s[4] for s in cat.SECTORS])
    weights = np.array([s[6] for s in cat.SECTORS], dtype=float)

    sector = np.empty(n, dtype=np.int64)
    sector[:n_mega] = [cat.SECTOR_INDEX[m.sector] for m in cat.MAG7]
    k = len(cat.SECTORS)
    first = min(n_other, 2 * k)                     # at least two stocks per sector
    sector[n_mega:n_mega + first] = np.arange(first) % k
    sector[n_mega + first:] = rng.choice(k, size=n_other - first, p=weights / weights.sum())

    mega = np.zeros(n, dtype=bool)
    mega[:n_mega] = True
    beta = np.clip(sec_beta[sector] + rng.normal(0.0, 0.22, n), 0.3, 2.2)
    beta[mega] = rng.uniform(1.05, 1.35, n_mega)
    gamma = np.clip(rng.normal(0.85, 0.2, n), 0.2, 1.6)
    growth = sec_growth[sector] + rng.normal(0.0, 0.5, n)
    growth[mega] = 1.2 + rng.uniform(0.0, 0.6, n_mega)
    log_sigma = rng.normal(np.log(0.015), 0.35, n)
    sigma = np.clip(np.exp(log_sigma), 0.007, 0.05)
    sigma[mega] = rng.uniform(0.011, 0.016, n_mega)
    mu = rng.normal(0.00012, 0.00025, n)
    mu[mega] = 0.0001
    quality = rng.normal(0.0, 1.0, n) - 0.6 * (log_sigma - log_sigma.mean()) / 0.35

    # listings: about a fifth of the other stocks list later; a few delist
    list_row = np.zeros(n, dtype=np.int64)
    last_row = np.full(n, rows - 1, dtype=np.int64)
    for i, m in enumerate(cat.MAG7):
        if m.list_rows_before_end is not None:
            list_row[i] = max(0, rows - m.list_rows_before_end)
    others = np.arange(n_mega, n)
    late = rng.choice(others, size=max(1, round(0.22 * n_other)), replace=False)
    list_row[late] = rng.integers(1, max(2, int(0.85 * rows)), size=len(late))
    gone = rng.choice(others, size=max(1, round(0.04 * n_other)), replace=False)
    lo = list_row[gone] + min(126, rows // 4)
    ok = lo < rows - 2
    gone, lo = gone[ok], lo[ok]
    last_row[gone] = rng.integers(lo, rows - 2)

    # market caps: the other stocks hold fixed shares from listing (relative caps cap0),
    # scaled so that the Mag-7 hold ``mag7_share`` of all caps at the end (see end_caps)
    cap0 = np.exp(rng.normal(0.0, 1.1, n))
    mega_caps = np.array([m.cap_weight for m in cat.MAG7]) * 1e12
    cap0[:n_mega] = mega_caps
    p0 = np.exp(rng.normal(np.log(35.0), 0.7, n))
    breadth = np.zeros(n)
    others_total = float(mega_caps.sum() * (1.0 - mag7_share) / mag7_share)
    return Stocks(tickers, sector, beta, gamma, growth, sigma, mu, quality, mega, list_row,
                  last_row, cap0, p0, breadth, mega_caps, others_total)


def end_caps(st: Stocks, log_growth: np.ndarray) -> np.ndarray:
    """Market cap of every stock on its last row, given its log growth since listing.

    The other stocks keep the shares they listed with (cap0 x growth, one common scale
    so they hold ``1 - mag7_share`` of the total); only when one would outgrow the
    smallest Mag-7 member is it trimmed (``_spread_caps``). The Mag-7's caps are fixed.
    """
    out = np.empty(st.n)
    out[st.mega] = st.mega_caps
    oth = ~st.mega
    out[oth] = _spread_caps(st.cap0[oth] * np.exp(log_growth[oth] - log_growth[oth].max()),
                            st.others_total, 0.9 * st.mega_caps.min())
    return out


def _spread_caps(raw: np.ndarray, total: float, limit: float) -> np.ndarray:
    """Scale ``raw`` to sum to ``total``; when there are enough stocks (at least twice
    ``total / limit``), cap each at ``limit`` and hand the excess to the others, so the
    Mag-7 are the seven largest companies."""
    x = raw * (total / raw.sum())
    if len(x) * limit < 2.0 * total:
        return x
    for _ in range(100):                       # water-filling; converges in a few steps
        over = x > limit
        if not over.any():
            break
        excess = float((x[over] - limit).sum())
        x[over] = limit
        free = x < limit
        x[free] *= 1.0 + excess / float(x[free].sum())
    return np.minimum(x, limit)


# -- factors -----------------------------------------------------------------------------
@dataclass
class Factors:
    stressed: np.ndarray     # bool regime per row
    mult: np.ndarray         # volatility multiplier of secondary factors (1 or 1.4)
    m: np.ndarray            # market
    c: np.ndarray            # mega-cap cluster
    g: np.ndarray            # growth minus value
    sectors: np.ndarray      # rows x 11
    h: np.ndarray            # idiosyncratic volatility multiplier


def make_regimes(rows: int, rng: np.random.Generator, plans: list[Plan]) -> np.ndarray:
    """Two-state Markov regime (calm ~350 rows, stressed ~70 rows on average)."""
    pairs = rows // 40 + 4
    spells = np.empty(2 * pairs, dtype=np.int64)
    spells[0::2] = rng.geometric(1 / 350, pairs)
    spells[1::2] = rng.geometric(1 / 70, pairs)
    states = np.repeat(np.tile(np.array([False, True]), pairs), spells)
    offset = int(rng.integers(0, 350))
    stressed = np.zeros(rows, dtype=bool)
    chunk = states[offset:offset + rows]
    stressed[:len(chunk)] = chunk
    for p in plans:                      # a loop over the handful of episodes
        if p.calm is not None:
            stressed[p.calm] = False
        if p.stressed is not None:
            stressed[p.stressed] = True
    return stressed


def make_factors(rows: int, rng: np.random.Generator, plans: list[Plan]) -> Factors:
    stressed = make_regimes(rows, rng, plans)
    mult = np.where(stressed, 1.4, 1.0)
    m = np.where(stressed, -0.0006, 0.00025) + np.where(stressed, 0.018, 0.0075) * _t5(rng, rows)
    c = 0.0008 + 0.0065 * mult * _t5(rng, rows)
    g = 0.0035 * mult * _t5(rng, rows)
    vols = np.array([s[5] for s in cat.SECTORS])
    sectors = _t5(rng, (rows, len(vols))) * vols * mult[:, None]
    h = np.where(stressed, 1.45, 1.0)
    for p in plans:                      # a loop over the handful of episodes
        if p.idio is not None:
            h[p.idio[0]] = p.idio[1]
    return Factors(stressed, mult, m, c, g, sectors, h)


# -- controls ----------------------------------------------------------------------------
@dataclass
class Controls:
    """Imposed daily log returns of SPY, MAGS and RSP on the controlled rows.

    Column k of ``targets`` pairs with column k of the stock loadings
    (market beta, Mag-7 membership, breadth loading): SPY is always imposed; MAGS and
    RSP only where not NaN (rotations)."""

    rows: np.ndarray          # sorted rows whose index return is imposed
    targets: np.ndarray       # rows x 3: SPY, MAGS, RSP log returns (NaN: free)


def collect_controls(plans: list[Plan]) -> Controls:
    rows, targets = [], []
    for p in plans:                                   # the handful of episodes
        if p.spy is None:
            continue
        r, v = p.spy
        t = np.full((len(r), 3), np.nan)
        t[:, 0] = v
        if p.mags is not None:
            t[:, 1] = p.mags[1]
        if p.rsp is not None:
            t[:, 2] = p.rsp[1]
        rows.append(r)
        targets.append(t)
    if not rows:
        return Controls(np.empty(0, dtype=np.int64), np.empty((0, 3)))
    r = np.concatenate(rows)
    order = np.argsort(r, kind="stable")
    return Controls(r[order], np.concatenate(targets)[order])


@dataclass
class ControlData:
    """Per controlled row and stock: cap weight base, gross return, validity."""

    x: np.ndarray   # P[t-1, i] / P[last, i]  (0 where not valid on t-1 and t)
    gross: np.ndarray   # P[t, i] / P[t-1, i]  (1 where not valid)
    valid: np.ndarray
    log_growth: np.ndarray   # per stock: log(P[last] / P[listing]) before the shifts


# -- the two passes ----------------------------------------------------------------------
def _block_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(101, block)))


def _loadings(st: Stocks, sl: slice) -> np.ndarray:
    """Rows: 1, m, g, c, 11 sectors; columns: the block's stocks."""
    k = len(cat.SECTORS)
    nb = sl.stop - sl.start
    out = np.zeros((4 + k, nb))
    out[0] = st.mu[sl]
    out[1] = st.beta[sl]
    out[2] = st.growth[sl]
    out[3] = st.mega[sl]
    out[4 + st.sector[sl], np.arange(nb)] = st.gamma[sl]
    return out


def _factor_matrix(f: Factors) -> np.ndarray:
    rows = len(f.m)
    return np.column_stack((np.ones(rows), f.m, f.g, f.c, f.sectors))


def pass_a(out: np.ndarray, st: Stocks, f: Factors, ctl: Controls, seed: int) -> ControlData:
    """Write log returns (NaN where a stock has no return) into ``out[:, :n]``."""
    rows = out.shape[0]
    n_ctl = len(ctl.rows)
    data = ControlData(np.zeros((n_ctl, st.n)), np.ones((n_ctl, st.n)),
                       np.zeros((n_ctl, st.n), dtype=bool), np.zeros(st.n))
    fm = _factor_matrix(f)
    row_ix = np.arange(rows)[:, None]
    prev = ctl.rows - 1
    for b, start in enumerate(range(0, st.n, BLOCK)):      # blocks of tickers
        sl = slice(start, min(st.n, start + BLOCK))
        nb = sl.stop - sl.start
        rng = _block_rng(seed, b)
        r = out[:, sl]
        eps = rng.standard_normal((rows, nb), dtype=np.float32)
        np.multiply(eps, st.sigma[sl], out=r)
        del eps
        r *= f.h[:, None]
        r += fm @ _loadings(st, sl)
        n_jumps = int(rng.poisson(rows * nb * JUMP_PROB))
        jr = rng.integers(0, rows, n_jumps)
        jc = rng.integers(0, nb, n_jumps)
        np.add.at(r, (jr, jc), np.clip(rng.laplace(0.0, 0.045, n_jumps), -0.35, 0.35))
        dead = (row_ix <= st.list_row[sl]) | (row_ix > st.last_row[sl])   # no return
        r[dead] = 0.0
        level = np.cumsum(r, axis=0)
        data.log_growth[sl] = level[-1]
        if n_ctl:
            valid = ~dead[ctl.rows]
            x = np.exp(level[prev] - level[-1])
            x[~valid] = 0.0
            gross = np.exp(r[ctl.rows])
            gross[~valid] = 1.0
            data.x[:, sl], data.gross[:, sl], data.valid[:, sl] = x, gross, valid
        r[dead] = np.nan
    return data


def _loading_matrix(st: Stocks) -> np.ndarray:
    """Stocks x 3 loadings on the controlled factors: market, Mag-7, breadth."""
    return np.column_stack((st.beta, st.mega.astype(np.float64), st.breadth))


def solve_controls(data: ControlData, st: Stocks, ctl: Controls, sp: np.ndarray, *,
                   iterations: int = 40, tol: float = 1e-12,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Factor shifts per controlled row (rows x 3: market, Mag-7, breadth) and every
    stock's final market cap.

    Solves, for every controlled row at once, ``SPY return = target`` and, where set,
    ``MAGS return = target`` and ``RSP return = target`` (RSP: equal weight of the
    ``sp`` stocks) with batched Newton steps on the 3 x 3 system. SPY's cap weights
    depend on earlier shifts (prices move) and on the total shift (end caps follow
    growth), so they are refreshed every step until everything converges.
    """
    n_ctl = len(ctl.rows)
    u = np.zeros((n_ctl, 3))
    if n_ctl == 0:
        return u, end_caps(st, data.log_growth)
    load = _loading_matrix(st)
    active = ~np.isnan(ctl.targets)
    target = np.expm1(np.where(active, ctl.targets, 0.0))
    vf = data.valid.astype(np.float64)
    groups = [np.flatnonzero(st.mega), np.flatnonzero(sp)]
    counts = [np.maximum(vf[:, g].sum(axis=1), 1.0) for g in groups]
    eye = np.broadcast_to(np.eye(3), (n_ctl, 3, 3))
    for _ in range(iterations):
        shift = (u @ load.T) * vf
        cum = np.cumsum(shift, axis=0)
        cap = end_caps(st, data.log_growth + cum[-1])
        weights = data.x * cap * np.exp(cum - shift - cum[-1])
        grow = data.gross * np.exp(shift)
        sw = weights.sum(axis=1)
        wg = weights * grow
        f = np.empty((n_ctl, 3))
        jac = np.empty((n_ctl, 3, 3))
        f[:, 0] = wg.sum(axis=1) / sw
        jac[:, 0] = (wg @ load) / sw[:, None]
        for k, (g, cnt) in enumerate(zip(groups, counts, strict=True), start=1):
            gg = grow[:, g] * vf[:, g]
            f[:, k] = gg.sum(axis=1) / cnt
            jac[:, k] = (gg @ load[g]) / cnt[:, None]
        f = np.where(active, f - 1.0 - target, 0.0)
        jac = np.where(active[:, :, None], jac, eye)
        step = np.linalg.solve(jac, f[:, :, None])[:, :, 0]
        u -= np.clip(step, -0.1, 0.1)           # damped: no overflow from a far start
        if np.abs(f).max() < tol:
            break
    else:
        raise ParameterError(
            "generate_market(): the episodes' index paths could not be imposed "
            f"(largest daily error {np.abs(f).max():.1e} after {iterations} steps); "
            "make the episodes milder (smaller magnitude, more days)")
    total = ((u @ load.T) * vf).sum(axis=0)
    return u, end_caps(st, data.log_growth + total)


@dataclass
class Baskets:
    names: list[str]
    returns: np.ndarray       # rows x baskets (NaN: no member valid on t-1 and t)
    shares: np.ndarray        # per stock, so market_cap = shares * close


def sp500_mask(cap: np.ndarray) -> np.ndarray:
    """The 500 largest stocks by ``cap`` (all of them in smaller markets)."""
    rank = np.empty(len(cap), dtype=np.int64)
    rank[np.argsort(-cap, kind="stable")] = np.arange(len(cap))
    return rank < 500


def set_breadth_loading(st: Stocks, cap: np.ndarray, sp: np.ndarray) -> None:
    """Loading on the broadening factor that rotations use to lift the typical stock:
    0 for the largest sp500 member, 1 for the smallest (linear in cap rank), 0 for the
    Mag-7 and for stocks outside the sp500, so it moves RSP far more than SPY."""
    ix = np.flatnonzero(sp & ~st.mega)
    order = ix[np.argsort(-cap[ix], kind="stable")]
    st.breadth = np.zeros(st.n)
    st.breadth[order] = np.linspace(0.0, 1.0, len(order))


def basket_members(st: Stocks, cap: np.ndarray, sp: np.ndarray) -> np.ndarray:
    """Membership matrix (stocks x baskets, float 0/1), ranking by ``cap``."""
    n = st.n
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-cap, kind="stable")] = np.arange(n)
    fin = np.isin(st.sector, [cat.SECTOR_INDEX["Financials"], cat.SECTOR_INDEX["Real Estate"]])
    nq = sp & ~fin
    nq &= rank <= np.sort(rank[nq])[min(99, int(nq.sum()) - 1)]
    rank0 = np.empty(n, dtype=np.int64)          # size at listing: no look-ahead
    rank0[np.argsort(-st.cap0, kind="stable")] = np.arange(n)
    lo, hi = (n // 2, n) if n < 3000 else (1000, 3000)   # Russell-2000-like ranks
    small = (rank0 >= lo) & (rank0 < hi) & ~st.mega
    growth_all = st.growth > np.median(st.growth)
    growth_sp = sp & (st.growth > np.median(st.growth[sp]))
    total_vol = np.sqrt((st.beta * 0.01) ** 2 + st.sigma ** 2)

    def top(score: np.ndarray, share: float) -> np.ndarray:
        cut = np.quantile(score[sp], 1.0 - share)
        return sp & (score >= cut)

    rules: dict[str, np.ndarray] = {
        "all": np.ones(n, dtype=bool), "sp500": sp, "nasdaq100": nq, "small": small,
        "mag7": st.mega, "sp500_ex_mag7": sp & ~st.mega, "growth": growth_all,
        "value": ~growth_all, "sp500_growth": growth_sp, "sp500_value": sp & ~growth_sp,
        "momentum": top(st.mu, 0.2), "quality": top(st.quality, 0.2),
        "min_vol": top(-total_vol, 0.3), "high_beta": top(st.beta, 0.2),
        "low_vol": top(-total_vol, 0.2),
    }
    for i, s in enumerate(cat.SECTORS):
        members = sp & (st.sector == i)
        rules[f"sector:{s[0]}"] = members if members.any() else st.sector == i
    return np.column_stack([rules[b[2]] for b in cat.BASKETS]).astype(np.float64)


def pass_b(out: np.ndarray, st: Stocks, ctl: Controls, u: np.ndarray, cap: np.ndarray,
           members: np.ndarray) -> Baskets:
    """Turn ``out[:, :n]`` from log returns into prices; accumulate basket sums."""
    rows = out.shape[0]
    cap_w = np.array([b[1] == "cap" for b in cat.BASKETS])
    k = members.shape[1]
    num = np.zeros((rows, k))
    den = np.zeros((rows, k))
    shares = np.empty(st.n)
    row_ix = np.arange(rows)[:, None]
    load = _loading_matrix(st)
    for start in range(0, st.n, BLOCK):                      # blocks of tickers
        sl = slice(start, min(st.n, start + BLOCK))
        r = out[:, sl]
        if len(ctl.rows):
            r[ctl.rows] += u @ load[sl].T
        dead = (row_ix <= st.list_row[sl]) | (row_ix > st.last_row[sl])   # no return
        r[dead] = 0.0
        simple = np.expm1(r)                                 # simple returns, 0 when dead
        buf = np.cumsum(r, axis=0)                           # log price / p0
        shares[sl] = cap[sl] / (st.p0[sl] * np.exp(buf[-1]))
        np.exp(buf, out=r)
        r *= st.p0[sl]                                       # prices (in place)
        buf[0] = 0.0                                         # buf becomes the previous
        buf[1:] = r[:-1]                                     # price where a return exists
        buf[dead] = 0.0
        mb = members[sl]
        eq = mb[:, ~cap_w]
        cw = mb[:, cap_w] * shares[sl, None]
        num[:, ~cap_w] += simple @ eq
        den[:, ~cap_w] += (~dead).astype(np.float64) @ eq
        den[:, cap_w] += buf @ cw
        simple *= buf
        num[:, cap_w] += simple @ cw
        r[(row_ix < st.list_row[sl]) | (row_ix > st.last_row[sl])] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        ret = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return Baskets([b[0] for b in cat.BASKETS], ret, shares)


def levels_from_returns(ret: np.ndarray, start_level: float | np.ndarray) -> np.ndarray:
    """Price levels from simple returns (rows x k): NaN before the first valid return's
    previous row, ``start_level`` there, flat across later gaps."""
    rows, k = ret.shape
    ok = ~np.isnan(ret)
    first = np.where(ok.any(axis=0), ok.argmax(axis=0), rows)
    growth = np.cumprod(np.where(ok, 1.0 + ret, 1.0), axis=0)
    base_row = np.maximum(first - 1, 0)
    base = growth[base_row, np.arange(k)]
    lv = growth / base * start_level
    lv[np.arange(rows)[:, None] < base_row] = np.nan
    lv[:, first >= rows] = np.nan
    return lv


# -- non-stock series --------------------------------------------------------------------
def international(f: Factors, m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rows = len(m)
    dev, em, eu, jp = (v * f.mult * _t5(rng, rows) for v in (0.004, 0.006, 0.004, 0.005))
    out = np.empty((rows, len(cat.INTERNATIONAL)))
    for j, (_, a_us, a_dev, a_em, a_eu, a_jp, level, _name) in enumerate(cat.INTERNATIONAL):
        lr = (a_us * m + a_dev * dev + a_em * em + a_eu * eu + a_jp * jp
              + 0.0015 * rng.standard_normal(rows) - 0.00005)
        lr[0] = 0.0
        out[:, j] = level * np.exp(np.cumsum(lr))
    return out


def macro(f: Factors, m: np.ndarray, plans: list[Plan], rng: np.random.Generator,
          ) -> np.ndarray:
    """TLT IEF HYG LQD GLD UUP VIXY ^TNX, in :data:`_catalog.MACRO` order."""
    rows = len(m)
    # stress shocks of breakdowns and index crashes, spread over their rows
    credit_shock, vix_shock, yield_shock = np.zeros(rows), np.zeros(rows), np.zeros(rows)
    for p in plans:                                   # the handful of episodes
        if p.stress is not None:
            r, size = p.stress
            credit_shock[r] -= 0.2 * size / len(r)
            vix_shock[r] += 1.5 * size / len(r)
            yield_shock[r] -= 0.5 * size / len(r)
    # 10-year yield: log-yield AR(1) (phi = 0.998) driven by noise, the market (flight to
    # quality) and stress
    dz = 0.009 * f.mult * _t5(rng, rows) + 0.6 * m + yield_shock
    kernel = 0.998 ** np.arange(rows)
    z = np.convolve(dz, kernel)[:rows]
    y = 4.5 * np.exp(z - z[0])
    dy = np.diff(y, prepend=y[0]) / 100.0
    carry = np.concatenate(([y[0]], y[:-1])) / 100.0 / ANNUAL_ROWS
    credit = 0.0018 * f.mult * _t5(rng, rows) + credit_shock
    usd = 0.0045 * _t5(rng, rows) - 0.05 * m
    switch = np.flatnonzero(f.stressed[1:] & ~f.stressed[:-1]) + 1
    vix = (-0.0016 - 3.2 * (m - m.mean()) + 0.02 * f.mult * rng.standard_normal(rows)
           + vix_shock)
    vix[switch] += 0.12
    vix = np.clip(vix, -0.35, 0.35)
    series = {
        "TLT": -16.0 * dy + carry,
        "IEF": -7.5 * dy + 0.9 * carry,
        "HYG": -3.5 * dy + 0.33 * m + credit + carry + 0.035 / ANNUAL_ROWS - 0.0001,
        "LQD": -8.0 * dy + 0.08 * m + 0.4 * credit + carry + 0.01 / ANNUAL_ROWS,
        "GLD": 0.00025 + 0.0095 * _t5(rng, rows) - 0.4 * usd,
        "UUP": usd,
        "VIXY": vix,
    }
    out = np.empty((rows, len(cat.MACRO)))
    for j, (ticker, _kind, level, _name) in enumerate(cat.MACRO):
        if ticker == "^TNX":
            out[:, j] = y
            continue
        lr = series[ticker]
        lr[0] = 0.0
        out[:, j] = level * np.exp(np.cumsum(lr))
    return out


def crypto(m: np.ndarray, plans: list[Plan], rng: np.random.Generator,
           listing: dict[str, int]) -> np.ndarray:
    rows = len(m)
    b = 0.0012 + 1.0 * m + 0.028 * rng.standard_t(4, rows) / np.sqrt(2.0)
    b = np.clip(b, -0.3, 0.3)
    for p in plans:
        if p.bitcoin is not None:
            b[p.bitcoin[0]] = p.bitcoin[1]
    out = np.full((rows, len(cat.CRYPTO)), np.nan)
    for j, (ticker, _before, level, _name) in enumerate(cat.CRYPTO):
        lr = b + (0.0008 * rng.standard_normal(rows) if ticker != "IBIT" else 0.0)
        first = listing[ticker]
        out[first:, j] = level * np.exp(np.cumsum(lr[first:]) - lr[first])
    return out
