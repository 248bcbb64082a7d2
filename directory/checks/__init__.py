"""Stage 5, checks: every rule applied to the loaded library, all findings in one pass.

In: a `Repository`, `today`, the calendar. Out: a sorted list of `Finding` values.
"""
