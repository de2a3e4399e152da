"""Texts from families: stored first, exactly once, then claimed and answered.

`store` keeps the webhook's text; `claim` hands stored texts to a worker, a family's in the
order they came; `answer` answers each (STOP, START and HELP first, in `opt_keywords`).
"""
