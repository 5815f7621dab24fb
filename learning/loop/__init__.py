"""The learning loop (Django side): training datasets from graded practice, LoRA training jobs, adapters and their
aliases, paired A/B comparisons, the watch after a promotion, the cycle that runs them and the learning curve."""
