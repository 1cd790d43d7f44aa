"""Answering step 2b: warnings that a cited passage may be out of date.

Rules are data (corpus/currency.toml): superseded terms (LSCBs, Serious Case Reviews,
CCGs, HCPC registration) and replaced editions of Working Together; plus the page's
own age, from its print date, against a configurable limit.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from records import Chunk

WORKING_TOGETHER = r"Working Together to Safeguard Children\W{0,3}YEAR\b"
CHECK_LIVE = ": check the live procedures"
NO_PRINT_DATE = "print date not stated"


class CurrencyRulesError(Exception):
    pass


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    warning: str


def load_rules(path: Path) -> list[Rule]:
    """The rules file as compiled patterns; no file means no term or edition warnings."""
    if not path.exists():
        return []
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CurrencyRulesError(f"{path}: cannot be read ({error})") from None
    return parse_rules(raw, path)


def parse_rules(raw: str, path: Path | str) -> list[Rule]:
    """The rules written in `raw` (a file's text, or the copy a build carries); `path` names it in errors."""
    try:
        data = tomllib.loads(raw)
        current = int(data["current_working_together"])
        rules = [
            Rule(re.compile(r"\b(?:" + "|".join(entry["patterns"]) + r")\b", re.IGNORECASE), entry["warning"])
            for entry in data.get("superseded", [])
        ]
        rules += [
            Rule(
                re.compile(WORKING_TOGETHER.replace("YEAR", str(edition["year"])), re.IGNORECASE),
                f"cites Working Together {edition['year']}, replaced in {edition['replaced_by']} (current edition: {current})",
            )
            for edition in data.get("editions", [])
        ]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, re.error) as error:
        raise CurrencyRulesError(f"{path}: {type(error).__name__}: {error}") from None
    return rules


def age_in_months(print_date: str, today: date) -> int:
    year, month = (int(p) for p in print_date.split("-")[:2])
    return (today.year - year) * 12 + today.month - month


def age_label(print_date: str, today: date) -> str:
    months = age_in_months(print_date, today)
    if months >= 12:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''} ago"
    return f"{months} month{'s' if months != 1 else ''} ago"


def superseded(chunk: Chunk, rules: list[Rule]) -> list[str]:
    """The warnings of the rules the passage's text matches."""
    return [rule.warning for rule in rules if rule.pattern.search(chunk.text)]


def warnings_for(chunk: Chunk, rules: list[Rule], max_age_months: int, today: date) -> tuple[str, ...]:
    found = superseded(chunk, rules)
    dated = chunk.dated
    if dated is None:
        found.append(NO_PRINT_DATE + CHECK_LIVE)
    elif age_in_months(dated[1], today) > max_age_months:
        found.append(f"{dated[0]} {age_label(dated[1], today)}{CHECK_LIVE}")
    return tuple(dict.fromkeys(found))


def print_date_concern(warning: str) -> str | None:
    """ "print date not stated" or "printed 7 years ago" when `warning` is about the page's
    print date rather than its wording; None otherwise."""
    return warning.removesuffix(CHECK_LIVE) if warning.endswith(CHECK_LIVE) else None
