"""Answering step 2: evidence → passages best first, and whether the procedures answer at all.

Two logistic models over answer/evidence.py's features, fitted by `python -m eval.fit` on
the dev split only and stored with their provenance in answer/ranker.json: one scores each
candidate passage, one the question (is any passage an answer?). A question the corpus
does not answer abstains; if it is still near the procedures, its nearest passages are
offered apart as related reading (answer/assistant.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from answer.evidence import PASSAGE_FEATURES, QUESTION_FEATURES, Evidence, Query
from searchindex.terms import terms

RANKED_QUESTION_FEATURES = (*QUESTION_FEATURES, "top_score", "margin")
# A follow-up with more than half of its own words unknown to the procedures has a topic of its own.
MOSTLY_UNKNOWN = 0.5


class RankerError(ValueError):
    """The ranker file cannot be used, said in one line naming the file and field."""


@dataclass(frozen=True)
class Hit:
    position: int  # row of the chunk in the index
    score: float  # the ranker's probability that the passage answers the question


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-logits))


def question_row(question: np.ndarray, passage_logits: np.ndarray) -> np.ndarray:
    """The question's features, then the best passage's score and its margin over the next."""
    ordered = np.sort(passage_logits)[::-1] if passage_logits.size else np.zeros(1)
    margin = ordered[0] - ordered[1] if len(ordered) > 1 else 0.0
    return np.concatenate([question, [ordered[0], margin]]).astype(np.float32)


def off_topic(query: Query, evidence: Evidence, vocabulary: dict, floor: float) -> str | None:
    """Why a question is not about what the procedures cover at all, if it is not:
    - none of its words is a corpus word; for a follow-up, more than half of its own words are
      not, since it brings a topic of its own ("is it going to rain there tomorrow?");
    - or no sentence, lead-ins included, comes as close as `floor`. Passage vectors are not
      asked: the area and title in front of them bring any question naming a place within reach."""
    if query.focus:
        if float(evidence.question[QUESTION_FEATURES.index("own_uncovered_share")]) > MOSTLY_UNKNOWN:
            return "more than half of the follow-up's own words never appear in the procedures"
    else:
        typed = terms(query.normalised.rewritten)
        if typed and not any(t in vocabulary for t in typed):
            return "none of the question's words appear in the procedures"
    best = float(evidence.question[QUESTION_FEATURES.index("nearest")])
    if best < floor:
        return f"no passage is close to it (best similarity {best:.2f})"
    return None


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    weights: np.ndarray
    bias: float

    def logit(self, rows: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        columns = [names.index(f) for f in self.features]
        return rows[..., columns] @ self.weights + self.bias


@dataclass(frozen=True)
class Ranker:
    passage: LinearModel
    question: LinearModel
    abstain_above: float  # probability of "not answered" from which the assistant abstains
    chosen_on: str  # which questions the weights were fitted on
    fitted_with: dict = field(default_factory=dict)  # the model's sha256 and the off-topic floor it assumed

    def rank(self, evidence: Evidence, limit: int, by: str = "") -> list[Hit]:
        """Candidates best first; `by` one feature instead of the model (the baselines' "dense only")."""
        if not evidence.rows.size:
            return []
        logits = self.passage.logit(evidence.passage, PASSAGE_FEATURES)
        probability = sigmoid(logits)
        ordering = evidence.passage[:, PASSAGE_FEATURES.index(by)] if by else logits
        order = np.argsort(-ordering, kind="stable")[:limit]
        return [Hit(int(evidence.rows[i]), float(probability[i])) for i in order]

    def not_answered(self, evidence: Evidence) -> float:
        """Probability that no passage answers the question."""
        logits = self.passage.logit(evidence.passage, PASSAGE_FEATURES)
        return float(sigmoid(self.question.logit(question_row(evidence.question, logits), RANKED_QUESTION_FEATURES)))


def unfitted() -> Ranker:
    """A ranker by the best sentence alone, for fitting a real one (eval.fit) before any exists."""
    return Ranker(
        LinearModel(("sentence",), np.ones(1, np.float32), 0.0), LinearModel(("best_sentence",), -np.ones(1, np.float32), 0.0), 1.0, "unfitted"
    )


def _model(data: dict, path: Path, key: str, allowed: tuple[str, ...]) -> LinearModel:
    try:
        block = data[key]
        features, weights = tuple(block["features"]), np.asarray(block["weights"], dtype=np.float32)
        bias = float(block["bias"])
    except (KeyError, TypeError, ValueError) as error:
        raise RankerError(f"{path}: field '{key}' needs features, weights and bias ({error})") from None
    unknown = [f for f in features if f not in allowed]
    if unknown or len(features) != len(weights) or not np.isfinite(weights).all() or not np.isfinite(bias):
        raise RankerError(f"{path}: field '{key}' has unknown features {unknown}, a weight count unlike its features, or a weight that is not a number")
    return LinearModel(features, weights, bias)


def _probability(data: dict, path: Path, key: str) -> float:
    try:
        value = float(data[key])
    except KeyError:
        raise RankerError(f"{path}: missing field '{key}'") from None
    except (TypeError, ValueError):
        raise RankerError(f"{path}: field '{key}' should be a number, got {data[key]!r}") from None
    if not 0.0 <= value <= 1.0:
        raise RankerError(f"{path}: field '{key}' should be between 0 and 1, got {value}")
    return value


def load_ranker(path: Path) -> Ranker:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise RankerError(f"{path}: cannot be read ({error})") from None
    return parse_ranker(raw, path)


def parse_ranker(raw: str, path: Path | str) -> Ranker:
    """The ranker written in `raw` (the file's text, or the copy a build carries); `path` names it in errors."""
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise RankerError(f"{path}: cannot be read ({error})") from None
    if not isinstance(data, dict):
        raise RankerError(f"{path}: expected a JSON object")
    return Ranker(
        _model(data, path, "passage", PASSAGE_FEATURES),
        _model(data, path, "question", RANKED_QUESTION_FEATURES),
        _probability(data, path, "abstain_above"),
        str(data.get("chosen_on", "")),
        dict(data.get("fitted_with") or {}),
    )


def save_ranker(ranker: Ranker, path: Path, measured: dict, fitted_with: dict) -> None:
    def block(model: LinearModel) -> dict:
        return {"features": list(model.features), "weights": [round(float(w), 5) for w in model.weights], "bias": round(model.bias, 5)}

    data = {
        "chosen_on": ranker.chosen_on,
        "passage": block(ranker.passage),
        "question": block(ranker.question),
        "abstain_above": round(ranker.abstain_above, 4),
        "fitted_with": fitted_with,
        "measured_on_dev": measured,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
