"""Stage 3, library: the whole repository in memory, read once.

In: a repository root. Out: a `Repository` with its schemes, batches and records (each a
`Document` with positions), and the findings met while reading.
"""
