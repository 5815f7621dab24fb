from tests.models_suite.conftest import tiny  # noqa: F401  (a tiny registered model, for practice)
