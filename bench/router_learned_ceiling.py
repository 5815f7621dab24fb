"""How far any reading of the request could take the learned route on the bare built-in model (issue 17, item 6).

Not a benchmark (`make bench` does not run it): an analysis of why bench_router_learned.py misses its goal,
`python bench/router_learned_ceiling.py` (about 3 minutes on 2 cores). The goal, 95 % of always-remote accuracy
with at most half the requests sent remote, needs the half kept local to be right 90 % of the time; the built-in
model is right on about half the held-out items. Each signal below ranks the held-out items by the chance that
the local model is right, and the half it trusts least goes remote. The cut is placed on the held-out items
themselves, so each figure is an upper bound for its signal:
- the shipped learned router (models_suite.routing.learned), trained on the train split's graded attempts;
- character 1-4-grams with a logistic regression (the best of three strengths on the held-out items);
- gradient-boosted trees on the prompt's shape (length, digits, letters, items, longest word and number, and the
  prompt with its letters and digits folded: which template it is);
- the local model's own confidence in its greedy answer (the least and the mean token log-probability): what a
  cascade, which asks the local model first, would have to go on;
- an oracle that knows which answers are right, for scale.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

import numpy as np
from common import built_model_dir, django_on_scratch_database
from router_graded import HELDOUT_PER_SUITE, SUITES, TRAIN_PER_SUITE, graded, setup

model_dir = built_model_dir()
django_on_scratch_database()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

from models_suite.evaluation.suites import get_suite  # noqa: E402
from models_suite.routing.learned import GradedAttempt, train_learned_router  # noqa: E402

local, remote, cloud = setup(model_dir)
train = graded((local, remote), "train", TRAIN_PER_SUITE)[local.name]
heldout = graded((local, remote), "heldout", HELDOUT_PER_SUITE)[local.name]
cloud.close()
prompts, right = [p for _, p, _ in heldout], np.array([c for _, _, c in heldout])
train_prompts, train_right = [p for _, p, _ in train], np.array([c for _, _, c in train])


def at_half(chance_local_right) -> float:
    """Accuracy (the remote always right) with the half least likely right locally sent remote."""
    sent = np.argsort(np.asarray(chance_local_right))[: len(right) // 2]
    kept = np.ones(len(right), dtype=bool)
    kept[sent] = False
    return (right[kept].sum() + len(sent)) / len(right)


router = train_learned_router(
    [GradedAttempt("local", p, c) for _, p, c in train] + [GradedAttempt("remote", p, True) for _, p, _ in train],
    c=4.0,
)
signals = {"shipped learned router": [router.chances(p, ["local"])["local"] for p in prompts]}

best = 0.0
for c in (1.0, 4.0, 16.0):
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), lowercase=False, sublinear_tf=True)
    regression = LogisticRegression(C=c, max_iter=3000).fit(vectorizer.fit_transform(train_prompts), train_right)
    chances = regression.predict_proba(vectorizer.transform(prompts))[:, 1]
    if at_half(chances) >= best:
        best, signals["character n-grams, logistic regression"] = at_half(chances), list(chances)


def shape(prompt: str) -> list[float]:
    template = re.sub(r"[a-z]+", "a", re.sub(r"\d+", "0", prompt))
    digits = re.findall(r"\d", prompt)
    return [
        len(prompt),
        len(digits),
        sum(int(d) for d in digits),
        len(re.findall(r"[a-z]", prompt)),
        prompt.count(","),
        max((len(w) for w in re.findall(r"[a-z]+", prompt)), default=0),
        max((len(n) for n in re.findall(r"\d+", prompt)), default=0),
        hash(template) % 100_000,
    ]


trees = HistGradientBoostingClassifier(categorical_features=[7], random_state=0)
trees.fit(np.array([shape(p) for p in train_prompts]), train_right)
signals["prompt shape, gradient-boosted trees"] = list(trees.predict_proba(np.array([shape(p) for p in prompts]))[:, 1])

tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
items = {item.prompt: item for suite in SUITES for item in get_suite(suite).items("heldout", limit=HELDOUT_PER_SUITE)}
least, mean = [], []
for prompt in prompts:
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        out = model.generate(
            ids, max_new_tokens=24, do_sample=False, output_scores=True, return_dict_in_generate=True, pad_token_id=0
        )
    tokens = out.sequences[0, ids.shape[1] :]
    logprobs = [torch.log_softmax(score[0], -1)[t].item() for score, t in zip(out.scores, tokens)] or [0.0]
    least.append(min(logprobs))
    mean.append(statistics.mean(logprobs))
signals["local model's confidence, least token log-probability"] = least
signals["local model's confidence, mean token log-probability"] = mean
signals["oracle (knows which answers are right)"] = list(right.astype(float))

print(f"held-out items: {len(right)}; the local model alone {right.mean():.1%}; the goal: 95.0 % with half remote")
for name, chances in signals.items():
    print(f"  {at_half(chances):6.1%}  {name}")
