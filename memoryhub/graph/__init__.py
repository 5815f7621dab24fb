"""The knowledge graph's pure parts: names and their normalisation, concept extraction, path search, the engine
interface and the query languages' checks. No Django: the truth lives in memoryhub.models and is written by
memoryhub.services.graph_*; engines read it through the interface in memoryhub.graph.engine."""
