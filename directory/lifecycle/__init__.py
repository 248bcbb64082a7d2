"""Stage 4, lifecycle: what the dates mean on a given day.

In: a record, its scheme and batch, the calendar, `today`. Out: pure derivations — publicity end,
validity, status, bans (derive.py) and periodic-report standing (periodic.py).
"""
