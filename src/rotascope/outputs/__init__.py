"""Presentation: CLI, tables, charts, reports, alerts delivery, web. Lays results out only."""
