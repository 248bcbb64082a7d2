"""Stage 2, rules: the scheme files read into typed rules, and the small interpreters of them.

In: `schemes/` (scheme.yaml, JSON Schemas, holidays.yaml). Out: `Scheme` values, compiled
validators, condition checks, code checks (credit code, region), the working-day calendar and
date arithmetic. Rules are data in the scheme files; this package only interprets them.
"""
