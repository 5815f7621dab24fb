"""Hobbies: practice, sub-agents, proficiency.

Its models, services and API arrive with its issue; the app is wired in already.
"""
