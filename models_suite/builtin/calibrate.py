"""Build the base model on the synthetic corpus and print per-skill held-out accuracy.

    python -m models_suite.builtin.calibrate OUT_DIR [--steps N] [--seconds S] [--per-skill N] [--heldout N]

Used to calibrate the default config (DEFAULT_MAX_STEPS) on a given machine; writes calibration.json to OUT_DIR.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from .config import BaseModelConfig
from .generate import evaluate_pairs
from .progress import TerminalProgress
from .synthetic import corpus, interleaved
from .train import build_base_model, load_base_model


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--steps", type=int, default=None, help="max_steps (default: the config's)")
    parser.add_argument("--seconds", type=float, default=None, help="max_seconds")
    parser.add_argument("--per-skill", type=int, default=2000, help="train pairs per skill")
    parser.add_argument("--heldout", type=int, default=200, help="held-out pairs per skill")
    parser.add_argument("--loss-on", choices=("answer", "all"), default=BaseModelConfig.loss_on)
    args = parser.parse_args(argv)

    config = BaseModelConfig(loss_on=args.loss_on)
    if args.steps is not None or args.seconds is not None:
        config = dataclasses.replace(config, max_steps=args.steps, max_seconds=args.seconds)
    train = interleaved(corpus("train", args.per_skill))
    report = build_base_model(config, train, args.out_dir, progress=TerminalProgress())
    model, tokenizer = load_base_model(args.out_dir)
    started = time.perf_counter()
    scores = {skill: evaluate_pairs(model, tokenizer, pairs) for skill, pairs in corpus("heldout", args.heldout).items()}
    result = {
        "heldout_accuracy": scores,
        "eval_seconds": time.perf_counter() - started,
        "train_pairs": len(train),
        "report": {key: value for key, value in report.to_dict().items() if key != "loss_history"},
    }
    Path(args.out_dir, "calibration.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"heldout_accuracy": scores, "parameters": report.parameters, "steps": report.steps,
                      "tokens_per_s": round(report.tokens_per_s), "seconds": round(report.seconds, 1),
                      "final_loss": round(report.final_loss, 4), "epochs": round(report.epochs, 2)}, indent=2))
    return result


if __name__ == "__main__":
    main()
