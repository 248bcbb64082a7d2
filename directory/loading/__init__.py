"""Stage 1, loading: bytes on disk -> YAML values that remember where each one stands.

In: a file path. Out: a `Document` (plain values plus line/column on demand) or findings.
Nothing here knows about schemes or rules.
"""
