"""A gate for CI: `--fail-under` thresholds on our system's overall scores, each a reason
to exit 1 when missed, so a re-ingest or a model change can be stopped in a pipeline."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from eval.report import TABLE_METRICS

THRESHOLD = re.compile(r"(?P<metric>[\w@]+)(?P<op><=|>=|=)(?P<value>.+)")


@dataclass(frozen=True)
class Threshold:
    metric: str
    at_most: bool  # `metric<=value`; otherwise `metric=value` (or `>=`) asks for at least
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{'<=' if self.at_most else '='}{self.value:g}"

    def missed_by(self, metrics: dict) -> str | None:
        """Why the scores miss this threshold, or None when they meet it."""
        score = metrics[self.metric]
        if score is None:
            return f"{self.metric} has no value in this run (no question it applies to), so {self} is not met"
        if self.at_most and score > self.value:
            return f"{self.metric} is {score:.3g}, above {self.value:g} ({self})"
        if not self.at_most and score < self.value:
            return f"{self.metric} is {score:.3g}, below {self.value:g} ({self})"
        return None


def parse_threshold(text: str) -> Threshold:
    """argparse type for one `metric=value` or `metric<=value`."""
    match = THRESHOLD.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not metric=value or metric<=value")
    metric = match["metric"]
    if metric not in TABLE_METRICS:
        raise argparse.ArgumentTypeError(f"{text!r}: unknown metric {metric!r}, not one of {', '.join(TABLE_METRICS)}")
    try:
        value = float(match["value"])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {match['value']!r} is not a number") from None
    return Threshold(metric, match["op"] == "<=", value)


def missed(thresholds: list[Threshold], metrics: dict) -> list[str]:
    return [reason for reason in (t.missed_by(metrics) for t in thresholds) if reason]
