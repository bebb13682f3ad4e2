"""Pages: every one renders with its data cut-off; user text is escaped; the notes
archive cannot leave its folder; server-sent events announce store changes."""

from __future__ import annotations

import asyncio
import re
import shutil

import pytest

PAGES = ["/", "/ratio", "/ratio?numerator=RSP&denominator=SPY&months=6&start=2024-01-01",
         "/rrg", "/rrg?tickers=XLK,XLE&period=daily&tail=5", "/breadth", "/leaders",
         "/leaders?universe=style&window=6m", "/signals?ticker=MAGS/SPY", "/notes",
         "/notes/view/rotascope-report-2026-07-10/note.md", "/check", "/alerts",
         "/alerts?rules=rotation.yaml", "/portfolio", "/portfolio?holdings=core.csv",
         "/backtest", "/backtest?strategy_file=rotation.yaml&start=2024-01-01"]


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_with_cutoff(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[-500:]
    assert r.headers["content-type"].startswith("text/html")
    assert re.search(r'id="cutoff">data as of <b>\d{4}-\d{2}-\d{2}</b>', r.text)


@pytest.mark.parametrize("url", ["/?as_of=2025-04-08", "/ratio?as_of=2025-04-08",
                                 "/rrg?as_of=2025-04-08", "/breadth?as_of=2025-04-08",
                                 "/leaders?as_of=2025-04-08",
                                 "/signals?ticker=SPY&as_of=2025-04-08",
                                 "/backtest?strategy_file=rotation.yaml&start=2024-01-01"
                                 "&as_of=2025-04-08"])
def test_as_of_pages_show_that_date(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert 'data as of <b>2025-04-08</b>' in r.text


def test_ratio_page_numbers_match_the_api(client):
    page = client.get("/ratio?numerator=RSP&denominator=SPY&as_of=2025-04-08").text
    api = client.get("/api/v1/ratio?numerator=RSP&denominator=SPY&as_of=2025-04-08").json()
    assert f"{api['change_1m'] * 100:+.1f}%" in page
    # the chart's last ratio point is the API's value on that date
    fig = re.search(r'data-chart="ratio-chart">(.*?)</script>', page, re.S).group(1)
    import json

    data = json.loads(fig)["data"][0]
    assert data["x"][-1] == api["as_of"] and abs(data["y"][-1] - api["value"]) < 1e-12


SCRIPT = "<script>alert('x')</script>"


def test_user_text_is_escaped(client):
    r = client.post("/check", data={"text": f"SPY rose 2% last week. {SCRIPT} Nvidia fell "
                                            "5% this year."})
    assert r.status_code == 200
    assert SCRIPT not in r.text and "&lt;script&gt;" in r.text
    assert r.text.count('<mark class="') >= 2  # claims highlighted in place
    for url in (f"/signals?ticker={SCRIPT}", f"/ratio?numerator={SCRIPT}&denominator=SPY",
                f"/leaders?universe={SCRIPT}", f"/rrg?benchmark={SCRIPT}",
                f"/alerts?rules={SCRIPT}", f"/?as_of={SCRIPT}"):
        page = client.get(url)
        assert SCRIPT not in page.text, url
        assert page.status_code in (400, 404), url


def test_script_in_a_figure_cannot_close_its_script_tag():
    from rotascope.outputs.web.render import fig_json

    text = str(fig_json({"data": [{"name": "</script><script>alert(1)</script>"}]}))
    assert "</script>" not in text and "<" not in text


def test_markdown_note_raw_html_is_not_rendered(client):
    r = client.get("/notes/view/rotascope-report-2026-07-10/note.md")
    assert "<b>improved</b>" not in r.text and "&lt;b&gt;improved&lt;/b&gt;" in r.text


def test_html_note_is_sandboxed(client):
    r = client.get("/notes/raw/rotascope-report-2026-07-10/note.html")
    assert r.status_code == 200 and "Weekly note" in r.text
    assert r.headers["content-security-policy"].startswith("sandbox")


def test_notes_cannot_leave_the_reports_folder(client, web_home, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("top secret")
    link = web_home.home / "reports" / "escape.md"
    link.symlink_to(secret)
    try:
        for name in ("../alerts/rotation.yaml", "..%2F..%2Fetc%2Fpasswd", "escape.md",
                     "rotascope-report-2026-07-10/../../portfolios/core.csv"):
            for prefix in ("/notes/view/", "/notes/raw/"):
                r = client.get(prefix + name)
                assert "top secret" not in r.text and "SPY,0.4" not in r.text, name
                assert r.status_code in (400, 404), (prefix, name, r.status_code)
        assert "escape.md" not in client.get("/notes").text
    finally:
        link.unlink()


def test_events_announce_a_store_change(web_home, tmp_path):
    """Copy the store, start the event stream, write to the copy: a change event follows."""
    from rotascope.config import Settings
    from rotascope.data.store import Store
    from rotascope.outputs.web.access import StoreAccess
    from rotascope.outputs.web.events import event_stream

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(web_home.store_path.resolve(), home / "store.duckdb")
    access = StoreAccess(Settings(home=home))

    async def run() -> list[str]:
        stream = event_stream(access, interval=0.05, max_seconds=20)
        first = await stream.__anext__()
        assert first.startswith("retry:") and '"last_date": "2026-07-14"' in first

        def write() -> None:
            import pandas as pd

            with Store(home / "store.duckdb") as store:
                store.con.execute("CREATE TABLE IF NOT EXISTS alert_outbox (alert_id VARCHAR, "
                                  "namespace VARCHAR, rule_id VARCHAR, fired_date DATE, "
                                  "severity VARCHAR, created_at TIMESTAMP, payload VARCHAR)")
                store.con.execute("INSERT INTO alert_outbox VALUES ('a', 'n', 'r', ?, 'info', "
                                  "now(), '{}')", [pd.Timestamp("2026-07-14").date()])
                store.con.execute("CHECKPOINT")

        await asyncio.to_thread(write)
        seen = []
        async for chunk in stream:
            seen.append(chunk)
            if chunk.startswith("event: change"):
                break
        return seen

    seen = asyncio.run(run())
    assert seen[-1].startswith("event: change") and '"alerts_fired": 1' in seen[-1]


def test_events_endpoint_streams_status(client):
    with client.stream("GET", "/api/v1/events?max_seconds=0.2&interval=0.05") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    assert "event: status" in body and '"last_date"' in body


def test_plotly_is_served_locally(client):
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    page = client.get("/ratio").text
    assert 'src="/static/plotly.min.js"' in page and "cdn" not in page.lower()


def test_overview_changes_recomputed_from_the_store(client, web_home):
    """The 'what changed' row of RSP/SPY: closes read straight from the store."""
    import pandas as pd

    from rotascope.data.store import Store

    page = client.get("/?as_of=2025-04-08").text
    with Store(web_home.store_path, read_only=True) as store:
        close = store.close_matrix(["RSP", "SPY"], end="2025-04-08").dropna()
    ratio = close["RSP"] / close["SPY"]
    assert ratio.index[-1] == pd.Timestamp("2025-04-08")
    change = ratio.iloc[-1] / ratio.iloc[-6] - 1
    row = (f"<td>RSP/SPY</td><td>{ratio.iloc[-6]:.4f}</td><td>{ratio.iloc[-1]:.4f}</td>"
           f'<td class="num {"pos" if change > 0 else "neg"}">{change * 100:+.1f}%</td>')
    assert row in page


def test_uploads_on_portfolio_and_backtest_pages(client, web_home):
    holdings = (web_home.home / "portfolios" / "core.csv").read_bytes()
    r = client.post("/portfolio", files={"file": ("core.csv", holdings, "text/csv")},
                    data={"window": "6m"})
    assert r.status_code == 200 and "core: 6m (" in r.text
    api = client.get("/api/v1/portfolio?holdings=core.csv&window=6m").json()
    assert f"{api['metrics']['annual_return'] * 100:+.1f}%" in r.text
    strategy = (web_home.home / "strategies" / "rotation.yaml").read_bytes()
    r = client.post("/backtest", files={"file": ("s.yaml", strategy, "text/yaml")},
                    data={"from": "2024-01-01"})
    assert r.status_code == 200 and "rsp-when-broadening" in r.text
    assert 'data-chart="equity-chart"' in r.text
    up = client.post("/api/v1/backtest", files={"file": ("s.yaml", strategy, "text/yaml")},
                     data={"from": "2024-01-01", "strategy": "rsp-when-broadening"})
    ref = client.get("/api/v1/backtest?strategy_file=rotation.yaml&from=2024-01-01"
                     "&strategy=rsp-when-broadening")
    assert up.status_code == 200 and up.json() == ref.json()


def test_claims_are_marked_on_their_own_words(client):
    """Each <mark> wraps exactly the claim's span of the posted text, with its verdict."""
    import html as html_lib

    text = ("Markets wrapped the week.\nSPY rose 2% last week, and the S&P 500 is above its "
            "200-day average. Nvidia fell 5% this year.\n")
    page = client.post("/check", data={"text": text}).text
    api = client.post("/api/v1/check", data={"text": text}).json()
    marks = re.findall(r'<mark class="([a-z-]+)" title="[^"]*" data-verdict="([^"]+)">(.*?)'
                       r"<sup>(\d+)</sup></mark>", page, re.S)
    assert len(marks) == len(api["claims"]) >= 3
    for cls, verdict, inner, n in marks:
        claim = api["claims"][int(n) - 1]
        start, end = claim["span"]
        assert html_lib.unescape(inner) == text[start:end]
        assert verdict == claim["verdict"] and cls == verdict.replace(" ", "-")
    # the text outside the marks is kept too, in order
    plain = re.sub(r"<sup>\d+</sup>", "", re.search(r'id="claimtext">(.*?)</div>', page,
                                                    re.S).group(1))
    assert html_lib.unescape(re.sub(r"<[^>]+>", "", plain)) == text


def test_breadth_history_chart_ends_at_the_api_figures(client):
    import json

    page = client.get("/breadth?as_of=2025-04-08").text
    api = client.get("/api/v1/breadth?as_of=2025-04-08").json()
    fig = json.loads(re.search(r'data-chart="breadth-history-chart">(.*?)</script>', page,
                               re.S).group(1))
    for trace, w in zip(fig["data"], ("20", "50", "200"), strict=True):
        assert trace["x"][-1] == "2025-04-08"
        assert abs(trace["y"][-1] - api["pct_above_sma"][w]) < 1e-12
