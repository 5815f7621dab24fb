"""Learning: feedback, reward, adapters.

Its models, services and API arrive with its issue; the app is wired in already.
"""
