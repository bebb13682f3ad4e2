"""The rotascope exception and warning tree.

Every error a user can cause derives from :class:`RotascopeError`; argument errors
also derive from the matching built-in (``ValueError``/``TypeError``/``KeyError``) so
generic ``except ValueError`` code keeps working. Each class carries the process exit
code the CLI uses, so scripts can tell "bad input" from "no data" from "store busy".

Exit codes
----------
0 success · 1 unexpected internal error · 2 usage / bad argument · 3 data problem
(missing, unknown, malformed input) · 4 store busy or unavailable · 5 network/provider
failure · 6 rule/expression error · 10 a check ran and found problems (``data check``,
``check`` with failing claims, ``alerts check`` with rules true) when the caller asked
for a strict result.
"""

from __future__ import annotations

__all__ = [
    "RotascopeError",
    "ParameterError",
    "ParameterTypeError",
    "MisalignedIndexError",
    "CalendarRangeError",
    "DataError",
    "FileFormatError",
    "UnknownTickerError",
    "UnknownUniverseError",
    "NoDataError",
    "StoreError",
    "StoreBusyError",
    "SourceError",
    "ProviderUnavailableError",
    "RuleError",
    "RotascopeWarning",
    "MissingDataWarning",
    "DataQualityWarning",
    "StaleDataWarning",
    "CalendarWarning",
    "EXIT_OK",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "EXIT_DATA",
    "EXIT_STORE",
    "EXIT_NETWORK",
    "EXIT_RULES",
    "EXIT_FINDINGS",
]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_STORE = 4
EXIT_NETWORK = 5
EXIT_RULES = 6
EXIT_FINDINGS = 10


class RotascopeError(Exception):
    """Base class of every error rotascope raises on purpose."""

    exit_code: int = EXIT_INTERNAL


class ParameterError(RotascopeError, ValueError):
    """An argument has the right type but an invalid value, e.g. ``window=0``."""

    exit_code = EXIT_USAGE


class ParameterTypeError(RotascopeError, TypeError):
    """An argument has the wrong type, e.g. a list where a DataFrame is needed."""

    exit_code = EXIT_USAGE


class MisalignedIndexError(ParameterError):
    """Two inputs that must share dates or tickers do not; the message lists offenders."""


class CalendarRangeError(ParameterError):
    """A date lies outside what a trading calendar covers (see rotascope.data.calendar)."""


class DataError(RotascopeError, ValueError):
    """The data itself is unusable for the request (too short, all NaN, ...)."""

    exit_code = EXIT_DATA


class FileFormatError(DataError):
    """A file cannot be read; the message names the file, the line and the reason.

    Attributes ``path``, ``line`` (1-based, or None for the whole file) and ``reason``
    are kept so callers can collect rejections into a report.
    """

    def __init__(self, path: object, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class UnknownTickerError(DataError, KeyError):
    """Tickers not in the store (or universe); ``tickers`` lists all of them."""

    def __init__(self, tickers: list[str] | tuple[str, ...], where: str = "the store",
                 hint: str | None = None) -> None:
        self.tickers = list(tickers)
        msg = f"unknown ticker{'s' if len(self.tickers) != 1 else ''} in {where}: " + ", ".join(
            self.tickers
        )
        if hint:
            msg += f". {hint}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class UnknownUniverseError(DataError, KeyError):
    """A universe name that is neither built in, configured, nor in the store."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown universe {name!r}; known: {', '.join(sorted(known))}")

    def __str__(self) -> str:
        return str(self.args[0])


class NoDataError(DataError):
    """Nothing to analyse: the store is empty or holds no rows in the requested range."""


class StoreError(RotascopeError):
    """The store file cannot be opened or is in an unexpected state."""

    exit_code = EXIT_STORE


class StoreBusyError(StoreError):
    """Another process holds the store's write lock."""


class SourceError(RotascopeError):
    """A data source answered, but not with usable data (bad symbol, bad payload)."""

    exit_code = EXIT_DATA


class ProviderUnavailableError(SourceError):
    """A provider could not be reached (offline, timeout, HTTP 5xx after retries)."""

    exit_code = EXIT_NETWORK


class RuleError(RotascopeError, ValueError):
    """An alert rule or expression is malformed; message points at file:line:column."""

    exit_code = EXIT_RULES


class RotascopeWarning(UserWarning):
    """Base class of rotascope warnings (filter them with ``warnings.filterwarnings``)."""


class MissingDataWarning(RotascopeWarning):
    """Some requested tickers/dates had no data and were reported, not invented."""


class DataQualityWarning(RotascopeWarning):
    """Data was imported but flagged by a quality check (see ``rotascope data check``)."""


class StaleDataWarning(RotascopeWarning):
    """A series' last close is earlier than the analysis date."""


class CalendarWarning(RotascopeWarning):
    """Trading sessions were approximated (dates outside the exchange calendar's range)."""
