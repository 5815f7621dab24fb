"""The learning loop's pure ML code (torch, peft, numpy; no Django): training examples and their formats, the
LoRA trainer with checkpoints and resume, and the statistics of paired A/B comparisons."""
