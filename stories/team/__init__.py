"""Working as a team through git: shared desk state, section merges of a story, review.

Each module is one idea: ``state`` (claims, dismissals and review notes on
their own ref), ``merge`` (three-way merge of a story's sections), ``review``
(story branches waiting for a colleague). None imports textual.
"""
