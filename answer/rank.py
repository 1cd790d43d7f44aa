"""Answering step 2: evidence → passages best first, and whether the procedures answer at all.

Two logistic models over answer/evidence.py's features, fitted by `python -m eval.fit` on
the dev split only and stored with their provenance in answer/ranker.json: one scores each
candidate passage, one the question (is any passage an answer?). A question the corpus
does not answer abstains; if it is still near the procedures, its nearest passages are
offered apart as related reading (answer/assistant.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from answer.evidence import PASSAGE_FEATURES, QUESTION_FEATURES, Evidence

RANKED_QUESTION_FEATURES = (*QUESTION_FEATURES, "top_score", "margin")


class RankerError(Exception):
    """The ranker file cannot be used, said in one line naming the file and field."""


@dataclass(frozen=True)
class Hit:
    position: int  # row of the chunk in the index
    score: float  # the ranker's probability that the passage answers the question
    dense: float  # cosine of the question with the passage's best sentence


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

    def rank(self, evidence: Evidence, limit: int, by: str = "") -> list[Hit]:
        """Candidates best first; `by` one feature instead of the model (the baselines' "dense only")."""
        if not evidence.rows.size:
            return []
        logits = self.passage.logit(evidence.passage, PASSAGE_FEATURES)
        probability = 1 / (1 + np.exp(-logits))
        dense = evidence.passage[:, PASSAGE_FEATURES.index("sentence")]
        ordering = evidence.passage[:, PASSAGE_FEATURES.index(by)] if by else logits
        order = np.argsort(-ordering, kind="stable")[:limit]
        return [Hit(int(evidence.rows[i]), float(probability[i]), float(dense[i])) for i in order]

    def question_row(self, evidence: Evidence) -> np.ndarray:
        logits = np.sort(self.passage.logit(evidence.passage, PASSAGE_FEATURES))[::-1] if evidence.rows.size else np.zeros(1)
        margin = logits[0] - logits[1] if len(logits) > 1 else 0.0
        return np.concatenate([evidence.question, [logits[0], margin]]).astype(np.float32)

    def not_answered(self, evidence: Evidence) -> float:
        """Probability that no passage answers the question."""
        logit = float(self.question.logit(self.question_row(evidence), RANKED_QUESTION_FEATURES))
        return 1 / (1 + np.exp(-logit))


def _model(data: dict, path: Path, key: str, allowed: tuple[str, ...]) -> LinearModel:
    try:
        block = data[key]
        features, weights = tuple(block["features"]), np.asarray(block["weights"], dtype=np.float32)
        bias = float(block["bias"])
    except (KeyError, TypeError, ValueError) as error:
        raise RankerError(f"{path}: field '{key}' needs features, weights and bias ({error})") from None
    unknown = [f for f in features if f not in allowed]
    if unknown or len(features) != len(weights):
        raise RankerError(f"{path}: field '{key}' has unknown features {unknown} or a weight count unlike its features")
    return LinearModel(features, weights, bias)


def load_ranker(path: Path) -> Ranker:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Ranker(
            _model(data, path, "passage", PASSAGE_FEATURES),
            _model(data, path, "question", RANKED_QUESTION_FEATURES),
            float(data["abstain_above"]),
            str(data["chosen_on"]),
        )
    except (OSError, ValueError) as error:
        raise RankerError(f"{path}: cannot be read ({error})") from None
    except KeyError as error:
        raise RankerError(f"{path}: missing field {error}") from None


def save_ranker(ranker: Ranker, path: Path, measured: dict) -> None:
    def block(model: LinearModel) -> dict:
        return {"features": list(model.features), "weights": [round(float(w), 5) for w in model.weights], "bias": round(model.bias, 5)}

    data = {
        "chosen_on": ranker.chosen_on,
        "passage": block(ranker.passage),
        "question": block(ranker.question),
        "abstain_above": round(ranker.abstain_above, 4),
        "measured_on_dev": measured,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
