"""The lens's learned model: word and character n-grams scored per tag, beside the rules.

Hand-written rules miss fresh wordings of the same practice; a model trained on the
labelled snippets generalises a little further. It never works alone: a rule match counts
unless the model finds it very unlikely (``veto``), and the model adds a tag the rules
missed when it is fairly sure (``confident``). Both thresholds are chosen for the F1 of rules
and model together on held-out predictions inside the training data, with the rules as they
were before they saw each batch (see ``train``), never on the figures they are judged by.

The trained weights ship as ``lens/model.npz`` (built by ``bench/lens_train.py``), so the
runtime needs no training. scikit-learn, NumPy and SciPy are imported only when a model is
loaded or trained, so the bot starts without them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MODEL_FILE = Path(__file__).parent / "lens" / "model.npz"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
CHAR_MIN_DF = 2  # a character n-gram seen once says nothing about fresh answers
REGULARISATION = 20.0  # inverse strength (scikit-learn's C), chosen by cross-validation
# an answer this short says too little for the model to add a tag on its own: "the council"
# as the final say is no co-decision, though most final-say answers in training are
MIN_WORDS = 4
GRID = tuple(round(0.05 * step, 2) for step in range(1, 20))


@dataclass(frozen=True)
class LabelledSnippet:
    """An answer to one question with the tags a careful reader gives it.

    ``known`` names the tags the label speaks for (None: every tag). A staff decision on one
    suggestion says whether that tag fits the quote, and nothing about the other tags.
    """

    question: str
    text: str
    tags: frozenset[str]
    known: frozenset[str] | None = None

    def speaks_for(self, tag: str) -> bool:
        return self.known is None or tag in self.known


def decided_snippets(decisions: Iterable[tuple[str, str, str, bool]]) -> list[LabelledSnippet]:
    """Staff decisions ``(question, quote, tag, confirmed)`` as snippets, one per quote.

    A confirmed suggestion is a positive for its tag on the quoted words, a rejected one a
    negative; decisions on the same quote of the same question join one snippet.
    """
    tags: dict[tuple[str, str], dict[str, bool]] = {}
    for question, quote, tag, confirmed in decisions:
        if quote.strip():
            tags.setdefault((question, quote.strip()), {})[tag] = confirmed
    return [
        LabelledSnippet(
            question,
            quote,
            frozenset(t for t, yes in decided.items() if yes),
            known=frozenset(decided),
        )
        for (question, quote), decided in tags.items()
    ]


@dataclass(frozen=True)
class RuleReading:
    """What the rules found in one answer: tags matched, and tags whose words were negated."""

    keys: frozenset[str] = frozenset()
    negated: frozenset[str] = frozenset()


def document(question: str, text: str) -> str:
    """What the model reads: the question as a token, the answer, then each of its words
    marked with the question ("got_back__food").

    The same words mean different things in different answers ("food" as support to take
    part, or as a reward in what people got back); the marked words let the model learn
    which. Cross-validated, they raised the precision of rules and model together from
    0.73 to 0.81 at about the same recall.
    """
    if not question:
        return f"q_ {text}"
    marked = (f"{question}__{word}" for word in re.findall(r"[^\W\d_]+", text.casefold()))
    return " ".join((f"q_{question}", text, *marked))


@dataclass(frozen=True, eq=False)
class LensModel:
    """Per-tag logistic regression over TF-IDF word and character n-grams."""

    tags: tuple[str, ...]
    language: str
    word_vocabulary: tuple[str, ...]
    char_vocabulary: tuple[str, ...]
    word_idf: NDArray[np.float64]
    char_idf: NDArray[np.float64]
    coef: NDArray[np.float64]  # tags x (word + char features)
    intercept: NDArray[np.float64]
    veto: float  # a rule match counts only at this probability or above
    confident: float  # the model adds a tag on its own at this probability or above

    @cache  # noqa: B019 - one pair of vectorizers per model, which lives as long as the process
    def _vectorizers(self) -> tuple[Any, Any]:
        words, chars = _vectorizers(self.word_vocabulary, self.char_vocabulary)
        words.idf_ = self.word_idf
        chars.idf_ = self.char_idf
        return words, chars

    def probabilities(self, documents: Sequence[str]) -> NDArray[np.float64]:
        """One row per document, one column per tag (in ``tags`` order)."""
        import numpy as np
        from scipy.sparse import hstack
        from scipy.special import expit

        if not documents:
            return np.zeros((0, len(self.tags)))
        words, chars = self._vectorizers()
        features = hstack([words.transform(documents), chars.transform(documents)]).tocsr()
        scores: NDArray[np.float64] = expit(features @ self.coef.T + self.intercept)
        return scores

    def keys(
        self,
        rule_keys: Collection[str],
        probabilities: Sequence[float],
        negated: Collection[str] = (),
        text: str = "",
    ) -> set[str]:
        """The tags suggested for one answer: rule matches the model does not veto, and
        tags the model is confident of, unless the rules found their words only negated
        or the answer (``text``) is too short to judge by its words."""
        judged = len(re.findall(r"\w+", text)) >= MIN_WORDS
        return {
            tag
            for tag, p in zip(self.tags, probabilities, strict=True)
            if (
                p >= self.veto
                if tag in rule_keys
                else judged and p >= self.confident and tag not in negated
            )
        }

    def save(self, path: Path) -> None:
        import numpy as np

        np.savez_compressed(
            path,
            tags=np.array(self.tags),
            language=np.array(self.language),
            word_vocabulary=np.array(self.word_vocabulary),
            char_vocabulary=np.array(self.char_vocabulary),
            word_idf=self.word_idf.astype(np.float32),
            char_idf=self.char_idf.astype(np.float32),
            coef=self.coef.astype(np.float16),  # a few hundred kB instead of megabytes
            intercept=self.intercept.astype(np.float32),
            thresholds=np.array([self.veto, self.confident]),
        )


_ready = False


def model_ready() -> bool:
    """Whether the shipped model and its libraries are loaded (see ``warm_up``)."""
    return _ready


def warm_up() -> None:
    """Load the shipped model and import its libraries (seconds, once per process).

    Callers on an event loop run this in a thread before their first draft, so the
    imports do not stall every other update.
    """
    global _ready
    model = load_model()
    if model is not None:
        model.probabilities([document("", "")])
    _ready = True


def load_model(path: Path | None = None) -> LensModel | None:
    """The shipped model (read once), or the one at ``path``; None if there is none."""
    return _builtin_model() if path is None else _load(path)


@cache
def _builtin_model() -> LensModel | None:
    return _load(MODEL_FILE) if MODEL_FILE.exists() else None


def _load(path: Path) -> LensModel:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        veto, confident = (float(v) for v in data["thresholds"])
        return LensModel(
            tags=tuple(str(t) for t in data["tags"]),
            language=str(data["language"]),
            word_vocabulary=tuple(str(t) for t in data["word_vocabulary"]),
            char_vocabulary=tuple(str(t) for t in data["char_vocabulary"]),
            word_idf=data["word_idf"].astype(np.float64),
            char_idf=data["char_idf"].astype(np.float64),
            coef=data["coef"].astype(np.float64),
            intercept=data["intercept"].astype(np.float64),
            veto=veto,
            confident=confident,
        )


def _vectorizers(
    word_vocabulary: Sequence[str] | None = None, char_vocabulary: Sequence[str] | None = None
) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(
        ngram_range=WORD_NGRAMS,
        sublinear_tf=True,
        vocabulary={t: i for i, t in enumerate(word_vocabulary)} if word_vocabulary else None,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        min_df=CHAR_MIN_DF,
        vocabulary={t: i for i, t in enumerate(char_vocabulary)} if char_vocabulary else None,
    )
    return words, chars


# --- training ---------------------------------------------------------------------------


def fit(
    snippets: Sequence[LabelledSnippet],
    tags: Sequence[str],
    *,
    language: str = "en",
    veto: float = 0.0,
    confident: float = 1.01,
) -> LensModel:
    """Fit vectorizers and one balanced logistic regression per tag on ``snippets``, each
    on the snippets whose label speaks for that tag."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    words, chars = _vectorizers()
    documents = [document(s.question, s.text) for s in snippets]
    features = hstack([words.fit_transform(documents), chars.fit_transform(documents)]).tocsr()
    coef = np.zeros((len(tags), features.shape[1]))
    intercept = np.full(len(tags), -10.0)  # a tag nobody labelled is never suggested
    for row, tag in enumerate(tags):
        rows = np.array([s.speaks_for(tag) for s in snippets])
        labels = np.array([tag in s.tags for s in snippets])[rows]
        if labels.all() or not labels.any():
            continue
        model = LogisticRegression(
            C=REGULARISATION, class_weight="balanced", solver="liblinear"
        ).fit(features[rows], labels)
        coef[row] = model.coef_[0]
        intercept[row] = model.intercept_[0]
    return LensModel(
        tags=tuple(tags),
        language=language,
        word_vocabulary=_vocabulary(words),
        char_vocabulary=_vocabulary(chars),
        word_idf=np.asarray(words.idf_, dtype=np.float64),
        char_idf=np.asarray(chars.idf_, dtype=np.float64),
        coef=coef,
        intercept=intercept,
        veto=veto,
        confident=confident,
    )


def _vocabulary(vectorizer: Any) -> tuple[str, ...]:
    ordered = sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])
    return tuple(term for term, _ in ordered)


def choose_thresholds(
    held_out: Iterable[
        tuple[Sequence[LabelledSnippet], NDArray[np.float64], Sequence[RuleReading] | None]
    ],
    tags: Sequence[str],
) -> tuple[float, float]:
    """``(veto, confident)`` for the best F1 of rules and model together on held-out snippets.

    Each batch comes with the model's probabilities from a model not trained on it, and
    with what the rules found in it *before they were tuned on it* (None: the rules found
    nothing, so the model's own F1 decides). The current rules were tuned on these very
    snippets and would look better than on fresh answers, so the model would be trusted too
    little. F1 weighs a missed tag like a wrong one; staff confirm every suggestion and can
    reject a wrong one at a glance, while a missed one they must think of themselves.
    """
    import numpy as np

    batches = list(held_out)
    if not batches:
        return 0.0, 1.01
    truth = np.array([[t in s.tags for t in tags] for snippets, _, _ in batches for s in snippets])
    probabilities = np.vstack([p for _, p, _ in batches])
    hit = np.zeros_like(truth)
    barred = np.zeros_like(truth)  # negated by the rules, or too short to judge by its words
    row = 0
    for snippets, _, readings in batches:
        for index, snippet in enumerate(snippets):
            reading = readings[index] if readings is not None else RuleReading()
            hit[row] = [t in reading.keys for t in tags]
            barred[row] = [t in reading.negated for t in tags]
            if len(re.findall(r"\w+", snippet.text)) < MIN_WORDS:
                barred[row] = True
            row += 1
    best = (-1.0, 0.0, 1.01)
    for veto in (0.0, *GRID):
        for confident in (*GRID, 1.01):
            if confident <= veto:
                continue
            found = np.where(hit, probabilities >= veto, ~barred & (probabilities >= confident))
            right = int((found & truth).sum())
            f1 = 2 * right / (int(found.sum()) + int(truth.sum())) if right else 0.0
            if f1 > best[0]:
                best = (f1, veto, confident)
    return best[1], best[2]


def train(
    batches: Sequence[Sequence[LabelledSnippet]],
    tags: Sequence[str],
    *,
    always: Sequence[LabelledSnippet] = (),
    readings: Sequence[Sequence[RuleReading] | None] = (),
    language: str = "en",
) -> LensModel:
    """Train on ``always`` and every batch; thresholds by leave-one-batch-out inside them.

    Each batch is scored by a model trained on ``always`` and the other batches, as a
    fresh batch would be; the thresholds come from those scores and from ``readings``
    (per batch, what the rules found in each snippet before they were tuned on it; see
    ``choose_thresholds``), then the final model is fitted on everything.
    """
    held_out = []
    for index, batch in enumerate(batches):
        rest = [s for other, b in enumerate(batches) if other != index for s in b]
        inner = fit([*always, *rest], tags, language=language)
        scores = inner.probabilities([document(s.question, s.text) for s in batch])
        held_out.append((batch, scores, readings[index] if index < len(readings) else None))
    veto, confident = choose_thresholds(held_out, tags)
    everything = [*always, *(s for b in batches for s in b)]
    return fit(everything, tags, language=language, veto=veto, confident=confident)
