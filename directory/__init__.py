"""服务机构库 directory-as-code.

The folders are the stages, data flowing one way (each imports only from the ones above it):

    loading     yamlfile (YAML with positions)
    rules       schemes (scheme.yaml), schemas (JSON Schemas), conditions, codes, regions,
                calendar (working days), dates
    library     repository (schemes, batches and records, read once)
    lifecycle   derive (publicity, validity, statuses, bans), periodic (reports)
    checks      validate (all checks, findings in one pass)
    site        catalogue -> render / form / opendata -> build (mkdocs, pagefind, swap)
    staff       report, scaffold (`directory new`), importer (`directory import`)

and at the edge: cli (the `directory` command) and reporters (text/json/github). Findings
(findings.py) are the values every check returns; only the CLI prints.
"""
