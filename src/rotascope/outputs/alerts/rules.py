"""Alert rules files: safe YAML loading, validation, and errors that point at file:line:column.

A rules file (see ``examples/alerts/rotation.yaml`` and ``docs/alerts.md``)::

    namespace: rotation            # optional key for the rules' state in the store
    channels:                      # optional; "console" always exists
      file: {type: jsonl, path: alerts.jsonl}
      hook: {type: webhook, url: https://example.org/hook, secret_env: ROTASCOPE_HOOK_SECRET}
    defaults: {severity: info, channels: [console]}
    rules:
      - id: mags-4m-low
        description: Mag-7 ETF at a 4-month low against the S&P 500
        severity: warning
        channels: [console, file]
        condition: ratio(MAGS, SPY).lowest_in_months >= 4

Loading is all-or-nothing: every problem in the file (YAML syntax, unknown keys,
a malformed condition, an unknown function, ticker or universe, a type error, a
function whose module has not landed) is collected and raised together as one
:class:`RulesFileError`; nothing is evaluated or delivered. Each problem names
``file:line:column`` of the offending text: inside a condition, the column of the
token within the YAML line (block and quoted scalars included).

Security: the YAML is composed with ``yaml.SafeLoader`` (no Python objects), and
only the expected shape is read. Secrets never live in the file: channels name the
*environment variables* that hold them (``secret_env``, ``password_env``,
``username_env``, ``url_env``); keys such as ``password`` or ``secret`` are rejected.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml

from ...errors import RuleError
from ...rules.evaluate import CheckInfo, check_condition
from ...rules.grammar import ConditionSyntaxError, Node, parse_condition, unparse
from ...rules.locations import Location, Problem
from .channels import validate_settings

__all__ = ["Location", "Problem", "RulesFileError", "ChannelConfig", "Rule", "RuleSet",
           "load_rules", "parse_rules", "SEVERITIES", "CHANNEL_TYPES"]

SEVERITIES = ("info", "warning", "critical")
CHANNEL_TYPES = ("console", "jsonl", "webhook", "email")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_RE = re.compile(r"^[A-Za-z0-9-]+$")
_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_TOP_KEYS = ("version", "namespace", "channels", "defaults", "rules")
_RULE_KEYS = ("id", "description", "severity", "channels", "condition")
_DEFAULT_KEYS = ("severity", "channels")
_SECRET_KEYS = {"secret", "password", "passwd", "pass", "token", "api_key", "apikey",
                "username", "user", "authorization", "auth", "credentials", "key",
                "private_key", "bearer"}
_REQUIRED = object()

# type -> option -> (check, default)
_CHANNEL_OPTIONS: dict[str, dict[str, tuple[str, Any]]] = {
    "console": {"stream": ("stream", "stdout")},
    "jsonl": {"path": ("path", _REQUIRED), "fsync": ("bool", True)},
    "webhook": {
        "url": ("url", None), "url_env": ("env", None), "secret_env": ("env", _REQUIRED),
        "timeout": ("positive", 10.0), "retries": ("count", 4), "backoff": ("nonnegative", 1.0),
        "max_backoff": ("positive", 60.0), "signature_header": ("header", "X-Rotascope-Signature"),
    },
    "email": {
        "host": ("text", _REQUIRED), "port": ("port", None), "from": ("email", _REQUIRED),
        "to": ("emails", _REQUIRED), "username_env": ("env", None), "password_env": ("env", None),
        "starttls": ("starttls", "auto"), "ssl": ("bool", False), "timeout": ("positive", 30.0),
        "ca_file": ("path", None), "subject_prefix": ("text", "[rotascope]"),
        "retries": ("count", 2), "backoff": ("nonnegative", 1.0), "max_backoff": ("positive", 60.0),
    },
}


# -- problems ----------------------------------------------------------------------------

class RulesFileError(RuleError):
    """A rules file is malformed; ``problems`` lists every problem found (nothing ran)."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.location.line, p.location.column))
        n = len(self.problems)
        head = (f"{path}: {n} problem{'s' if n != 1 else ''} in the rules file; "
                "no rule was evaluated")
        super().__init__(head + "\n" + "\n".join(str(p) for p in self.problems))


# -- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelConfig:
    """A delivery channel as configured (secrets are env-var *names*, never values)."""

    name: str
    type: str
    options: Mapping[str, Any]
    location: Location

    def redacted(self) -> dict[str, Any]:
        """Options safe to print (URLs without query strings or credentials)."""
        out = dict(self.options)
        if out.get("url"):
            out["url"] = redact_url(out["url"])
        return out


@dataclass(frozen=True)
class Rule:
    """One alert rule; ``tree`` is the parsed condition, ``info`` what it reads."""

    id: str
    description: str
    severity: str
    channels: tuple[str, ...]
    condition: str
    tree: Node = field(repr=False, compare=False)
    info: CheckInfo = field(repr=False, compare=False)
    location: Location = field(compare=False)
    _positions: tuple[tuple[int, int], ...] = field(repr=False, compare=False, default=())

    @property
    def canonical(self) -> str:
        """The condition in canonical form (spacing normalised)."""
        return unparse(self.tree)

    @property
    def condition_hash(self) -> str:
        """Identity of the condition: editing it resets the rule's edge state."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()[:16]

    def locate(self, offset: int) -> Location:
        """File location of character ``offset`` of the condition."""
        if not self._positions:
            return self.location
        line, col = self._positions[max(0, min(offset, len(self._positions) - 1))]
        return Location(self.location.path, line + 1, col + 1)


@dataclass(frozen=True)
class RuleSet:
    """A loaded, validated rules file."""

    path: str
    namespace: str
    rules: tuple[Rule, ...]
    channels: Mapping[str, ChannelConfig]

    def tickers(self) -> list[str]:
        """Every ticker the rules read (sorted)."""
        return sorted({t for r in self.rules for t in r.info.tickers})

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def redact_url(url: str) -> str:
    """``scheme://host[:port]/path`` without credentials, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


# -- YAML with positions -----------------------------------------------------------------

class _Reader:
    """Walks the composed YAML node graph, collecting problems with locations."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def loc(self, line: int, col: int) -> Location:
        return Location(self.path, line + 1, col + 1)

    def problem_at(self, line: int, col: int, message: str, width: int = 1) -> None:
        src = self.lines[line] if 0 <= line < len(self.lines) else None
        self.problems.append(Problem(self.loc(line, col), message, src, width))

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        width = 1
        if node.end_mark.line == mark.line:
            width = max(1, node.end_mark.column - mark.column)
        self.problem_at(mark.line, mark.column, message, width)

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problem(node, f"cannot read this value: {exc}")
            return None

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None
                ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value lines)")
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.problem(knode, f"{what}: keys must be plain names")
                continue
            key = knode.value
            if key == "<<":
                self.problem(knode, f"{what}: merge keys (<<) are not supported; "
                                    "write the keys out")
                continue
            if key in out:
                first = out[key][0].start_mark
                self.problem(knode, f"{what}: duplicate key {key!r} (first on line "
                                    f"{first.line + 1})")
                continue
            if allowed is not None and key not in allowed:
                if key.lower() in _SECRET_KEYS:
                    env_keys = ", ".join(a for a in allowed if a.endswith("_env"))
                    self.problem(knode, f"{what}: {key!r} looks like a secret; secrets never "
                                        f"go in the rules file. Put it in an environment "
                                        f"variable and name that variable with a *_env key "
                                        f"({env_keys or 'see docs/alerts.md'})")
                else:
                    self.problem(knode, f"{what}: unknown key {key!r}; allowed: "
                                        f"{', '.join(allowed)}" + _suggest(key, allowed))
                continue
            out[key] = (knode, vnode)
        return out

    def string(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be text")
            return None
        value = self.scalar(node)
        if not isinstance(value, str):
            self.problem(node, f"{what} must be text, got {value!r}")
            return None
        return value

    def string_list(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]] | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            return None if value is None else [(value, node)]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list of names")
            return None
        out = []
        for item in node.value:
            value = self.string(item, what)
            if value is not None:
                out.append((value, item))
        return out


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


@functools.lru_cache(maxsize=4)
def _line_starts(text: str) -> tuple[int, ...]:
    """Offsets where each line of ``text`` starts (computed once per file, not per rule:
    a 5,000-rule file spent minutes rescanning itself)."""
    return (0, *(m.end() for m in re.finditer("\n", text)))


def _scalar_positions(text: str, node: yaml.ScalarNode, value: str) -> tuple[tuple[int, int],
                                                                                ...]:
    """(line, column) in the file, 0-based, of each character of a scalar's value.

    Works for plain, quoted and block scalars: the value's non-blank characters appear
    in the source in order, so each is matched to its next occurrence after the
    previous one (escapes, folding and indentation are skipped). One extra entry marks
    the position just after the value.
    """
    begin, end = node.start_mark.index, node.end_mark.index
    src = text[begin:end]
    p = 0
    if node.style in ("|", ">"):
        nl = src.find("\n")
        p = nl + 1 if nl >= 0 else len(src)
    elif node.style in ('"', "'"):
        p = 1
    mapped: list[int] = []
    last = begin + p - 1
    for ch in value:
        if ch.isspace():
            if p < len(src) and src[p] == ch:
                last = begin + p
                p += 1
            else:
                last += 1
            mapped.append(last)
            continue
        q = src.find(ch, p)
        if q < 0:
            last += 1
            mapped.append(last)
            continue
        last = begin + q
        mapped.append(last)
        p = q + 1
    mapped.append(last + 1)
    line_starts = _line_starts(text)
    out = []
    for idx in mapped:
        line = bisect.bisect_right(line_starts, idx) - 1
        out.append((line, idx - line_starts[line]))
    return tuple(out)


# -- channels ----------------------------------------------------------------------------

#: Channel options whose value is non-empty text (checked by :func:`_text_option`).
_TEXT_CHECKS = ("text", "path", "url", "env", "header", "email", "stream", "starttls")


def _text_option(r: _Reader, check: str, node: yaml.Node, what: str, base: Path,
                 value: str) -> str | None:
    if check == "path":
        p = Path(os.path.expanduser(value))
        return str(p if p.is_absolute() else (base / p))
    if check == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            r.problem(node, f"{what} must be an http:// or https:// URL")
            return None
        if parts.password or parts.username:
            r.problem(node, f"{what}: credentials in the URL; put the whole URL in an "
                            "environment variable and name it with url_env")
            return None
        return value
    if check == "env":
        if not _ENV_RE.match(value):
            r.problem(node, f"{what} must be the *name* of an environment variable "
                            f"(letters, digits, _), got {value!r}")
            return None
        return value
    if check == "header":
        if not _HEADER_RE.match(value):
            r.problem(node, f"{what} must be an HTTP header name")
            return None
        return value
    if check == "email":
        if not _EMAIL_RE.match(value):
            r.problem(node, f"{what}: {value!r} is not an email address")
            return None
        return value
    if check == "stream":
        if value not in ("stdout", "stderr"):
            r.problem(node, f"{what} must be stdout or stderr")
            return None
        return value
    if check == "starttls":
        if value not in ("auto", "required", "never"):
            r.problem(node, f"{what} must be auto, required or never")
            return None
        return value
    if check == "text":
        return value
    raise AssertionError(f"unhandled text check {check!r}")  # _TEXT_CHECKS lists them all


def _channel_option(r: _Reader, check: str, node: yaml.Node, what: str, base: Path) -> Any:
    value = r.scalar(node) if isinstance(node, yaml.ScalarNode) else None
    if check == "emails":
        items = r.string_list(node, what)
        if items is None:
            return None
        for v, n in items:
            if not _EMAIL_RE.match(v):
                r.problem(n, f"{what}: {v!r} is not an email address")
        return tuple(v for v, _ in items)
    if not isinstance(node, yaml.ScalarNode):
        r.problem(node, f"{what} must be a single value")
        return None
    if check in _TEXT_CHECKS:
        if not isinstance(value, str) or not value.strip():
            r.problem(node, f"{what} must be non-empty text")
            return None
        return _text_option(r, check, node, what, base, value)
    if check == "bool":
        if not isinstance(value, bool):
            r.problem(node, f"{what} must be true or false")
            return None
        return value
    if check in ("positive", "nonnegative"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                check == "positive" and value == 0):
            sign = "positive" if check == "positive" else "non-negative"
            r.problem(node, f"{what} must be a {sign} number of seconds")
            return None
        return float(value)
    if check in ("count", "port"):
        lo, hi = (0, 100) if check == "count" else (1, 65535)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            r.problem(node, f"{what} must be a whole number in [{lo}, {hi}]")
            return None
        return value
    raise AssertionError(check)


def _channels(r: _Reader, node: yaml.Node, base: Path) -> dict[str, ChannelConfig]:
    out: dict[str, ChannelConfig] = {}
    entries = r.mapping(node, "channels", None)
    if entries is None:
        return out
    for name, (knode, vnode) in entries.items():
        where = f"channel {name!r}"
        if not _ID_RE.match(name):
            r.problem(knode, f"{where}: names are letters, digits and _ . : -")
            continue
        fields = r.mapping(vnode, where, None)
        if fields is None:
            continue
        if "type" not in fields:
            r.problem(knode, f"{where} needs a type: {', '.join(CHANNEL_TYPES)}")
            continue
        ctype = r.string(fields["type"][1], f"{where}: type")
        if ctype not in CHANNEL_TYPES:
            if ctype is not None:
                r.problem(fields["type"][1], f"{where}: unknown type {ctype!r}; types: "
                                             f"{', '.join(CHANNEL_TYPES)}"
                          + _suggest(ctype, CHANNEL_TYPES))
            continue
        spec = _CHANNEL_OPTIONS[ctype]
        allowed = ("type", *spec)
        fields = r.mapping(vnode, where, allowed) or {}
        options: dict[str, Any] = {}
        for opt, (check, default) in spec.items():
            if opt in fields:
                options[opt] = _channel_option(r, check, fields[opt][1], f"{where}: {opt}", base)
            elif default is _REQUIRED:
                r.problem(knode, f"{where} ({ctype}) needs {opt!r}")
            else:
                options[opt] = default
        if ctype == "webhook" and ("url" in fields) == ("url_env" in fields):
            r.problem(knode, f"{where} (webhook) needs exactly one of 'url' or 'url_env'")
        if ctype == "email":
            if ("username_env" in fields) != ("password_env" in fields):
                r.problem(knode, f"{where} (email): give both username_env and password_env, "
                                 "or neither")
            if options.get("port") is None:
                options["port"] = 465 if options.get("ssl") else 587
        for p in validate_settings(ctype, options):  # issue 16: paths, CR/LF/NUL in values
            r.problem(fields.get(getattr(p, "option", ""), (knode, knode))[1], f"{where}: {p}")
        mark = knode.start_mark
        out[name] = ChannelConfig(name, ctype, MappingProxyType(options),
                                  r.loc(mark.line, mark.column))
    return out


# -- rules -------------------------------------------------------------------------------

def _universe_checker(store: Any, settings: Any) -> Any:
    def problem(name: str) -> str | None:
        try:
            from ...data.universes import resolve_universe
        except ImportError:  # pragma: no cover - module present in the package
            return None
        from ...errors import UnknownUniverseError

        try:
            resolve_universe(name, store, settings)
        except UnknownUniverseError as exc:
            return str(exc)
        return None
    return problem


def parse_rules(text: str, path: str | Path = "<rules>", *, store: Any = None,
                settings: Any = None) -> RuleSet:
    """Parse and validate rules from YAML text (see :func:`load_rules`)."""
    path_s = str(path)
    base = Path(path_s).resolve().parent if path_s != "<rules>" else Path.cwd()
    r = _Reader(path_s, text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line, mark.column) if mark is not None else (0, 0)
        r.problem_at(line, col, f"YAML syntax: {exc.problem or exc.context}")
        raise RulesFileError(path_s, r.problems) from None
    except yaml.YAMLError as exc:
        r.problem_at(0, 0, f"YAML: {exc}")
        raise RulesFileError(path_s, r.problems) from None
    if root is None:
        r.problem_at(0, 0, "the rules file is empty; it needs a 'rules:' list")
        raise RulesFileError(path_s, r.problems)
    _check_tags(r, root)
    if r.problems:
        raise RulesFileError(path_s, r.problems)
    top = r.mapping(root, "the rules file", _TOP_KEYS)
    if top is None:
        raise RulesFileError(path_s, r.problems)

    if "version" in top:
        v = r.scalar(top["version"][1])
        if v != 1:
            r.problem(top["version"][1], f"version must be 1, got {v!r}")
    namespace = str(Path(path_s).resolve()) if path_s != "<rules>" else "<rules>"
    if "namespace" in top:
        ns = r.string(top["namespace"][1], "namespace")
        if ns is not None:
            if not _ID_RE.match(ns):
                r.problem(top["namespace"][1], "namespace: letters, digits and _ . : - only")
            namespace = ns
    channels = _channels(r, top["channels"][1], base) if "channels" in top else {}
    if "console" not in channels:
        channels["console"] = ChannelConfig("console", "console",
                                            MappingProxyType({"stream": "stdout"}),
                                            Location(path_s, 1, 1))
    default_severity = "info"
    default_channels: tuple[str, ...] = ("console",)
    if "defaults" in top:
        d = r.mapping(top["defaults"][1], "defaults", _DEFAULT_KEYS) or {}
        if "severity" in d:
            sev = r.string(d["severity"][1], "defaults: severity")
            if sev is not None and sev not in SEVERITIES:
                r.problem(d["severity"][1], f"defaults: severity must be one of "
                                            f"{', '.join(SEVERITIES)}")
            elif sev is not None:
                default_severity = sev
        if "channels" in d:
            names = _channel_names(r, d["channels"][1], channels, "defaults: channels")
            if names is not None:
                default_channels = names

    known_tickers = None
    if store is not None:
        known_tickers = set(store.tickers())
    universe_problem = _universe_checker(store, settings)

    rules: list[Rule] = []
    if "rules" not in top:
        r.problem(root, "the rules file needs a 'rules:' list")
    else:
        rules_node = top["rules"][1]
        if not isinstance(rules_node, yaml.SequenceNode) or not rules_node.value:
            r.problem(rules_node, "'rules' must be a non-empty list of rules (- id: ...)")
        else:
            seen: dict[str, Location] = {}
            for item in rules_node.value:
                _duplicate_id(r, item, seen)
                rule = _rule(r, item, channels, default_severity, default_channels,
                             known_tickers, universe_problem)
                if rule is not None:
                    rules.append(rule)
    if r.problems:
        raise RulesFileError(path_s, r.problems)
    return RuleSet(path_s, namespace, tuple(rules), MappingProxyType(channels))


def _duplicate_id(r: _Reader, item: yaml.Node, seen: dict[str, Location]) -> None:
    if not isinstance(item, yaml.MappingNode):
        return
    for knode, vnode in item.value:
        if isinstance(knode, yaml.ScalarNode) and knode.value == "id" \
                and isinstance(vnode, yaml.ScalarNode):
            rule_id = vnode.value
            if rule_id in seen:
                r.problem(vnode, f"rule id {rule_id!r} is used twice (first at {seen[rule_id]})")
            else:
                mark = vnode.start_mark
                seen[rule_id] = r.loc(mark.line, mark.column)
            return


_STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in
                  ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


def _check_tags(r: _Reader, root: yaml.Node) -> None:
    """Reject any explicit tag outside plain YAML types (e.g. ``!!python/object``)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            r.problem(node, f"YAML tag {tag} is not allowed in a rules file")
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))


def _channel_names(r: _Reader, node: yaml.Node, channels: Mapping[str, ChannelConfig],
                   what: str) -> tuple[str, ...] | None:
    items = r.string_list(node, what)
    if items is None:
        return None
    ok = True
    for name, n in items:
        if name not in channels:
            r.problem(n, f"{what}: unknown channel {name!r}; defined: "
                         f"{', '.join(sorted(channels))}" + _suggest(name, channels))
            ok = False
    if not items:
        r.problem(node, f"{what}: give at least one channel")
        return None
    return tuple(dict.fromkeys(n for n, _ in items)) if ok else None


def _rule(r: _Reader, item: yaml.Node, channels: Mapping[str, ChannelConfig],
          default_severity: str, default_channels: tuple[str, ...],
          known_tickers: set[str] | None, universe_problem: Any,
          ) -> Rule | None:
    fields = r.mapping(item, "a rule", _RULE_KEYS)
    if fields is None:
        return None
    n_before = len(r.problems)
    mark = item.start_mark
    location = r.loc(mark.line, mark.column)
    rule_id = None
    if "id" not in fields:
        r.problem(item, "a rule needs an 'id'")
    else:
        rule_id = r.string(fields["id"][1], "id")
        if rule_id is not None and not _ID_RE.match(rule_id):
            r.problem(fields["id"][1], f"id {rule_id!r}: use letters, digits and _ . : - "
                                       "(at most 100, starting with a letter or digit)")
    label = f"rule {rule_id!r}" if rule_id else "rule"
    description = ""
    if "description" in fields:
        description = r.string(fields["description"][1], f"{label}: description") or ""
    severity = default_severity
    if "severity" in fields:
        sev = r.string(fields["severity"][1], f"{label}: severity")
        if sev is not None and sev not in SEVERITIES:
            r.problem(fields["severity"][1], f"{label}: severity must be one of "
                                             f"{', '.join(SEVERITIES)}, got {sev!r}"
                      + _suggest(sev, SEVERITIES))
        elif sev is not None:
            severity = sev
    chans = default_channels
    if "channels" in fields:
        names = _channel_names(r, fields["channels"][1], channels, f"{label}: channels")
        chans = names if names is not None else chans
    if "condition" not in fields:
        r.problem(item, f"{label} needs a 'condition'")
        return None
    cnode = fields["condition"][1]
    text = r.string(cnode, f"{label}: condition")
    if text is None:
        return None
    positions = _scalar_positions(r.text, cnode, text)

    def at(offset: int, end: int, message: str) -> None:
        line, col = positions[max(0, min(offset, len(positions) - 1))]
        end_line, end_col = positions[max(0, min(end, len(positions) - 1))]
        width = end_col - col if end_line == line and end > offset else 1
        r.problem_at(line, col, f"{label}: {message}", max(1, width))

    try:
        tree = parse_condition(text)
    except ConditionSyntaxError as exc:
        at(exc.problem.offset, exc.problem.offset + 1, f"syntax: {exc.problem.message}")
        return None
    issues, info = check_condition(tree, known_tickers=known_tickers,
                                   universe_problem=universe_problem)
    for issue in issues:
        at(issue.start, issue.end, issue.message)
    if len(r.problems) > n_before or rule_id is None:
        return None
    return Rule(rule_id, description or text.strip(), severity, chans, text, tree, info,
                location, positions)


def load_rules(path: str | Path, *, store: Any = None, settings: Any = None,
) -> RuleSet:
    """Load and validate a rules file; raise on any problem, so nothing runs half-checked.

    Parameters
    ----------
    path : the YAML rules file.
    store : an open Store; when given, every ticker a condition reads must have prices
        in it and stored universes are known.
    settings : where user universes live (default: the environment).

    Returns
    -------
    RuleSet

    Raises
    ------
    RulesFileError
        Listing every problem as ``file:line:column: message`` with the source line and
        a caret under the offending text.

    Examples
    --------
    >>> rules = load_rules("examples/alerts/rotation.yaml")  # doctest: +SKIP
    >>> [r.id for r in rules.rules][:2]                        # doctest: +SKIP
    ['mags-spy-4m-low', 'xmag-mags-6m-high']
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesFileError(str(path), [Problem(Location(str(path), 1, 1),
                                                 "the rules file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesFileError(str(path), [Problem(Location(str(path), 1, 1),
                                                 f"cannot read the rules file: {exc}")]) from None
    return parse_rules(text, str(path), store=store, settings=settings,
)
