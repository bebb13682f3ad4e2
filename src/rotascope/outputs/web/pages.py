"""Server-rendered pages (Jinja2, autoescaped) with plotly.js charts drawn from embedded
figure JSON; the data comes from the same cached payloads as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .render import render

__all__ = ["router", "login_page", "error_page"]

router = APIRouter(include_in_schema=False)


def login_page(message: str, next_url: str = "/") -> str:
    return render("message.html", title="log in", message=message, login=True,
                  next=next_url)


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    return HTMLResponse(render("message.html", title=f"error {status}", message=message,
                               login=False, next="/"), status_code=status)


@router.get("/login")
def login_form(next: str = "/") -> HTMLResponse:
    return HTMLResponse(login_page("enter the server's token", next))


@router.post("/login")
def login(request: Request, token: str = Form(...), next: str = Form("/")) -> Response:
    import hmac

    from .security import COOKIE, cookie_value

    expected = request.app.state.token
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        return HTMLResponse(login_page("wrong token", next), status_code=401)
    # only a path of this server (not //host or /\host, which browsers read as a host)
    target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(COOKIE, cookie_value(expected), httponly=True, secure=True,
                    samesite="strict", path="/")
    return resp


# -- helpers ------------------------------------------------------------------------------

def _web(request: Request) -> Any:
    return request.app.state.web


def _payload(request: Request, name: str, params: dict[str, Any], compute: Any) -> Any:
    """The API's cached payload as Python data (ISO dates, NaN as None)."""
    import json

    from .api import cached_json

    return json.loads(cached_json(_web(request), name, params, compute))


def _date(value: str | None) -> Any:
    from .api import parse_date

    return parse_date(value)


def _page(title: str, active: str, blocks: list[dict[str, Any]], *, cutoff: Any = None,
          as_of: str | None = None, keep: dict[str, Any] | None = None,
          charts: bool = True) -> HTMLResponse:
    return HTMLResponse(render("page.html", title=title, active=active, blocks=blocks,
                               cutoff=cutoff, as_of=as_of, as_of_form=True,
                               keep={k: v for k, v in (keep or {}).items() if v is not None},
                               charts=charts))


def _cell(x: Any, kind: str = "pct") -> tuple[str, str]:
    """(text, css class) of a number: "pct" signed percent, "share" unsigned percent."""
    from .render import _num, _pct, _sign

    if kind == "share":
        return (_pct(x, sign=False), "")
    return (_pct(x) if kind == "pct" else _num(x), _sign(x))


def _close(request: Request, tickers: list[str], day: Any) -> Any:
    with _web(request).access.opener()(day, needs=tickers) as market:
        return market.close(market.present(tickers)), market.as_of


# -- overview -----------------------------------------------------------------------------

@router.get("/")
def overview(request: Request, as_of: str | None = None) -> HTMLResponse:
    from ..cli.breadth import breadth_result
    from ..cli.regime import regime_payload, regime_result
    from ..cli.snapshot import KEY_RATIOS, snapshot_result
    from .figures import ratio_series, spark_figure

    web, day = _web(request), _date(as_of)
    opener = web.access.opener()

    def regime_now_and_before() -> Any:
        history, _, last = regime_result(opener, web.settings, as_of=day)
        week_ago = history.verdict.loc[:last].index[-6] if len(history.verdict.loc[:last]) > 5 \
            else last
        return {"now": regime_payload(history, last), "before": regime_payload(history, week_ago)}

    reg = _payload(request, "page:regime-week", {"d": day}, regime_now_and_before)
    snap = _payload(request, "snapshot", {"0": day},
                    lambda: snapshot_result(opener, day).to_dict())
    br = _payload(request, "breadth", {"0": "sp500", "1": day},
                  lambda: breadth_result(opener, "sp500", day).to_dict())
    now, before = reg["now"], reg["before"]
    tickers = sorted({t for p in KEY_RATIOS for t in p})
    close, cut = _close(request, tickers, pd_ts(snap["as_of"]))
    sparks = []
    changed: list[list[Any]] = [["regime verdict", before["verdict"], now["verdict"], ""]]
    for i, (a, b) in enumerate(KEY_RATIOS):
        if a not in close or b not in close:
            continue
        s = ratio_series(close, a, b).iloc[-126:]
        change = float(s.iloc[-1] / s.iloc[-6] - 1) if len(s) > 5 else None
        sparks.append({"id": f"spark{i}", "title": f"{a}/{b}", "value": f"{s.iloc[-1]:.4f}",
                       "change": change, "fig": spark_figure(s)})
        if len(s) > 5:
            changed.append([f"{a}/{b}", f"{s.iloc[-6]:.4f}", f"{s.iloc[-1]:.4f}",
                            _cell(change)])
    ev_rows = [[e["label"], e["group"], e["display"], e["threshold"], e["stance"]]
               for e in now["evidence"]]
    for sec in snap["sections"][:1]:
        for r in sec["rows"][:8]:
            changed.append([f"{r['ticker']} return", "", "", _cell(r.get("1w"))])
    blocks: list[dict[str, Any]] = [
        {"kind": "verdict", "text": f"Regime: {now['verdict']}",
         "detail": f"{now['description']} Confidence {now['confidence']:.0%}"
                   + (f", since {now['since']}" if now.get("since") else "") + "."},
        {"kind": "heading", "text": "Key ratios (6 months)"},
        {"kind": "sparks", "entries": sparks},
        {"kind": "heading", "text": f"Breadth of {br['universe']}"},
        {"kind": "table", "headers": ["measure", "value"], "rows": [
            *[[f"above {w}-day average", _cell(v, "share")]
              for w, v in br["pct_above_sma"].items()],
            ["new 52-week highs / lows", f"{br['new_highs']} / {br['new_lows']}"],
            ["advances / declines", f"{br['advances']} / {br['declines']}"],
            ["McClellan oscillator", _cell(br["mcclellan_oscillator"], "num")]]},
        {"kind": "heading", "text": "What changed since last week"},
        {"kind": "table", "headers": ["", "5 sessions ago", "now", "change"],
         "rows": changed},
        {"kind": "table", "title": "Evidence", "headers": ["signal", "group", "value",
                                                           "threshold", "stance"],
         "rows": ev_rows},
    ]
    return _page("Overview", "/", blocks, cutoff=now["as_of"], as_of=as_of)


def pd_ts(value: str) -> Any:
    import pandas as pd

    return pd.Timestamp(value)


# -- ratio explorer ---------------------------------------------------------------------

@router.get("/ratio")
def ratio_page(request: Request, numerator: str = "MAGS", denominator: str = "SPY",
               start: str | None = None, end: str | None = None, months: int = 12,
               as_of: str | None = None) -> HTMLResponse:
    from ...analysis.indicators import sma
    from ...errors import ParameterError
    from ..cli.analysis import ratio_result
    from .figures import extremes, line_figure, ratio_series

    if not 1 <= months <= 120:
        raise ParameterError("'months' must be between 1 and 120")
    day = _date(as_of)
    web = _web(request)
    status = _payload(request, "ratio", {"0": numerator, "1": denominator, "2": day},
                      lambda: ratio_result(web.access.opener(), numerator, denominator,
                                           day)[0].to_dict())
    a, b = status["numerator"], status["denominator"]
    close, cut = _close(request, [a, b], pd_ts(status["as_of"]))
    line = ratio_series(close, a, b)
    avg50, avg200 = sma(line, 50), sma(line, 200)
    low, high = extremes(line, months)
    first, last = _date(start), _date(end)
    view = slice(first, last)
    fig = line_figure({f"{a}/{b}": line.loc[view], "50-day average": avg50.loc[view],
                       "200-day average": avg200.loc[view]}, f"{a}/{b}",
                      markers={f"{months}-month low": low.loc[view],
                               f"{months}-month high": high.loc[view]})
    rows = [[k, _cell(status[k], "pct" if k.startswith(("change", "pct")) else "num")]
            for k in ("value", "change_1m", "change_3m", "change_6m", "pct_vs_sma50",
                      "pct_vs_sma200", "lowest_in_months", "highest_in_months")]
    rows += [["lowest since", status.get("lowest_since") or ""],
             ["highest since", status.get("highest_since") or ""]]
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "numerator", "label": "A", "value": a},
            {"name": "denominator", "label": "B", "value": b},
            {"name": "start", "label": "from", "type": "date", "value": start},
            {"name": "end", "label": "to", "type": "date", "value": end},
            {"name": "months", "label": "N-month extremes", "type": "number",
             "value": months},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]},
        {"kind": "chart", "id": "ratio-chart", "fig": fig},
        {"kind": "table", "headers": ["", "value"], "rows": rows}]
    return _page(f"Ratio {a}/{b}", "/ratio", blocks, cutoff=status["as_of"], as_of=as_of,
                 keep={"numerator": a, "denominator": b})


# -- RRG ----------------------------------------------------------------------------------

@router.get("/rrg")
def rrg_page(request: Request, universe: str = "sectors", tickers: str | None = None,
             benchmark: str = "SPY", tail: int = 8, period: str = "weekly",
             weeks: int = 26, as_of: str | None = None) -> HTMLResponse:
    from ...errors import ParameterError
    from ..cli.rrg import rrg_result
    from .figures import rrg_figure

    if period not in ("weekly", "daily") or not 1 <= tail <= 52 or not 1 <= weeks <= 260:
        raise ParameterError("period must be weekly or daily, tail 1..52, weeks 1..260")
    day = _date(as_of)
    names = [t.strip() for t in (tickers or "").split(",") if t.strip()]
    web = _web(request)
    # one long tail (tail + weeks points) gives every frame of the slider
    depth = tail + weeks
    res = _payload(request, "rrg", {"0": names, "1": universe, "2": benchmark, "3": depth,
                                    "4": period, "5": day},
                   lambda: rrg_result(web.access.opener(), names, universe_name=universe,
                                      benchmark=benchmark, tail=depth, period=period,
                                      as_of=day).to_dict())
    fig = rrg_figure(res, tail)
    rows = [[p["ticker"], _cell(p["rs_ratio"], "num"), _cell(p["rs_momentum"], "num"),
             p["quadrant"] or "n/a", p.get("since") or ""] for p in res["points"]]
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "universe", "label": "universe", "value": universe},
            {"name": "tickers", "label": "or tickers", "value": tickers},
            {"name": "benchmark", "label": "benchmark", "value": benchmark},
            {"name": "tail", "label": "tail", "type": "number", "value": tail},
            {"name": "period", "label": "period", "type": "select", "value": period,
             "options": ["weekly", "daily"]},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]},
        {"kind": "chart", "id": "rrg-chart", "fig": fig},
        {"kind": "table", "headers": ["ticker", "RS-Ratio", "RS-Momentum", "quadrant",
                                      "since"], "rows": rows}]
    return _page("Relative rotation graph", "/rrg", blocks, cutoff=res["as_of"], as_of=as_of,
                 keep={"universe": universe, "tickers": tickers, "benchmark": benchmark})


# -- breadth --------------------------------------------------------------------------

@router.get("/breadth")
def breadth_page(request: Request, universe: str = "sp500",
                 as_of: str | None = None) -> HTMLResponse:
    from ..cli.breadth import breadth_result
    from .figures import bar_figure, line_figure, ratio_series

    day = _date(as_of)
    web = _web(request)
    br = _payload(request, "breadth", {"0": universe, "1": day},
                  lambda: breadth_result(web.access.opener(), universe, day).to_dict())
    shares = br["pct_above_sma"]
    blocks: list[dict[str, Any]] = [
        {"kind": "chart", "id": "breadth-chart",
         "fig": bar_figure([f"above {w}-day" for w in shares], list(shares.values()),
                           f"Members of {universe} above their averages")},
        {"kind": "table", "headers": ["measure", "value", "counted over"], "rows": [
            ["members", br["members"], f"{br['missing_close']} without a close"],
            *[[f"above {w}-day average", _cell(v, "share"), br["counted"][w]]
              for w, v in shares.items()],
            ["new 52-week highs / lows", f"{br['new_highs']} / {br['new_lows']}",
             br["counted_high_low"]],
            ["advances / declines / unchanged",
             f"{br['advances']} / {br['declines']} / {br['unchanged']}",
             br["counted_advance_decline"]],
            ["A/D line", br["ad_line"], f"since {br.get('ad_line_start') or ''}"],
            ["McClellan oscillator", _cell(br["mcclellan_oscillator"], "num"), ""],
            ["McClellan summation", _cell(br["mcclellan_summation"], "num"), ""]]}]
    hist = _payload(request, "page:breadth-history", {"0": universe, "1": br["as_of"]},
                    lambda: _breadth_history(web, universe, pd_ts(br["as_of"])))
    if hist["dates"]:
        blocks.insert(1, {"kind": "chart", "id": "breadth-history-chart", "fig": {
            "data": [{"type": "scatter", "mode": "lines", "name": f"above {w}-day average",
                      "x": hist["dates"], "y": hist[f"pct_above_sma_{w}"]}
                     for w in (20, 50, 200)],
            "layout": {"title": {"text": f"Share of {universe} members above their "
                                         "averages, 2 years"},
                       "yaxis": {"tickformat": ".0%"}, "template": "plotly_white",
                       "legend": {"orientation": "h"}}}})
    close, _ = _close(request, ["RSP", "SPY"], pd_ts(br["as_of"]))
    if {"RSP", "SPY"} <= set(close.columns):
        blocks.append({"kind": "chart", "id": "rsp-chart",
                       "fig": line_figure({"RSP/SPY": ratio_series(close, "RSP", "SPY")
                                           .iloc[-504:]}, "Equal weight vs cap weight")})
    if br.get("participation"):
        blocks += [{"kind": "text", "text": t} for t in br["participation"]["text"]]
    blocks += [{"kind": "text", "cls": "note", "text": f"note: {n}"} for n in br["notes"]]
    return _page(f"Breadth of {universe}", "/breadth", blocks, cutoff=br["as_of"],
                 as_of=as_of, keep={"universe": universe})


def _breadth_history(web: Any, universe: str, day: Any) -> dict[str, Any]:
    """The last two years of breadth shares of ``universe`` up to ``day`` (point in
    time membership), as the report computes them."""
    from ...analysis.breadth import breadth_history
    from .figures import finite

    with web.access.opener()(day, needs_universes=(universe,)) as market:
        tickers = sorted(market.present(market.ever_members(universe)))
        if not tickers:
            return {"dates": []}
        close = market.close(tickers)
        mask = market.membership(universe, close.index, tickers)
    hist = breadth_history(close, members=mask).iloc[-504:]
    out: dict[str, Any] = {"dates": [f"{d:%Y-%m-%d}" for d in hist.index]}
    for w in (20, 50, 200):
        out[f"pct_above_sma_{w}"] = finite(hist[f"pct_above_sma_{w}"].to_numpy())
    return out


# -- sectors & leaders ----------------------------------------------------------------

@router.get("/leaders")
def leaders_page(request: Request, universe: str = "sectors", window: str = "3m",
                 as_of: str | None = None) -> HTMLResponse:
    from ..cli.leaders import leaders_result
    from .figures import bar_figure

    day = _date(as_of)
    web = _web(request)
    res = _payload(request, "leaders", {"0": universe, "1": window, "2": None,
                                        "3": "weekly", "4": day},
                   lambda: leaders_result(web.access.opener(), universe, window=window,
                                          as_of=day).to_dict())
    rows = res["rows"]
    fig = bar_figure([r["ticker"] for r in rows[:40]],
                     [r["relative"].get(window) for r in rows[:40]],
                     f"Relative strength over {window} vs {res['benchmark']}")
    table = [[r["rank"].get(window) or "", r["ticker"],
              *[_cell(r["relative"].get(w)) for w in res["windows"]],
              r["quadrant"] or "n/a", r.get("since") or "", r["call"]] for r in rows]
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "universe", "label": "universe", "value": universe},
            {"name": "window", "label": "rank by", "value": window},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]},
        {"kind": "chart", "id": "leaders-chart", "fig": fig},
        {"kind": "table", "headers": ["#", "ticker", *[f"rel {w}" for w in res["windows"]],
                                      "quadrant", "since", "call"], "rows": table}]
    return _page(f"Leaders of {universe}", "/leaders", blocks, cutoff=res["as_of"],
                 as_of=as_of, keep={"universe": universe, "window": window})


# -- signals ------------------------------------------------------------------------------

@router.get("/signals")
def signals_page(request: Request, ticker: str = "SPY",
                 as_of: str | None = None) -> HTMLResponse:
    from ...analysis.indicators import sma
    from ..cli.signals import _legs, signals_result
    from .figures import line_figure

    day = _date(as_of)
    web = _web(request)
    s = _payload(request, "signals", {"0": ticker, "1": day},
                 lambda: signals_result(web.access.opener(), ticker, day).to_dict())
    legs = _legs(ticker)
    close, _ = _close(request, legs, pd_ts(s["as_of"]))
    line = close[legs[0]] if len(legs) == 1 else (close[legs[0]] / close[legs[1]]).dropna()
    line = line.dropna()
    series = {s["ticker"]: line.iloc[-504:]}
    for w in (50, 200):
        series[f"{w}-day average"] = sma(line, w).iloc[-504:]
    rows = [["close", _cell(s["close"], "num")],
            *[[f"SMA {k}", _cell(v, "num"), _cell(s["pct_vs_sma"][k])]
              for k, v in s["sma"].items()],
            ["RSI(14)", _cell(s["rsi14"], "num")],
            ["RSI divergence", s["rsi_divergence"] or "none"],
            ["drawdown from peak", _cell(s["drawdown"])],
            ["worst 10-day decline", _cell(s["worst_decline_10d"])],
            ["range", "none" if not s["range"] else
             f"{s['range']['floor']:.4g} - {s['range']['ceiling']:.4g} since "
             f"{s['range']['start']}"],
            ["rebound", "none" if not s["rebound"] else
             f"{s['rebound']['retraced']:.0%} of the fall retraced"]]
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "ticker", "label": "ticker or A/B", "value": s["ticker"]},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]},
        {"kind": "chart", "id": "signals-chart", "fig": line_figure(series, s["ticker"])},
        {"kind": "table", "headers": ["", "value", "close vs"], "rows": rows}]
    return _page(f"Signals of {s['ticker']}", "/signals", blocks, cutoff=s["as_of"],
                 as_of=as_of, keep={"ticker": s["ticker"]})


# -- weekly notes -------------------------------------------------------------------------

def _last_date(request: Request) -> Any:
    with _web(request).access.store(require_data=False) as store:
        last = store.last_date() if store.exists else None
    return None if last is None else f"{last:%Y-%m-%d}"


@router.get("/notes")
def notes_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    from .library import list_files

    names = list_files(_web(request).settings, "reports")
    if as_of:  # notes written on or before the date (their folder names carry it)
        names = [n for n in names if (_note_date(n) or "") <= as_of]
    items = [(f"/notes/view/{n}", n) for n in names if not n.endswith(".json")]
    return _page("Weekly notes", "/notes",
                 [{"kind": "links", "entries": items,
                   "empty": "no notes yet: `rotascope report` writes them to "
                            "$ROTASCOPE_HOME/reports/"}],
                 cutoff=_last_date(request), as_of=as_of, charts=False)


def _note_date(name: str) -> str | None:
    import re

    m = re.search(r"(\d{4}-\d{2}-\d{2})", name)
    return m.group(1) if m else None


@router.get("/notes/view/{name:path}")
def note_view(request: Request, name: str) -> HTMLResponse:
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    from .library import library_file

    path = library_file(_web(request).settings, "reports", name)
    if path.suffix == ".md":
        # html=False: raw HTML in the note is shown as text, never run
        html = MarkdownIt("commonmark", {"html": False}).render(
            path.read_text(encoding="utf-8", errors="replace"))
        block: dict[str, Any] = {"kind": "markdown", "html": Markup(html)}
    else:
        block = {"kind": "frame", "src": f"/notes/raw/{name}"}
    return _page(name, "/notes", [block], cutoff=_last_date(request), charts=False)


@router.get("/notes/raw/{name:path}")
def note_raw(request: Request, name: str) -> Response:
    import mimetypes

    from fastapi.responses import FileResponse

    from .library import library_file

    path = library_file(_web(request).settings, "reports", name)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # sandbox: the note's own scripts (charts) run in an opaque origin, away from the desk
    return FileResponse(path, media_type=kind, headers={
        "Content-Security-Policy": "sandbox allow-scripts", "X-Content-Type-Options": "nosniff"})


# -- claim checker ----------------------------------------------------------------------

_CHECK_FORM = {"kind": "form", "method": "post", "action": "/check", "multipart": True,
               "id": "check-form", "submit": "check"}


def _check_blocks(text: str, as_of: str | None) -> list[dict[str, Any]]:
    return [{**_CHECK_FORM, "fields": [
        {"name": "text", "label": "text", "type": "textarea", "value": text},
        {"name": "file", "label": "or upload", "type": "file", "value": None},
        {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]}]


@router.get("/check")
def check_page(request: Request, as_of: str | None = None) -> HTMLResponse:
    return _page("Claim checker", "/check", _check_blocks("", as_of),
                 cutoff=_last_date(request), charts=False)


@router.post("/check")
async def check_submit(request: Request, text: str = Form(""), as_of: str = Form(""),
                       file: Any = None) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    from ...errors import ParameterError
    from .api import check_document

    form = await request.form()
    upload = form.get("file")
    name = "<pasted text>"
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParameterError(f"{upload.filename}: not UTF-8 text") from exc
        name = upload.filename
    if not text.strip():
        raise ParameterError("paste a text or upload a file to check")
    day = _date(as_of or None)
    report = await run_in_threadpool(check_document, _web(request), text, name, "auto", day)
    d = report.to_dict()
    blocks = _check_blocks(text, as_of or None)
    counts = ", ".join(f"{v}: {n}" for v, n in report.counts().items())
    blocks.append({"kind": "text", "text": f"{len(d['claims'])} claim(s) checked as of "
                                           f"{d['as_of']} ({report.as_of_source}). {counts}"})
    if report.source == "<pasted text>" or name == report.source:
        blocks.append({"kind": "claims", "segments": _segments(text, d["claims"])})
    blocks.append({"kind": "table", "headers": ["#", "verdict", "claim", "reason"],
                   "rows": [[i, c["verdict"], c["quote"], c["reason"]]
                            for i, c in enumerate(d["claims"], 1)], "cls": "claims"})
    return _page("Claim checker", "/check", blocks, cutoff=d["as_of"], charts=False)


def _segments(text: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at the claims' spans: plain pieces and marked claims (in order,
    overlapping spans after the first are left unmarked)."""
    spans = sorted((c["span"][0], c["span"][1], i, c) for i, c in enumerate(claims, 1)
                   if c.get("span") and 0 <= c["span"][0] < c["span"][1] <= len(text))
    out: list[dict[str, Any]] = []
    pos = 0
    for start, end, n, c in spans:
        if start < pos:
            continue
        if start > pos:
            out.append({"text": text[pos:start], "verdict": None})
        out.append({"text": text[start:end], "verdict": c["verdict"], "reason": c["reason"],
                    "n": n})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "verdict": None})
    return out


# -- alerts -------------------------------------------------------------------------------

@router.get("/alerts")
def alerts_page(request: Request, rules: str | None = None,
                as_of: str | None = None) -> HTMLResponse:
    from ..cli.alerts import check_result
    from .alerts_view import alert_tables
    from .library import library_file, list_files

    web, day = _web(request), _date(as_of)
    files = list_files(web.settings, "alerts")
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "rules", "label": "rules file", "type": "select",
             "value": rules, "options": files},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]}]
    if not files:
        blocks.append({"kind": "text", "text": "no rules files in $ROTASCOPE_HOME/alerts/"})
    cutoff = _last_date(request)
    if rules:
        path = library_file(web.settings, "alerts", rules)

        def compute() -> Any:
            with web.access.store() as store:
                return check_result(store, web.settings, str(path), day)[1].to_dict()

        res = _payload(request, "alerts", {"0": str(path), "1": path.stat().st_mtime_ns,
                                           "2": day}, compute)
        cutoff = res["as_of"]
        blocks.append({"kind": "table", "title": f"Rules of {rules} as of {res['as_of']}",
                       "headers": ["rule", "severity", "state", "since", "values"],
                       "rows": [[r["id"], r["severity"],
                                 {True: "TRUE", False: "false"}.get(r["true"], "n/a"),
                                 r.get("since") or "",
                                 "; ".join(f"{k} = {v}" for k, v in r["values"].items())]
                                for r in res["rules"]]})
    tables = _payload(request, "alerts_state", {}, lambda: _alert_state(web, alert_tables))
    blocks += [
        {"kind": "table", "title": "Edge state", "headers": ["namespace", "rule", "known on",
                                                            "value", "checked through"],
         "rows": [[s["namespace"], s["rule_id"], s["known_date"] or "", s["known_value"],
                   s["checked_through"] or ""] for s in tables["state"]]},
        {"kind": "table", "title": "Firing history (outbox)",
         "headers": ["fired", "rule", "severity", "namespace"],
         "rows": [[f["fired_date"], f["rule_id"], f["severity"], f["namespace"]]
                  for f in tables["firings"]]},
        {"kind": "table", "title": "Deliveries", "headers": ["fired", "rule", "channel",
                                                            "status", "attempts", "error"],
         "rows": [[d["fired_date"], d["rule_id"], d["channel"], d["status"], d["attempts"],
                   d["last_error"] or ""] for d in tables["deliveries"]]}]
    return _page("Alerts", "/alerts", blocks, cutoff=cutoff, as_of=as_of,
                 keep={"rules": rules}, charts=False)


def _alert_state(web: Any, alert_tables: Any) -> Any:
    with web.access.store(require_data=False) as store:
        return alert_tables(store)


# -- portfolio and backtest ---------------------------------------------------------------

def _metric_rows(d: dict[str, Any]) -> list[list[Any]]:
    return [[k, _cell(v, "num" if k in ("sharpe", "sortino", "beta", "information_ratio",
                                         "observations") else "pct")]
            for k, v in d.items() if isinstance(v, int | float) or v is None]


@router.get("/portfolio")
def portfolio_page(request: Request, holdings: str | None = None, window: str = "1y",
                   benchmark: str = "SPY", as_of: str | None = None) -> HTMLResponse:
    from .api import _portfolio
    from .library import library_file, list_files

    web, day = _web(request), _date(as_of)
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "holdings", "label": "holdings file", "type": "select",
             "value": holdings, "options": list_files(web.settings, "portfolios")},
            {"name": "window", "label": "window", "value": window},
            {"name": "benchmark", "label": "benchmark", "value": benchmark},
            {"name": "as_of", "label": "as of", "type": "date", "value": as_of}]},
        {"kind": "form", "method": "post", "action": "/portfolio", "multipart": True,
         "submit": "analyse upload", "fields": [
             {"name": "file", "label": "or upload a .csv/.yaml", "type": "file"},
             {"name": "window", "label": "window", "value": window}]}]
    cutoff = _last_date(request)
    if holdings:
        path = library_file(web.settings, "portfolios", holdings)
        res = _payload(request, "portfolio", {"0": str(path), "1": path.stat().st_mtime_ns,
                                              "2": window, "3": benchmark, "4": False,
                                              "5": day},
                       lambda: _portfolio(web, str(path), window, benchmark, False, day))
        blocks += _portfolio_blocks(res)
        cutoff = res.get("as_of", cutoff)
    return _page("Portfolio", "/portfolio", blocks, cutoff=cutoff, as_of=as_of,
                 keep={"holdings": holdings}, charts=False)


@router.post("/portfolio")
async def portfolio_upload_page(request: Request) -> HTMLResponse:
    import json

    from .api import portfolio_upload

    form = await request.form()
    upload: Any = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        from ...errors import ParameterError

        raise ParameterError("choose a holdings file to upload")
    resp = await portfolio_upload(request, upload, window=str(form.get("window") or "1y"),
                                  benchmark="SPY", leverage=False, as_of=None)
    res = json.loads(bytes(resp.body))
    return _page("Portfolio", "/portfolio", _portfolio_blocks(res),
                 cutoff=res.get("as_of"), charts=False)


def _portfolio_blocks(res: dict[str, Any]) -> list[dict[str, Any]]:
    metrics = res.get("metrics", {})
    bench = res.get("benchmark_metrics", {})
    rows = [[k, _cell(v, "num" if k in ("sharpe", "sortino", "beta", "information_ratio",
                                         "observations") else "pct"),
             _cell(bench.get(k), "num" if k in ("sharpe", "sortino", "beta",
                                                "information_ratio", "observations")
                   else "pct")]
            for k, v in metrics.items()]
    window = res.get("window")
    if isinstance(window, dict):
        window = f"{window.get('spec')} ({window.get('start')} to {window.get('end')}, " \
                 f"{window.get('observations')} daily returns)"
    return [{"kind": "table", "title": f"{res.get('name')}: {window}",
             "headers": ["metric", "portfolio", res.get("benchmark", "benchmark")],
             "rows": rows},
            {"kind": "json", "title": "every figure (JSON)", "value": res}]


@router.get("/backtest")
def backtest_page(request: Request, strategy_file: str | None = None,
                  start: str | None = None, end: str | None = None,
                  as_of: str | None = None) -> HTMLResponse:
    from ..cli.backtest import backtest_result
    from .library import library_file, list_files

    web = _web(request)
    end = end or as_of  # as of a date = nothing after it is read, the backtest's --to
    first, last = _date(start), _date(end)
    blocks: list[dict[str, Any]] = [
        {"kind": "form", "fields": [
            {"name": "strategy_file", "label": "strategies", "type": "select",
             "value": strategy_file, "options": list_files(web.settings, "strategies")},
            {"name": "start", "label": "from", "type": "date", "value": start},
            {"name": "end", "label": "to", "type": "date", "value": end}]},
        {"kind": "form", "method": "post", "action": "/backtest", "multipart": True,
         "submit": "backtest upload", "fields": [
             {"name": "file", "label": "or upload a strategy .yaml", "type": "file"},
             {"name": "from", "label": "from", "type": "date", "value": start}]}]
    cutoff = _last_date(request)
    if strategy_file:
        path = library_file(web.settings, "strategies", strategy_file)
        res = _payload(request, "backtest", {"0": str(path), "1": path.stat().st_mtime_ns,
                                             "2": first, "3": last, "4": ()},
                       lambda: backtest_result(web.access.opener(), web.settings, str(path),
                                               start=first, end=last)[1])
        cutoff = res["to"]
        blocks += _backtest_blocks(res)
    return _page("Backtest", "/backtest", blocks, cutoff=cutoff, as_of=as_of,
                 keep={"strategy_file": strategy_file, "start": start})


def _backtest_blocks(res: dict[str, Any]) -> list[dict[str, Any]]:
    import pandas as pd

    from .figures import line_figure

    blocks: list[dict[str, Any]] = []
    curves = {}
    for s in res["strategies"]:
        bench = s.get("benchmark", {})
        rows = [[k, *(_cell(x, "num" if k in _PLAIN else "pct") for x in (v, bench.get(k)))]
                for k, v in s.items() if k not in ("id", "benchmark") and
                (isinstance(v, int | float) or v is None)]
        blocks.append({"kind": "table", "title": f"{s['id']} ({res['from']} to {res['to']})",
                       "headers": ["metric", s["id"], "benchmark"], "rows": rows})
        equity = s.get("equity") or {}
        curves[s["id"]] = pd.Series(list(equity.values()),
                                    index=pd.to_datetime(list(equity.keys())), dtype=float)
    if curves:
        blocks.insert(0, {"kind": "chart", "id": "equity-chart",
                          "fig": line_figure(curves, "Equity (1.0 at the start)")})
    blocks.append({"kind": "json", "title": "every figure (JSON)", "value": res})
    return blocks


_PLAIN = ("sharpe", "sortino", "calmar", "trades", "turnover")


@router.post("/backtest")
async def backtest_upload_page(request: Request) -> HTMLResponse:
    import json

    from ...errors import ParameterError
    from .api import backtest_upload

    form = await request.form()
    upload: Any = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise ParameterError("choose a strategy file to upload")
    resp = await backtest_upload(request, upload, start=str(form.get("from") or "") or None,
                                 end=None, strategy=None)
    res = json.loads(bytes(resp.body))
    return _page("Backtest", "/backtest", _backtest_blocks(res), cutoff=res["to"])
