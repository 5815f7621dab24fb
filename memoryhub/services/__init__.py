"""The memory hub's services: kv (Redis), documents, embeddings (and their index), sessions, context."""
