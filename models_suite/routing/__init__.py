"""Hybrid routing, pure (numpy, scikit-learn and the standard library; no Django): which candidate of a route
answers a request, and why.

A route is a model name clients call (`auto`) with candidates in order of cost. The decision goes, each step
explainable: rules (an explicit task type and the complexity table), the request itself (does it fit the local
context; what it asks for, read by a small classifier), the learned router (each candidate's predicted chance of a
right answer, from the product's own graded attempts), and the resources (a candidate with no live worker, no
room in memory or an open circuit breaker is skipped). The Django side (models_suite.services.routing) gathers
the facts, calls decide(), sends, and fails over.
"""
