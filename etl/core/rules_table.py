"""The boilerplate rule table (``etl/rules/boilerplate.toml``): read, checked, and applied to
a column of lines as polars regexes.

Cleaning (``etl.transform.boilerplate``) applies the whole table to every paragraph; extraction
asks it whether a heading starts a block of furniture (``heads_teaser_block``), which is why the
table's reader lives here, where every stage may read it.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from polars.exceptions import ComputeError

from etl.core.resources import rules_file

BOILERPLATE_RULES = "boilerplate.toml"
ACTIONS = ("drop", "drop_block")
_MACRO = re.compile(r"\{([a-z_]+)\}")
# One escape sequence: a backslash and the character after it.
_ESCAPE = re.compile(r"\\(.)", re.S)
# A bounded repetition, "{2,30}" (not "{2}" nor "{2,}", which stay as they are).
_BOUNDED = re.compile(r"\{(\d+),\d+\}")


class RulesError(ValueError):
    """A rule table cannot be read or holds a pattern that does not compile."""


@dataclass(frozen=True)
class BoilerplateRule:
    name: str
    action: str
    pattern: str
    max_chars: int
    example: str


@lru_cache(maxsize=8)
def load_rules(path: Path | None = None) -> tuple[BoilerplateRule, ...]:
    """The rule table (the shipped one unless ``path``), macros expanded.

    A table given by ``path`` has every pattern compiled and checked against its own example
    here. The shipped table is checked by the test suite instead (tests/test_boilerplate.py):
    compiling each of its rules apart cost 0.1-0.2 s of CPU in every process that cleans,
    for a file that changes only with the code.
    """
    source = path if path is not None else rules_file(BOILERPLATE_RULES)
    where = str(path or f"etl/rules/{BOILERPLATE_RULES}")
    try:
        table = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{where}: {exc}") from exc
    macros: dict[str, str] = table.get("macros", {})
    rules: list[BoilerplateRule] = []
    for entry in table.get("rule", []):
        name = str(entry.get("name", "?"))
        action = entry.get("action")
        if action not in ACTIONS:
            raise RulesError(f"{where}: rule {name}: action must be one of {ACTIONS}")
        rule = BoilerplateRule(
            name=name,
            action=action,
            pattern=_expand(str(entry["pattern"]), macros, f"{where}: rule {name}"),
            max_chars=int(entry.get("max_chars", 300)),
            example=str(entry.get("example", "")),
        )
        if path is not None:
            check_rule(rule, where)
        rules.append(rule)
    return tuple(rules)


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    for _ in range(5):
        names = set(_MACRO.findall(pattern))
        if not names:
            return pattern
        unknown = names - macros.keys()
        if unknown:
            raise RulesError(f"{where}: unknown macro {sorted(unknown)}")
        pattern = _MACRO.sub(lambda m: macros[m.group(1)], pattern)
    raise RulesError(f"{where}: macros nested too deeply")


def check_rule(rule: BoilerplateRule, where: str) -> None:
    """The pattern compiles, with and without its word boundaries, and matches its example."""
    try:
        matched = pl.Series([rule.example]).str.contains(anchored([rule.pattern])).item()
        pl.Series([rule.example]).str.contains(without_word_boundaries(rule.pattern))
    except ComputeError as exc:
        raise RulesError(f"{where}: rule {rule.name}: {exc}") from exc
    if rule.example and not matched:
        raise RulesError(f"{where}: rule {rule.name} does not match its own example")


def anchored(patterns: list[str]) -> str:
    body = "|".join(f"(?:{p})" for p in patterns)
    return rf"(?i)^(?:[-•·*]\s*)?(?:{body})[\s.:]*$"


def rule_matches(plain: pl.Series, length: pl.Series, action: str) -> pl.Series:
    """True where a rule of ``action`` matches; rules of one length limit share one regex
    (those with a case-sensitive part another).

    Evaluated on one thread of its own (``_RuleThread``), where the rule regexes stay
    compiled from one batch to the next.
    """
    return _RuleThread.run(_rule_matches, plain, length, action)


def _rule_matches(plain: pl.Series, length: pl.Series, action: str) -> pl.Series:
    if plain.is_empty():
        return pl.Series(plain.name, [], pl.Boolean)
    blank = _blank_like(plain)
    matched = pl.Series(plain.name, [False] * len(plain), pl.Boolean)
    # Each regex sees the lines within its length limit only, the others as "": polars
    # matches every row of a column, and running the rules over long paragraphs they can
    # never apply to was most of the cost of cleaning.
    for limit, pattern in _rule_groups(action):
        within = length <= limit
        matched = matched | (within & _contains(plain.zip_with(within, blank), pattern))
    return matched


@lru_cache(maxsize=4)
def _rule_groups(action: str) -> tuple[tuple[int, str], ...]:
    """The rules of ``action`` as one anchored regex per length limit (those with a
    case-sensitive part apart), shortest limit first."""
    groups: dict[tuple[int, bool], list[str]] = {}
    for rule in load_rules():
        if rule.action == action:
            # A case-sensitive part ("(?-i:\p{Lu}...)") in one regex with other rules made the
            # automaton of the whole group several times slower than the rules apart.
            key = (rule.max_chars, "(?-i:" in rule.pattern)
            groups.setdefault(key, []).append(rule.pattern)
    return tuple((limit, anchored(patterns)) for (limit, _), patterns in sorted(groups.items()))


def _contains(text: pl.Series, pattern: str) -> pl.Series:
    """``text.str.contains(pattern)``, with the same verdicts at a fraction of the cost.

    A Unicode word boundary (``\\b``) keeps the regex engine off its fast automaton on any
    text that is not ASCII, which made rules with one 10-20 times slower per line. The
    pattern without its boundaries, and with its bounded repetitions left open
    (``open_repetitions``), matches every line the full one matches, and more: it picks the
    few candidate lines, and the full pattern decides on those only. Where there is none,
    the full pattern is not even compiled (10-25 ms for a large group, on each thread that
    matches it): on a small batch most groups have no candidate.
    """
    loose = open_repetitions(without_word_boundaries(pattern))
    if loose == pattern or text.is_empty():
        return text.str.contains(pattern)
    candidate = text.str.contains(loose)
    if candidate.null_count() == 0 and not candidate.any():
        return candidate
    return candidate & text.zip_with(candidate, _blank_like(text)).str.contains(pattern)


def _blank_like(text: pl.Series) -> pl.Series:
    """As many empty strings as ``text`` has rows: what a line a regex must not see becomes."""
    return pl.Series(text.name, [""], pl.String).extend_constant("", len(text) - 1)


class _RuleThread:
    """The one thread that matches the rule table, so that its regexes are compiled once.

    polars keeps compiled regexes per thread, the last 32 of each; a cleaning call uses
    about 60, so the rule table's dozen large regexes (10 to 60 ms each to compile) were
    compiled again on every call: 0.15 s a call, whatever its size. On a thread that
    matches nothing else they stay compiled. An extraction worker forked after the thread
    started (``heads_teaser_block``) starts its own: a fork copies no thread.
    """

    _executor: ThreadPoolExecutor | None = None
    _lock = threading.Lock()

    @classmethod
    def run(cls, function: Callable[..., pl.Series], *args: Any) -> pl.Series:
        with cls._lock:
            if cls._executor is None:
                cls._executor = ThreadPoolExecutor(1, thread_name_prefix="boilerplate-rules")
            executor = cls._executor
        return executor.submit(function, *args).result()

    @classmethod
    def forget(cls) -> None:
        cls._executor, cls._lock = None, threading.Lock()


os.register_at_fork(after_in_child=_RuleThread.forget)


def without_word_boundaries(pattern: str) -> str:
    """``pattern`` without its ``\\b`` and ``\\B`` assertions (escaped backslashes stay, and
    so do the ``\\b{start}`` forms, which are rare enough to keep)."""

    def drop(match: re.Match[str]) -> str:
        boundary = match.group(1) in "bB" and not pattern.startswith("{", match.end())
        return "" if boundary else match.group(0)

    return _ESCAPE.sub(drop, pattern)


def open_repetitions(pattern: str) -> str:
    """``pattern`` with each bounded repetition ``{m,n}`` opened to ``{m,}``: it matches every
    line ``pattern`` matches. A bounded repetition of a large class is copied ``n`` times
    into the automaton: ``[\\p{L}&/ -]{2,30}`` made a group of 144 characters take 16 ms to
    compile, 4 ms opened. Escaped characters and character classes are left as they are.
    """
    out: list[str] = []
    depth = 0  # nesting of character classes
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            depth += 1
            out.append(char)
            i += 1
            # A "]" first in a class ("[]a]", "[^]a]") is one of its characters.
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        if char == "]" and depth:
            depth -= 1
        elif char == "{" and not depth:
            bounded = _BOUNDED.match(pattern, i)
            if bounded:
                out.append(f"{{{bounded.group(1)},}}")
                i = bounded.end()
                continue
        out.append(char)
        i += 1
    return "".join(out)


def heads_teaser_block(lines: list[str]) -> list[bool]:
    """Whether each line heads a block of furniture ("Related posts", "Recommended for you",
    "Mehr zum Thema"): a ``drop_block`` rule of the table matches it, as cleaning applies it.

    Extraction asks this in its worker processes, which polars must not run in: a forked
    child hangs at its first polars call once the parent has made one. So Python's ``re``
    applies the same anchored patterns and length limits (the test suite checks that the
    two agree).
    """
    groups = _python_rule_groups("drop_block")
    return [any(len(line) <= limit and p.search(line) for limit, p in groups) for line in lines]


@lru_cache(maxsize=2)
def _python_rule_groups(action: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """``_rule_groups`` compiled by Python's ``re``."""
    return tuple((limit, re.compile(pattern)) for limit, pattern in _rule_groups(action))
