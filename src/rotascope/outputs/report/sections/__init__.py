"""One builder per section of the note: compute the facts, register the figures, write.

Each ``*_section(ctx, ...)`` reads the :class:`~rotascope.outputs.report.build.ReportContext`
(closes up to the note date, breadth, the registry), registers every number it prints,
and returns a :class:`~rotascope.outputs.report.model.Section` whose sentences come
from the phrasing helpers of :mod:`rotascope.outputs.report.narrative`. A claim is
written only when the figure behind it shows it; a missing series is said plainly.

Modules: :mod:`.regime` (verdict, positioning, risks), :mod:`.index`,
:mod:`.leadership` (Mag-7, global, sectors), :mod:`.breadth`, :mod:`.macro` (macro,
crypto), :mod:`.recap` (recap, key points, disclaimer).
"""

from __future__ import annotations

from .breadth import breadth_section
from .index import index_section
from .leadership import global_section, mag7_section, sectors_section
from .macro import crypto_section, macro_section
from .recap import disclaimer_section, key_points_section, recap_section
from .regime import (
           flip_candidates,
           measure_unit,
           positioning_section,
           risks_section,
           verdict_section,
)

__all__ = ["verdict_section", "index_section", "mag7_section", "global_section",
           "sectors_section", "breadth_section", "macro_section", "crypto_section",
           "positioning_section", "risks_section", "recap_section", "key_points_section",
           "disclaimer_section", "flip_candidates", "measure_unit"]
