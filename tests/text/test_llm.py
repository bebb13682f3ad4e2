"""The optional LLM extractor: configuration, filtering of answers, no network (mock)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from rotascope.errors import ParameterError, SourceError
from rotascope.text.aliases import load_aliases
from rotascope.text.claims.llm import LLMConfig, llm_extract_claims, load_llm_config
from rotascope.text.extract import parse_document

TEXT = ("Nvidia jumped 4% on Friday. The S&P 500 slipped below its 50-day average. "
        "Tesla is oversold.")
CONFIG = LLMConfig("http://llm.invalid/v1/chat/completions", "test-model", "TEST_LLM_KEY")


def _answer(claims: list[dict]) -> str:
    return "Here you go:\n" + json.dumps({"claims": claims})


def test_answers_are_filtered_and_structured() -> None:
    answer = _answer([
        {"quote": "Nvidia jumped 4% on Friday", "kind": "one_day", "instruments": ["Nvidia"],
         "window": "on Friday", "stated": 4, "qualifier": None},
        {"quote": "Nvidia jumped 40% on Friday", "kind": "one_day",         # not in the text
         "instruments": ["Nvidia"], "window": "on Friday", "stated": 40},
        {"quote": "Tesla is oversold", "kind": "sentiment", "instruments": ["Tesla"]},
        {"quote": "S&P 500 slipped below its 50-day average", "kind": "moving_average",
         "instruments": ["S&P 500"]},                                       # rules re-read it
        {"quote": "Tesla is oversold", "kind": "return", "instruments": ["Unknown Co"],
         "stated": 1},                                                      # unknown name
    ])
    claims = llm_extract_claims(parse_document(TEXT), load_aliases(), CONFIG,
                                ask=lambda cfg, text, client: answer)
    assert [(c.kind, c.tickers, c.rule) for c in claims] == [
        ("one_day", ["NVDA"], "llm"), ("moving_average", ["SPY"], "llm+rules")]
    assert claims[0].stated == pytest.approx(0.04) and claims[0].window.weekday == 4
    assert claims[1].stated == {"position": {"50": "below"}}


def test_http_call_uses_the_configured_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers.get("Authorization")
        seen["body"] = json.loads(request.content)
        content = _answer([{"quote": "Tesla is oversold", "kind": "rsi",
                            "instruments": ["Tesla"], "stated": 30, "qualifier": "under"}])
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    monkeypatch.setenv("TEST_LLM_KEY", "secret")
    client = httpx.Client(transport=httpx.MockTransport(handler))
    claims = llm_extract_claims(parse_document(TEXT), load_aliases(), CONFIG, client=client)
    assert seen["url"] == CONFIG.url and seen["auth"] == "Bearer secret"
    assert seen["body"]["model"] == "test-model"
    assert seen["body"]["messages"][1]["content"] == TEXT
    assert [(c.kind, c.stated, c.details["relation"]) for c in claims] == [("rsi", 30.0, "below")]


def test_http_errors_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "secret")
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    with pytest.raises(SourceError, match="HTTP 500"):
        llm_extract_claims(parse_document(TEXT), load_aliases(), CONFIG, client=client)
    monkeypatch.delenv("TEST_LLM_KEY")
    with pytest.raises(ParameterError, match="TEST_LLM_KEY"):
        llm_extract_claims(parse_document(TEXT), load_aliases(), CONFIG, client=client)
    with pytest.raises(SourceError, match="not JSON"):
        llm_extract_claims(parse_document(TEXT), load_aliases(), CONFIG,
                           ask=lambda *a: "{not json}")


def test_config_loading(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    with pytest.raises(ParameterError, match="no configuration file"):
        load_llm_config(path)
    path.write_text("other: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="no usable 'llm' section"):
        load_llm_config(path)
    path.write_text("llm:\n  url: http://x/v1/chat/completions\n  model: m\n  timeout: 5\n",
                    encoding="utf-8")
    assert load_llm_config(path) == LLMConfig("http://x/v1/chat/completions", "m", None, 5.0)


def test_cli_llm_flag_without_config_is_a_usage_error(loaded_store, texts, tmp_path) -> None:
    from click.testing import CliRunner

    from rotascope.outputs.cli.main import cli

    home = tmp_path / "home"
    home.mkdir()
    (home / "store.duckdb").symlink_to(loaded_store.store_path)
    res = CliRunner().invoke(cli, ["--home", str(home), "check",
                                   str(texts / "levels.txt"), "--llm"])
    assert res.exit_code == 2 and "no configuration file" in res.output
