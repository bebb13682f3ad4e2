"""Quantitative claims in market commentary: extraction (rules, optional LLM) and checks.

See :mod:`.patterns` for the grammar, :mod:`.dates` for periods, :mod:`.verify` for
how each kind is computed and judged, and ``docs/text.md`` for a walk-through.
"""

from __future__ import annotations

from .model import KINDS, VERDICTS, CheckReport, Claim, ClaimResult, WindowSpec
from .patterns import RULES, extract_claims
from .verify import Tolerance, check_claims, check_document, check_text, judge_number

__all__ = ["KINDS", "VERDICTS", "Claim", "ClaimResult", "CheckReport", "WindowSpec", "RULES",
           "extract_claims", "check_claims", "check_document", "check_text", "judge_number",
           "Tolerance"]
