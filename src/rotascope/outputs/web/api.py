"""REST API under /api/v1/: one endpoint per analysis command, the same JSON as --json.

Each endpoint calls the payload function the CLI command uses (``*_result`` in
``outputs/cli/``), so the two cannot drift; query parameters are named like the CLI's
options. Answers are cached per store signature (see :mod:`.access`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from ...errors import ParameterError

__all__ = ["router", "parse_date", "WebState"]

router = APIRouter(prefix="/api/v1", tags=["analysis"])


class WebState:
    """What every request shares: settings, read-only store access, the answer cache."""

    def __init__(self, settings: Any, access: Any, cache: Any) -> None:
        self.settings = settings
        self.access = access
        self.cache = cache


def state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def parse_date(value: str | None, option: str = "as_of") -> pd.Timestamp | None:
    """A date parameter parsed as the CLI parses --as-of (ParameterError when bad)."""
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"Invalid value for {option!r}: expected a date like "
                             f"2024-06-28, got {value!r}") from exc


def cached_json(web: WebState, name: str, params: dict[str, Any],
                compute: Callable[[], Any]) -> str:
    """The JSON text of ``compute()``, cached per endpoint, parameters and store signature."""
    from ..jsonout import dumps

    key = (name, tuple(sorted((k, repr(v)) for k, v in params.items())),
           web.access.signature())
    return web.cache.get_or_compute(key, lambda: dumps(compute()))  # type: ignore[no-any-return]


def answer(request: Request, name: str, params: dict[str, Any],
           compute: Callable[[], Any]) -> Response:
    """The cached JSON of ``compute()`` as the response."""
    return Response(cached_json(state(request), name, params, compute),
                    media_type="application/json")


def to_dict(result: Any) -> Any:
    return result.to_dict()


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


AsOf = Query(None, description="Analyse as of this date (YYYY-MM-DD), using only data up "
                               "to it; default: the latest date with enough coverage.")


@router.get("/ratio", summary="rotascope ratio NUMERATOR DENOMINATOR --json")
def ratio(request: Request, numerator: str, denominator: str,
          as_of: str | None = AsOf) -> Response:
    from ..cli.analysis import ratio_result

    day = parse_date(as_of)
    return answer(request, "ratio", locals_of(numerator, denominator, day),
                  lambda: ratio_result(state(request).access.opener(), numerator, denominator,
                                       day)[0].to_dict())


@router.get("/perf", summary="rotascope perf TICKERS... --windows W --json")
def perf(request: Request, tickers: str = Query(..., description="Comma-separated tickers."),
         windows: str = "1w,1m,3m,6m,ytd,1y", as_of: str | None = AsOf) -> Response:
    from ..cli.analysis import perf_result

    day = parse_date(as_of)
    names = _csv(tickers)
    if not names:
        raise ParameterError("'tickers' needs at least one ticker, e.g. tickers=SPY,RSP")
    return answer(request, "perf", locals_of(names, windows, day),
                  lambda: perf_result(state(request).access.opener(), names, windows,
                                      day).to_dict())


@router.get("/breadth", summary="rotascope breadth --universe U --json")
def breadth(request: Request, universe: str = "sp500", as_of: str | None = AsOf) -> Response:
    from ..cli.breadth import breadth_result

    day = parse_date(as_of)
    return answer(request, "breadth", locals_of(universe, day),
                  lambda: breadth_result(state(request).access.opener(), universe,
                                         day).to_dict())


@router.get("/rrg", summary="rotascope rrg [TICKERS] --json")
def rrg(request: Request, tickers: str | None = None, universe: str = "sectors",
        benchmark: str = "SPY", tail: int = Query(8, ge=1, le=520),
        period: str = Query("weekly", pattern="^(weekly|daily)$"),
        as_of: str | None = AsOf) -> Response:
    from ..cli.rrg import rrg_result

    day = parse_date(as_of)
    names = _csv(tickers)
    return answer(request, "rrg", locals_of(names, universe, benchmark, tail, period, day),
                  lambda: rrg_result(state(request).access.opener(), names,
                                     universe_name=universe, benchmark=benchmark, tail=tail,
                                     period=period, as_of=day).to_dict())


@router.get("/regime", summary="rotascope regime --json (or --from/--to replay)")
def regime(request: Request, as_of: str | None = AsOf,
           start: str | None = Query(None, alias="from"),
           end: str | None = Query(None, alias="to"), universe: str = "sp500") -> Response:
    from ..cli.regime import regime_payload, regime_result

    day, first, last_ = parse_date(as_of), parse_date(start, "from"), parse_date(end, "to")
    web = state(request)

    def compute() -> Any:
        history, _, last = regime_result(web.access.opener(), web.settings, as_of=day,
                                         start=first, end=last_, universe=universe)
        return regime_payload(history, last, start=first,
                              replay=first is not None or last_ is not None)

    return answer(request, "regime", locals_of(day, first, last_, universe), compute)


@router.get("/signals", summary="rotascope signals TICKER --json")
def signals(request: Request, ticker: str = Query(..., description="A ticker or A/B."),
            as_of: str | None = AsOf) -> Response:
    from ..cli.signals import signals_result

    day = parse_date(as_of)
    return answer(request, "signals", locals_of(ticker, day),
                  lambda: signals_result(state(request).access.opener(), ticker,
                                         day).to_dict())


@router.get("/leaders", summary="rotascope leaders UNIVERSE --json")
def leaders(request: Request, universe: str = "sectors", window: str = "3m",
            benchmark: str | None = None,
            period: str = Query("weekly", pattern="^(weekly|daily)$"),
            as_of: str | None = AsOf) -> Response:
    from ..cli.leaders import leaders_result

    day = parse_date(as_of)
    return answer(request, "leaders", locals_of(universe, window, benchmark, period, day),
                  lambda: leaders_result(state(request).access.opener(), universe,
                                         window=window, benchmark=benchmark, period=period,
                                         as_of=day).to_dict())


@router.get("/snapshot", summary="rotascope snapshot --json")
def snapshot(request: Request, as_of: str | None = AsOf) -> Response:
    from ..cli.snapshot import snapshot_result

    day = parse_date(as_of)
    return answer(request, "snapshot", locals_of(day),
                  lambda: snapshot_result(state(request).access.opener(), day).to_dict())


@router.get("/rotation", summary="rotascope rotation --json")
def rotation(request: Request, pairs: str | None = None, bitcoin: bool = True,
             as_of: str | None = AsOf) -> Response:
    from ..cli.rotation import rotation_payload, rotation_result

    day = parse_date(as_of)
    return answer(request, "rotation", locals_of(pairs, bitcoin, day),
                  lambda: rotation_payload(*rotation_result(state(request).access.opener(),
                                                            pairs, bitcoin, day)))


@router.get("/concentration", summary="rotascope concentration --json")
def concentration(request: Request, universe: str = "sp500", index: str = "SPY",
                  windows: str = "1m,3m,ytd,1y", as_of: str | None = AsOf) -> Response:
    from ..cli.rotation import concentration_result

    day = parse_date(as_of)
    return answer(request, "concentration", locals_of(universe, index, windows, day),
                  lambda: concentration_result(state(request).access.opener(), universe,
                                               index_ticker=index, windows=windows,
                                               as_of=day).to_dict())


@router.get("/scan", summary="rotascope scan CONDITION --json ($ = each member)")
def scan(request: Request,
         condition: str = Query(..., max_length=2000,
                                description="The condition, with $ for each member, e.g. "
                                            "close($) > sma($, 50)."),
         universe: str = "sp500", as_of: str | None = AsOf,
         start: str | None = Query(None, alias="from"),
         end: str | None = Query(None, alias="to"),
         sort: str | None = Query(None, max_length=500),
         limit: int | None = Query(None, ge=1)) -> Response:
    # The local engine only: a web request never starts a Dask cluster.
    from ..cli.scan import scan_result

    day, first, last = parse_date(as_of), parse_date(start, "from"), parse_date(end, "to")
    if last is not None and day is not None and last != day:
        raise ParameterError("give as_of or to, not both")
    when = last if last is not None else day
    return answer(request, "scan", locals_of(condition, universe, when, first, last, sort,
                                             limit),
                  lambda: scan_result(state(request).access.opener(), condition, universe,
                                      when, start=first, end=last, sort=sort,
                                      limit=limit).to_dict())


@router.post("/check", summary="rotascope check FILE --json, on posted text")
async def check(request: Request, text: str | None = Form(None),
                file: UploadFile | None = File(None), source: str | None = Form(None),  # noqa: B008
                format: str = Form("auto"), as_of: str | None = Form(None)) -> Response:
    from starlette.concurrency import run_in_threadpool

    day = parse_date(as_of)
    if file is not None:
        raw = await file.read()
        try:
            body = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParameterError(f"{file.filename}: not UTF-8 text") from exc
        name = source or file.filename or "<upload>"
    elif text is not None:
        body, name = text, source or "<pasted text>"
    else:
        raise ParameterError("post the text as form field 'text' or a file as 'file'")
    report = await run_in_threadpool(check_document, state(request), body, name, format, day)
    from ..jsonout import dumps

    return Response(dumps(report.to_dict()), media_type="application/json")


def check_document(web: WebState, text: str, source: str, format: str, as_of: Any) -> Any:
    """The CheckReport of a posted text (what `rotascope check` gives for that file)."""
    from ...errors import FileFormatError
    from ...text.extract import detect_format, parse_document
    from ..cli.check import check_report

    if format not in ("auto", "text", "markdown", "html"):
        raise ParameterError(f"'format' must be auto, text, markdown or html, got {format!r}")
    fmt = detect_format(Path(source), text) if format == "auto" else format
    doc = parse_document(text, format=fmt, source=source)  # type: ignore[arg-type]
    if not doc.paragraphs:
        raise FileFormatError(source, f"no text found (read as {fmt})")
    with web.access.store() as store:
        return check_report(store, web.settings, doc, as_of)


@router.get("/alerts", summary="rotascope alerts check RULES --json")
def alerts(request: Request, rules: str = Query(..., description="A rules file in "
                                                "$ROTASCOPE_HOME/alerts/."),
           as_of: str | None = AsOf) -> Response:
    from ..cli.alerts import check_result
    from .library import library_file

    web = state(request)
    day = parse_date(as_of)
    path = library_file(web.settings, "alerts", rules)

    def compute() -> Any:
        with web.access.store() as store:
            return check_result(store, web.settings, str(path), day)[1].to_dict()

    return answer(request, "alerts", locals_of(str(path), path.stat().st_mtime_ns, day),
                  compute)


@router.get("/alerts/state", summary="Alert edge state, firings and deliveries")
def alerts_state(request: Request) -> Response:
    from .alerts_view import alert_tables

    web = state(request)

    def compute() -> Any:
        with web.access.store(require_data=False) as store:
            return alert_tables(store)

    return answer(request, "alerts_state", {}, compute)


@router.get("/portfolio", summary="rotascope portfolio analyze HOLDINGS --json")
def portfolio(request: Request, holdings: str = Query(..., description="A holdings file in "
                                                      "$ROTASCOPE_HOME/portfolios/."),
              window: str = "1y", benchmark: str = "SPY", leverage: bool = False,
              as_of: str | None = AsOf) -> Response:
    from .library import library_file

    web = state(request)
    path = library_file(web.settings, "portfolios", holdings)
    day = parse_date(as_of)
    return answer(request, "portfolio",
                  locals_of(str(path), path.stat().st_mtime_ns, window, benchmark, leverage,
                            day),
                  lambda: _portfolio(web, str(path), window, benchmark, leverage, day))


@router.post("/portfolio", summary="rotascope portfolio analyze on an uploaded file")
async def portfolio_upload(request: Request, file: UploadFile = File(...),  # noqa: B008
                           window: str = Form("1y"), benchmark: str = Form("SPY"),
                           leverage: bool = Form(False),
                           as_of: str | None = Form(None)) -> Response:
    from starlette.concurrency import run_in_threadpool

    from ..jsonout import dumps

    day = parse_date(as_of)
    given = Path(file.filename or "holdings.csv")
    suffix = given.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise ParameterError("upload a holdings .csv or .yaml file")
    # the portfolio is named after the file, as on the command line; only a safe stem
    stem = "".join(ch for ch in given.stem if ch.isalnum() or ch in "-_ .")[:80] or "holdings"
    raw = await file.read()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(raw)
        payload = await run_in_threadpool(_portfolio, state(request), str(path), window,
                                          benchmark, leverage, day)
    return Response(dumps(payload), media_type="application/json")


def _portfolio(web: WebState, path: str, window: str, benchmark: str, leverage: bool,
               day: Any) -> Any:
    from ..cli.portfolio import analyze_result

    return analyze_result(web.access.opener(), path, window=window, benchmark=benchmark,
                          leverage=leverage, as_of=day).to_dict()


@router.get("/backtest", summary="rotascope backtest STRATEGY.yaml --json")
def backtest(request: Request, strategy_file: str = Query(..., alias="strategy_file",
                                                          description="A strategy file in "
                                                          "$ROTASCOPE_HOME/strategies/."),
             start: str | None = Query(None, alias="from"),
             end: str | None = Query(None, alias="to"),
             strategy: str | None = Query(None, description="Comma-separated strategy ids "
                                          "(the CLI's repeatable --strategy).")) -> Response:
    from ..cli.backtest import backtest_result
    from .library import library_file

    web = state(request)
    path = library_file(web.settings, "strategies", strategy_file)
    first, last = parse_date(start, "from"), parse_date(end, "to")
    only = tuple(_csv(strategy))
    return answer(request, "backtest",
                  locals_of(str(path), path.stat().st_mtime_ns, first, last, only),
                  lambda: backtest_result(web.access.opener(), web.settings, str(path),
                                          start=first, end=last, only=only)[1])


@router.post("/backtest", summary="rotascope backtest on an uploaded strategy file")
async def backtest_upload(request: Request, file: UploadFile = File(...),  # noqa: B008
                          start: str | None = Form(None, alias="from"),
                          end: str | None = Form(None, alias="to"),
                          strategy: str | None = Form(None)) -> Response:
    from starlette.concurrency import run_in_threadpool

    from ..cli.backtest import backtest_result
    from ..jsonout import dumps

    web = state(request)
    first, last = parse_date(start, "from"), parse_date(end, "to")
    if Path(file.filename or "").suffix.lower() not in (".yaml", ".yml"):
        raise ParameterError("upload a strategy .yaml file")
    raw = await file.read()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strategies.yaml"
        path.write_bytes(raw)
        payload = await run_in_threadpool(
            lambda: backtest_result(web.access.opener(), web.settings, str(path), start=first,
                                    end=last, only=tuple(_csv(strategy)))[1])
    return Response(dumps(payload), media_type="application/json")


def locals_of(*values: Any) -> dict[str, Any]:
    """Cache-key parameters from positional values."""
    return {str(i): v for i, v in enumerate(values)}
