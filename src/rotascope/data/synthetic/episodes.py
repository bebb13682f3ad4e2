"""Injected market episodes: what they are, where they sit, and the paths they impose.

An :class:`Episode` is a request ("a rotation out of the Mag-7 starting 2024-11-01,
50 rows long, 15% relative loss"). :func:`plan_episodes` turns the requests into
*plans*: the rows each one occupies and the daily log returns it imposes on the index
(``SPY``), on ``MAGS`` or on bitcoin (``IBIT``/``BTC``), plus the volatility regime and
credit stress it forces. The generator then makes the synthetic index follow those
paths exactly (see ``_engine.solve_controls``), and ``_truth`` measures the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..._validation import check_choice, check_date, check_float, check_int
from ...errors import ParameterError, ParameterTypeError

__all__ = ["Episode", "EpisodeKind", "DEFAULT_EPISODES", "EPISODE_KINDS"]

EpisodeKind = Literal["rotation", "breakdown", "range", "crash_weak_bounce"]
EPISODE_KINDS: tuple[str, ...] = ("rotation", "breakdown", "range", "crash_weak_bounce")

#: Rows of history an episode needs before its first affected row (a 50-day mean).
MIN_START_ROW = 60
#: Default episodes are kept only when they start at least this many rows in.
DEFAULT_MIN_START_ROW = 260
#: Crash episodes: rows rising into the peak (the peak row included) and the fade after
#: the bounce top.
RUN_UP_ROWS = 3
FADE_ROWS = 15
#: Range episodes: rows of the breakout/breakdown after the last range row.
EXIT_ROWS = 5
#: Rotation episodes: RSP/SPY rises by this share of ``magnitude``, so the typical stock,
#: not only the cap-weighted rest, rises while the Mag-7 fall.
BROADENING = 0.5
#: Rotation episodes: idiosyncratic volatility multiplier (a calm, broad advance).
ROTATION_IDIO = 0.8

_DEFAULTS: dict[str, dict[str, Any]] = {
    "rotation": {"days": 50, "magnitude": 0.15, "target": "MAGS"},
    "breakdown": {"days": 30, "magnitude": 0.20, "target": "SPY"},
    "range": {"days": 40, "band": 0.03, "exit": "breakout", "target": "SPY"},
    "crash_weak_bounce": {"days": 8, "magnitude": 0.28, "retrace": 0.35, "bounce_days": 12,
                          "target": "IBIT"},
}
_FIELDS_BY_KIND: dict[str, set[str]] = {k: set(v) for k, v in _DEFAULTS.items()}


@dataclass(frozen=True)
class Episode:
    """A market episode to inject, with a known position and size.

    Parameters
    ----------
    kind : {"rotation", "breakdown", "range", "crash_weak_bounce"}
    start : date-like or int
        First row of the episode: a date (the first business day on or after it) or a
        row number of the calendar (negative counts from the end, ``-60`` is 60 rows
        before the end). For ``crash_weak_bounce`` it is the *peak* row.
    days : int, optional
        Length in rows. rotation (default 50), breakdown (30) and range (40): rows from
        ``start`` to ``end`` inclusive. crash_weak_bounce (8): rows from the peak to the
        trough.
    magnitude : float, optional
        rotation (0.15): fall of the MAGS/SPY ratio from start to end.
        breakdown (0.20): fall of SPY from start to end.
        crash_weak_bounce (0.28): fall of the target from peak to trough.
    target : str, optional
        crash_weak_bounce only: ``"IBIT"`` (default; bitcoin, so ``BTC`` moves too) or
        ``"SPY"`` (the index; every stock moves through the market factor).
    retrace : float, optional
        crash_weak_bounce (0.35): share of the fall the bounce retraces (< 0.5 is weak).
    bounce_days : int, optional
        crash_weak_bounce (12): rows from the trough to the bounce top.
    band : float, optional
        range (0.03): ceiling / floor - 1 that the closes stay within (at most).
    exit : {"breakout", "breakdown"}, optional
        range ("breakout"): how the range ends, on the row after ``end``.
    name : str, optional
        Label in the ground truth; default ``"<kind> <start date>"``.

    Notes
    -----
    Fields that do not apply to ``kind`` must be left as None. What each kind imposes:

    * rotation: SPY drifts sideways (a bridge ending within 1% of its start) while MAGS
      falls ``magnitude`` relative to SPY, ending at its lowest relative level of the
      episode; money moves into the other stocks: RSP/SPY rises 0.5 x ``magnitude``
      in a calm tape (idiosyncratic volatility x 0.8), so XMAG/MAGS and breadth rise.
    * breakdown: SPY falls ``magnitude`` in a stressed volatility regime; credit spreads
      widen (HYG/IEF falls), yields fall (flight to quality) and VIXY jumps: besides
      following the market, HYG loses 0.2 x ``magnitude``, VIXY gains 1.5 x
      ``magnitude`` and the 10-year yield 0.5 x ``magnitude``, in log terms. Index
      crashes get the same shocks over their falling rows.
    * range: SPY closes stay inside a band narrower than ``band``, then break out of it
      (or down) on the row after ``end`` and keep going for 5 rows.
    * crash_weak_bounce: three rising closes into the peak, a fall of ``magnitude`` in
      ``days`` rows, a rise retracing ``retrace`` of the fall in ``bounce_days`` rows,
      then 15 rows drifting lower without passing the bounce top or the trough.
    """

    kind: EpisodeKind
    start: Any
    days: int | None = None
    magnitude: float | None = None
    target: str | None = None
    retrace: float | None = None
    bounce_days: int | None = None
    band: float | None = None
    exit: Literal["breakout", "breakdown"] | None = None
    name: str | None = None


#: The default schedule (row offsets from the end). The last four sit in the final
#: ~400 rows so a note written as of the last date shows them; the first four (2008-,
#: 2013-, 2019- and 2021-like on the default calendar) are dropped when the calendar is
#: too short to hold them with a year of history before.
DEFAULT_EPISODES: tuple[Episode, ...] = (
    Episode("breakdown", -4400, days=45, magnitude=0.32, name="Deep broad breakdown"),
    Episode("range", -3100, days=50, band=0.035, exit="breakdown",
            name="Index range, then breakdown"),
    Episode("crash_weak_bounce", -1500, days=9, magnitude=0.25, retrace=0.40, target="SPY",
            name="Index crash and weak bounce"),
    Episode("rotation", -1000, days=45, magnitude=0.12,
            name="Earlier rotation out of the Mag-7"),
    Episode("crash_weak_bounce", -400, days=8, magnitude=0.30, retrace=0.35, target="IBIT",
            name="Bitcoin crash and weak bounce"),
    Episode("range", -330, days=45, band=0.03, exit="breakout",
            name="Index range, then breakout"),
    Episode("breakdown", -230, days=30, magnitude=0.20, name="Broad breakdown"),
    Episode("rotation", -62, days=50, magnitude=0.15,
            name="Rotation out of the Mag-7 into the rest"),
)


@dataclass
class Plan:
    """A resolved episode: rows and the paths it imposes (internal)."""

    episode: Episode
    name: str
    kind: str
    target: str
    start: int                  # first row (crash: the peak)
    end: int                    # last row of the episode proper
    first_row: int              # first row whose return is imposed
    last_row: int               # last row whose return is imposed
    params: dict[str, Any]
    marks: dict[str, int] = field(default_factory=dict)   # trough, bounce top, exit rows
    spy: tuple[np.ndarray, np.ndarray] | None = None      # rows, log returns
    mags: tuple[np.ndarray, np.ndarray] | None = None
    bitcoin: tuple[np.ndarray, np.ndarray] | None = None
    stressed: np.ndarray | None = None                     # rows forced to the stressed regime
    calm: np.ndarray | None = None
    stress: tuple[np.ndarray, float] | None = None         # rows, total shock (SPY fall)
    rsp: tuple[np.ndarray, np.ndarray] | None = None
    idio: tuple[np.ndarray, float] | None = None           # rows, idiosyncratic vol multiplier


def _normalise(ep: Any, where: str) -> Episode:
    if not isinstance(ep, Episode):
        raise ParameterTypeError(f"generate_market(): {where} must be an Episode, got "
                                 f"{type(ep).__name__}")
    kind = check_choice(ep.kind, f"{where}.kind", EPISODE_KINDS, func="generate_market")
    allowed = _FIELDS_BY_KIND[kind]
    for fname in ("days", "magnitude", "target", "retrace", "bounce_days", "band", "exit"):
        if getattr(ep, fname) is not None and fname not in allowed:
            raise ParameterError(f"generate_market(): {where}.{fname} does not apply to "
                                 f"kind={kind!r}; it takes {', '.join(sorted(allowed))}")
    values = {k: (getattr(ep, k) if getattr(ep, k) is not None else v)
              for k, v in _DEFAULTS[kind].items()}
    f = "generate_market"
    if kind == "rotation":
        values["days"] = check_int(values["days"], f"{where}.days", minimum=10, func=f)
        values["magnitude"] = check_float(values["magnitude"], f"{where}.magnitude",
                                          minimum=0.01, maximum=0.6, func=f)
        if values["target"] != "MAGS":
            raise ParameterError(f"{f}(): {where}.target must be 'MAGS' for a rotation, "
                                 f"got {values['target']!r}")
    elif kind == "breakdown":
        values["days"] = check_int(values["days"], f"{where}.days", minimum=5, func=f)
        values["magnitude"] = check_float(values["magnitude"], f"{where}.magnitude",
                                          minimum=0.01, maximum=0.7, func=f)
        if values["target"] != "SPY":
            raise ParameterError(f"{f}(): {where}.target must be 'SPY' for a breakdown, "
                                 f"got {values['target']!r}")
    elif kind == "range":
        values["days"] = check_int(values["days"], f"{where}.days", minimum=10, func=f)
        values["band"] = check_float(values["band"], f"{where}.band", minimum=0.005,
                                     maximum=0.2, func=f)
        values["exit"] = check_choice(values["exit"], f"{where}.exit",
                                      ("breakout", "breakdown"), func=f)
        if values["target"] != "SPY":
            raise ParameterError(f"{f}(): {where}.target must be 'SPY' for a range, "
                                 f"got {values['target']!r}")
    else:
        values["days"] = check_int(values["days"], f"{where}.days", minimum=2, maximum=60,
                                   func=f)
        values["bounce_days"] = check_int(values["bounce_days"], f"{where}.bounce_days",
                                          minimum=2, maximum=120, func=f)
        values["magnitude"] = check_float(values["magnitude"], f"{where}.magnitude",
                                          minimum=0.02, maximum=0.8, func=f)
        values["retrace"] = check_float(values["retrace"], f"{where}.retrace", minimum=0.01,
                                        maximum=0.99, func=f)
        values["target"] = check_choice(values["target"], f"{where}.target",
                                        ("IBIT", "SPY"), func=f)
    return replace(ep, **values)


def _start_row(start: Any, index: pd.DatetimeIndex, where: str) -> int:
    n = len(index)
    if isinstance(start, (int, np.integer)) and not isinstance(start, bool):
        row = int(start) + (n if start < 0 else 0)
        if not 0 <= row < n:
            raise ParameterError(f"generate_market(): {where}.start={start} is outside the "
                                 f"calendar's {n} rows")
        return row
    ts = check_date(start, f"{where}.start", func="generate_market")
    row = int(index.searchsorted(ts, side="left"))
    if row >= n or ts < index[0]:
        raise ParameterError(
            f"generate_market(): {where}.start={ts:%Y-%m-%d} is outside the calendar "
            f"{index[0]:%Y-%m-%d}..{index[-1]:%Y-%m-%d}")
    return row


def _int(ep: Episode, name: str) -> int:
    """A numeric field of a resolved episode (plan_episodes fills every field of the
    kind before planning, so None here is a bug, not bad input)."""
    value = getattr(ep, name)
    if value is None:
        raise ParameterError(f"generate_market(): episode {ep.name!r} has no {name!r}")
    return int(value)


def _float(ep: Episode, name: str) -> float:
    value = getattr(ep, name)
    if value is None:
        raise ParameterError(f"generate_market(): episode {ep.name!r} has no {name!r}")
    return float(value)


def _span(ep: Episode, s: int) -> tuple[int, int, int]:
    """(first imposed row, end row, last imposed row) for an episode starting at ``s``."""
    if ep.kind == "crash_weak_bounce":
        last = s + _int(ep, "days") + _int(ep, "bounce_days") + FADE_ROWS
        return s - RUN_UP_ROWS + 1, last, last
    end = s + _int(ep, "days") - 1
    if ep.kind == "range":
        return s + 1, end, end + EXIT_ROWS
    return s + 1, end, end


def _bridge(rng: np.random.Generator, n: int, total: float, vol: float) -> np.ndarray:
    """``n`` noisy daily log returns summing exactly to ``total``."""
    z = rng.standard_normal(n) * vol
    z -= z.mean()
    return z + total / n


def _positive_steps(rng: np.random.Generator, n: int, total: float) -> np.ndarray:
    """``n`` same-signed steps summing to ``total`` (a steady move with uneven days)."""
    w = rng.uniform(0.4, 1.6, n)
    return w / w.sum() * total


def _fold(y: np.ndarray, width: float) -> np.ndarray:
    """Reflect a path into ``[0, width]`` (a random walk bouncing between two walls)."""
    m = np.mod(y, 2.0 * width)
    return width - np.abs(m - width)


def _crash_path(rng: np.random.Generator, ep: Episode, vol: float) -> np.ndarray:
    """Log returns of the run-up, crash, bounce and fade (rows s-2 .. end)."""
    run_up = rng.uniform(0.003, 0.009, RUN_UP_ROWS) * (vol / 0.012) ** 0.5
    fall = np.log1p(-_float(ep, "magnitude"))
    crash = _positive_steps(rng, _int(ep, "days"), fall)
    # bounce top = trough + retrace * (peak - trough), in price terms (peak = 1)
    top = 1.0 - _float(ep, "magnitude") * (1.0 - _float(ep, "retrace"))
    rise = np.log(top / (1.0 - _float(ep, "magnitude")))
    bounce = _positive_steps(rng, _int(ep, "bounce_days"), rise)
    # fade: a reflected walk below the top, never deeper than half-way to the trough
    walk = np.abs(np.cumsum(rng.standard_normal(FADE_ROWS) * vol * 0.6))
    path = -(walk + np.arange(1, FADE_ROWS + 1) * vol * 0.1)
    depth = 0.5 * rise
    path *= min(1.0, depth / float(-path.min()))
    fade = np.diff(np.concatenate(([0.0], path)))
    return np.concatenate((run_up, crash, bounce, fade))


def _plan_one(ep: Episode, s: int, rng: np.random.Generator, name: str) -> Plan:
    first, end, last = _span(ep, s)
    params = {k: getattr(ep, k) for k in _FIELDS_BY_KIND[ep.kind]}
    plan = Plan(episode=ep, name=name, kind=ep.kind, target=str(ep.target), start=s, end=end,
                first_row=first, last_row=last, params=params)
    rows = np.arange(first, last + 1)
    if ep.kind == "rotation":
        n = end - s
        spy = _bridge(rng, n, float(np.log1p(rng.uniform(-0.01, 0.01))), 0.005)
        rel = _bridge(rng, n, float(np.log1p(-_float(ep, "magnitude"))), 0.006)
        cum = np.cumsum(rel)
        floor = cum[:-1].min() if n > 1 else 0.0
        if cum[-1] > floor - 0.003:          # end the episode at the relative low
            rel[-1] -= cum[-1] - (floor - 0.003)
        broad = _bridge(rng, n, float(np.log1p(BROADENING * _float(ep, "magnitude"))), 0.002)
        plan.spy = (rows, spy)
        plan.mags = (rows, spy + rel)
        plan.rsp = (rows, spy + broad)
        plan.calm = rows
        plan.idio = (rows, ROTATION_IDIO)
    elif ep.kind == "breakdown":
        n = end - s
        plan.spy = (rows, _bridge(rng, n, float(np.log1p(-_float(ep, "magnitude"))), 0.014))
        plan.stressed = rows
        plan.stress = (rows, _float(ep, "magnitude"))
    elif ep.kind == "range":
        n = end - s
        width = float(np.log1p(_float(ep, "band"))) * 0.92
        y = width / 2 + np.cumsum(rng.standard_normal(n) * 0.0065)
        x = np.concatenate(([0.0], _fold(y, width) - width / 2))
        inside = np.diff(x)
        if ep.exit == "breakout":
            jump = (x.max() - x[-1]) + 0.3 * width
            more = rng.uniform(0.15, 0.35, EXIT_ROWS - 1) * width
        else:
            jump = (x.min() - x[-1]) - 0.3 * width
            more = -rng.uniform(0.15, 0.35, EXIT_ROWS - 1) * width
        plan.spy = (rows, np.concatenate((inside, [jump], more)))
        plan.calm = np.arange(first, end + 1)
        plan.marks["exit"] = end + 1
    else:
        vol = 0.03 if ep.target == "IBIT" else 0.012
        path = _crash_path(rng, ep, vol)
        trough = s + _int(ep, "days")
        plan.marks.update(peak=s, trough=trough, top=trough + _int(ep, "bounce_days"))
        if ep.target == "IBIT":
            plan.bitcoin = (rows, path)
        else:
            plan.spy = (rows, path)
            plan.stressed = np.arange(s + 1, trough + _int(ep, "bounce_days") + 1)
            plan.stress = (np.arange(s + 1, trough + 1), _float(ep, "magnitude"))
    return plan


def plan_episodes(episodes: Any, index: pd.DatetimeIndex, rng: np.random.Generator,
                  listing_rows: dict[str, int]) -> list[Plan]:
    """Validate the requested episodes and resolve them on the calendar.

    ``episodes="default"`` uses :data:`DEFAULT_EPISODES`, dropping those that do not fit
    with :data:`DEFAULT_MIN_START_ROW` rows of history before them; explicit lists raise
    :class:`ParameterError` for episodes that do not fit or that overlap.
    """
    if isinstance(episodes, str):
        check_choice(episodes, "episodes", ("default",), func="generate_market")
        requested, strict = list(DEFAULT_EPISODES), False
    elif episodes is None:
        requested, strict = [], True
    elif isinstance(episodes, (list, tuple)):
        requested, strict = list(episodes), True
    else:
        raise ParameterTypeError("generate_market(): 'episodes' must be 'default', None or "
                                 f"a list of Episode, got {type(episodes).__name__}")
    n = len(index)
    resolved: list[tuple[Episode, int, str]] = []
    for i, raw in enumerate(requested):
        where = f"episodes[{i}]"
        ep = _normalise(raw, where)
        s = _start_row(ep.start, index, where) if strict else int(ep.start) + n
        first, _, last = _span(ep, s)
        lo = MIN_START_ROW if strict else DEFAULT_MIN_START_ROW
        if ep.kind == "crash_weak_bounce" and ep.target == "IBIT":
            lo = max(lo, listing_rows["IBIT"] + 1)
        if first < lo or last > n - 1:
            if not strict:
                continue
            raise ParameterError(
                f"generate_market(): {where} ({ep.kind}) needs rows {first}..{last} with "
                f"{lo} rows before it (or IBIT listed), but the calendar has rows 0..{n - 1}; "
                "move its start or lengthen the calendar")
        name = ep.name if ep.name is not None else f"{ep.kind} {index[s]:%Y-%m-%d}"
        resolved.append((ep, s, name))
    names = [r[2] for r in resolved]
    dups = sorted({x for x in names if names.count(x) > 1})
    if dups:
        raise ParameterError(f"generate_market(): episode names must be unique; repeated: "
                             f"{', '.join(dups)}")
    plans = [_plan_one(ep, s, rng, name) for ep, s, name in resolved]
    _check_overlaps(plans)
    return sorted(plans, key=lambda p: p.start)


def _check_overlaps(plans: list[Plan]) -> None:
    """Episodes that impose paths on the same series must not share rows."""
    for attr in ("spy", "bitcoin"):
        spans = sorted((p.first_row, p.last_row, p.name) for p in plans
                       if getattr(p, attr) is not None)
        for (a0, a1, an), (b0, _b1, bn) in zip(spans, spans[1:], strict=False):
            if b0 <= a1:
                raise ParameterError(
                    f"generate_market(): episodes {an!r} (rows {a0}..{a1}) and {bn!r} "
                    f"(from row {b0}) overlap on {'SPY' if attr == 'spy' else 'IBIT'}; "
                    "move one of them")
