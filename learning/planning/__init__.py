"""What to practise and what to learn next, pure (numpy and the standard library; no Django): Thompson sampling over
hobby types, and the curriculum (skill bandit, recipe, replay) of a learning cycle."""
