"""Optional LLM claim extractor (off by default; ``rotascope check --llm``).

The default extractor is rule-based and offline (:mod:`.patterns`). Users who run a
language model behind an OpenAI-compatible chat-completions endpoint can ask it to
*find* claims; rotascope still *checks* every claim with the same deterministic code,
and it only accepts what it can verify was in the text:

* the model must answer with JSON ``{"claims": [{"quote", "kind", "instruments",
  "window", "stated", "qualifier"}]}``;
* a claim whose ``quote`` is not found verbatim in the text is dropped (the model may
  not invent text), as is one with an unknown ``kind``;
* instrument names go through the alias table, periods through the period grammar of
  :mod:`.dates`, so the same rules apply as for the rule-based extractor.

Configuration (``$ROTASCOPE_HOME/config.yaml``)::

    llm:
      url: http://localhost:8080/v1/chat/completions   # OpenAI-compatible endpoint
      model: my-model
      api_key_env: MY_LLM_KEY        # name of the environment variable holding the key
      timeout: 60

Nothing is sent anywhere unless ``--llm`` is given and this section exists.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import ParameterError, ProviderUnavailableError, SourceError
from ..aliases import AliasTable
from ..extract import Document
from .dates import find_windows
from .model import KINDS, Claim

__all__ = ["LLMConfig", "load_llm_config", "llm_extract_claims", "PROMPT"]

PROMPT = """You extract quantitative market claims from a text. Answer with JSON only:
{"claims": [{"quote": "<exact fragment copied from the text>",
             "kind": one of %s,
             "instruments": ["<names exactly as written, subject first>"],
             "window": "<the period phrase exactly as written, or null>",
             "stated": <number in percent for moves/gaps/breadth, the level for levels,
                        the RSI value, or null>,
             "qualifier": "over" | "nearly" | "about" | "under" | null}]}
Copy quotes verbatim. Do not add claims that are not in the text."""


@dataclass(frozen=True)
class LLMConfig:
    """Where the model lives; ``api_key_env`` names the variable holding the key."""

    url: str
    model: str
    api_key_env: str | None = None
    timeout: float = 60.0


def load_llm_config(config_path: str | Path) -> LLMConfig:
    """Read the ``llm`` section of ``config.yaml``.

    Raises
    ------
    ParameterError
        The file or the section is missing or incomplete (says what to add).
    """
    import yaml

    path = Path(config_path)
    hint = (f"add an 'llm' section with url and model to {path} (see docs/text.md); the "
            "default rule-based extractor needs no configuration")
    if not path.is_file():
        raise ParameterError(f"--llm: no configuration file {path}; {hint}")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ParameterError(f"--llm: {where}: not valid YAML") from exc
    section = data.get("llm") if isinstance(data, dict) else None
    if not isinstance(section, dict) or not section.get("url") or not section.get("model"):
        raise ParameterError(f"--llm: no usable 'llm' section in {path}; {hint}")
    return LLMConfig(str(section["url"]), str(section["model"]),
                     section.get("api_key_env"), float(section.get("timeout", 60)))


def _ask(config: LLMConfig, text: str, client: Any = None) -> str:
    import httpx

    headers = {"Content-Type": "application/json"}
    if config.api_key_env:
        key = os.environ.get(config.api_key_env)
        if not key:
            raise ParameterError(f"--llm: the environment variable {config.api_key_env} "
                                 "(api_key_env in config.yaml) is not set")
        headers["Authorization"] = f"Bearer {key}"
    body = {"model": config.model, "temperature": 0,
            "messages": [{"role": "system", "content": PROMPT % (list(KINDS),)},
                         {"role": "user", "content": text}]}
    own = client is None
    client = client or httpx.Client(timeout=config.timeout)
    try:
        resp = client.post(config.url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise ProviderUnavailableError(f"--llm: cannot reach {config.url}: {exc}") from exc
    finally:
        if own:
            client.close()
    if resp.status_code != 200:
        raise SourceError(f"--llm: {config.url} answered HTTP {resp.status_code}")
    try:
        return resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SourceError(f"--llm: {config.url} did not answer in the chat-completions "
                          "format") from exc


def llm_extract_claims(doc: Document, table: AliasTable, config: LLMConfig, *,
                       client: Any = None,
                       ask: Callable[[LLMConfig, str, Any], str] | None = None) -> list[Claim]:
    """Claims proposed by the model, kept only when they pass the checks above.

    Parameters
    ----------
    doc : the document.
    table : alias table to resolve instrument names.
    config : endpoint settings.
    client : an ``httpx.Client`` (inject a mock transport in tests).
    ask : replaces the HTTP call entirely (tests).
    """
    text = doc.text
    answer = (ask or _ask)(config, text, client)
    start = answer.find("{")
    try:
        payload = json.loads(answer[start:answer.rfind("}") + 1]) if start >= 0 else {}
    except json.JSONDecodeError as exc:
        raise SourceError(f"--llm: the model's answer is not JSON: {exc}") from exc
    out: list[Claim] = []
    for item in payload.get("claims", []) if isinstance(payload, dict) else []:
        claim = _to_claim(item, text, table)
        if claim is not None:
            out.append(claim)
    return out


_NUMERIC = ("return", "one_day", "decline", "drawdown", "outperformance", "level", "rsi")
_RELATION = {"over": "above", "under": "below"}


def _to_claim(item: Any, text: str, table: AliasTable) -> Claim | None:
    from ..extract import Sentence
    from .patterns import extract_from_sentence

    if not isinstance(item, dict):
        return None
    quote, kind = item.get("quote"), item.get("kind")
    if not isinstance(quote, str) or not quote.strip() or quote not in text or kind not in KINDS:
        return None
    if kind not in _NUMERIC:
        # Structured kinds (moving averages, extremes, ranges, breadth): the rules must be
        # able to read the quote itself, so the structure comes from the same grammar.
        found = extract_from_sentence(Sentence(quote, 0, len(quote), 0, 0), table)
        match = next((c for c in found if c.kind == kind), None)
        return None if match is None else Claim(**{**match.__dict__, "rule": "llm+rules"})
    names = [n for n in item.get("instruments") or [] if isinstance(n, str)]
    aliases = [table.lookup(n) for n in names]
    if not aliases or any(a is None for a in aliases):
        return None
    if kind == "outperformance" and len(aliases) < 2:
        return None
    window = None
    if isinstance(item.get("window"), str) and item["window"] in text:
        found_w = find_windows(item["window"])
        window = found_w[0][0] if found_w else None
    stated = item.get("stated")
    if not isinstance(stated, (int, float)) or isinstance(stated, bool):
        return None
    stated = float(stated)
    qualifier = item.get("qualifier") if item.get("qualifier") in (
        "over", "nearly", "about", "under") else None
    details: dict = {}
    if kind in ("return", "one_day", "decline", "drawdown", "outperformance"):
        stated /= 100.0
    if kind == "level":
        details = {"relation": _RELATION.get(qualifier or "", "at"),
                   "percent": bool(aliases[0] and aliases[0].is_yield)}
    if kind == "rsi":
        details = {"relation": _RELATION.get(qualifier or "", "near"), "window": 14}
        qualifier = None
    if kind == "decline" and (window is None or window.type != "rows"):
        return None
    return Claim(quote=quote, kind=kind, instruments=tuple(aliases),  # type: ignore[arg-type]
                 names=tuple(names), window=window, stated=stated, qualifier=qualifier,
                 rule="llm", details=details)
