"""Stage 3, library: the whole repository in memory, read once.

In: a repository root. Out: a `Repository` with its schemes (compiled once), batches and records
(each a `Document` with positions), the findings met while reading, and each record's and batch's
typed values (model.py: status, dates, actions), parsed once and shared by every later stage.
"""
