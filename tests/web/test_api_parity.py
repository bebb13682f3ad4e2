"""Every API endpoint returns exactly the JSON `rotascope COMMAND --json` prints."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from rotascope.outputs.cli.main import cli

# (CLI arguments, API URL) on the same store; dates both default and explicit.
CASES = [
    (["ratio", "MAGS", "SPY", "--as-of", "2026-01-14"],
     "/api/v1/ratio?numerator=MAGS&denominator=SPY&as_of=2026-01-14"),
    (["ratio", "RSP", "SPY"], "/api/v1/ratio?numerator=RSP&denominator=SPY"),
    (["perf", "SPY", "RSP", "--windows", "1m,ytd"], "/api/v1/perf?tickers=SPY,RSP&windows=1m,ytd"),
    (["perf", "QQQ", "IWM", "--as-of", "2025-04-08"],
     "/api/v1/perf?tickers=QQQ,IWM&as_of=2025-04-08"),
    (["breadth", "--universe", "sp500"], "/api/v1/breadth?universe=sp500"),
    (["breadth", "--as-of", "2025-04-08"], "/api/v1/breadth?as_of=2025-04-08"),
    (["rrg"], "/api/v1/rrg"),
    (["rrg", "XLK", "XLF", "XLE", "--tail", "12", "--period", "daily", "--as-of", "2025-06-30"],
     "/api/v1/rrg?tickers=XLK,XLF,XLE&tail=12&period=daily&as_of=2025-06-30"),
    (["regime"], "/api/v1/regime"),
    (["regime", "--as-of", "2022-06-30"], "/api/v1/regime?as_of=2022-06-30"),
    (["regime", "--from", "2025-01-01", "--to", "2026-07-14"],
     "/api/v1/regime?from=2025-01-01&to=2026-07-14"),
    (["signals", "SPY"], "/api/v1/signals?ticker=SPY"),
    (["signals", "MAGS/SPY", "--as-of", "2025-04-08"],
     "/api/v1/signals?ticker=MAGS/SPY&as_of=2025-04-08"),
    (["leaders", "sectors"], "/api/v1/leaders?universe=sectors"),
    (["leaders", "style", "--window", "6m", "--period", "daily"],
     "/api/v1/leaders?universe=style&window=6m&period=daily"),
    (["snapshot"], "/api/v1/snapshot"),
    (["rotation"], "/api/v1/rotation"),
    (["rotation", "--pairs", "QQQ/IWM,RSP/SPY", "--no-bitcoin", "--as-of", "2025-04-08"],
     "/api/v1/rotation?pairs=QQQ/IWM,RSP/SPY&bitcoin=false&as_of=2025-04-08"),
    (["scan", "close($) > sma($, 50)", "--as-of", "2025-04-08"],
     "/api/v1/scan?condition=close(%24)%20%3E%20sma(%24,%2050)&as_of=2025-04-08"),
    (["scan", "rsi($, 14) > 40", "--universe", "sectors", "--sort", "rsi($, 14)",
      "--limit", "3"],
     "/api/v1/scan?condition=rsi(%24,%2014)%20%3E%2040&universe=sectors"
     "&sort=rsi(%24,%2014)&limit=3"),
    (["scan", "close($) crosses_above sma($, 20)", "--universe", "sectors",
      "--from", "2026-05-01", "--to", "2026-07-13"],
     "/api/v1/scan?condition=close(%24)%20crosses_above%20sma(%24,%2020)&universe=sectors"
     "&from=2026-05-01&to=2026-07-13"),
    (["concentration"], "/api/v1/concentration"),
    (["concentration", "--windows", "1m,3m", "--as-of", "2025-06-30"],
     "/api/v1/concentration?windows=1m,3m&as_of=2025-06-30"),
]


def _cli_json(home, args: list[str]) -> object:
    result = CliRunner().invoke(cli, ["--home", str(home), *args, "--json"])
    assert result.exit_code in (0, 10), (args, result.output)
    return json.loads(result.stdout)


@pytest.mark.parametrize(("args", "url"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_get_endpoint_matches_cli(client, web_home, args, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json() == _cli_json(web_home.home, args)


def test_alerts_matches_cli(client, web_home):
    rules = web_home.home / "alerts" / "rotation.yaml"
    resp = client.get("/api/v1/alerts?rules=rotation.yaml&as_of=2025-04-08")
    assert resp.status_code == 200, resp.text
    assert resp.json() == _cli_json(web_home.home, ["alerts", "check", str(rules.resolve()),
                                                    "--as-of", "2025-04-08"])


def test_portfolio_matches_cli(client, web_home):
    path = web_home.home / "portfolios" / "core.csv"
    expected = _cli_json(web_home.home, ["portfolio", "analyze", str(path), "--window", "6m"])
    resp = client.get("/api/v1/portfolio?holdings=core.csv&window=6m")
    assert resp.status_code == 200, resp.text
    assert resp.json() == expected
    # the same holdings uploaded give the same analysis
    up = client.post("/api/v1/portfolio", data={"window": "6m"},
                     files={"file": ("core.csv", path.read_bytes(), "text/csv")})
    assert up.status_code == 200, up.text
    assert up.json() == expected


def test_backtest_matches_cli(client, web_home):
    path = web_home.home / "strategies" / "rotation.yaml"
    resp = client.get("/api/v1/backtest?strategy_file=rotation.yaml&from=2024-01-01"
                      "&strategy=rsp-when-broadening")
    assert resp.status_code == 200, resp.text
    assert resp.json() == _cli_json(web_home.home, [
        "backtest", str(path), "--from", "2024-01-01", "--strategy", "rsp-when-broadening"])


def test_check_matches_cli(client, web_home, tmp_path):
    text = ("SPY rose 2% last week and the S&P 500 is above its 200-day average.\n"
            "Nvidia fell 5% this year. Apple, Nvidia and Alphabet are each down 10%.\n")
    path = tmp_path / "wrap.txt"
    path.write_text(text)
    expected = _cli_json(web_home.home, ["check", str(path)])
    resp = client.post("/api/v1/check", data={"text": text, "source": str(path)})
    assert resp.status_code == 200, resp.text
    assert resp.json() == expected
    assert len(expected["claims"]) >= 3  # the comparison covers real verdicts
    up = client.post("/api/v1/check", data={"source": str(path)},
                     files={"file": ("wrap.txt", text.encode(), "text/plain")})
    assert up.json() == expected
