"""服务机构库 directory-as-code.

Stages, each one module, data flowing one way:

    load      loader (YAML + positions), schemes (scheme.yaml), repository (records, batches)
    validate  schemacheck + formats (structure), conditions (entry conditions), validate (all checks)
    derive    workdays (calendar), dates, lifecycle (statuses), periodic (reports), report (staff view)
    render    catalogue (what is public), render (pages), opendata (downloads), form (application forms)
    build     build (mkdocs -> pagefind -> swap)

and around them: cli (the `directory` command), reporters (text/json/github output), scaffold
(`directory new`), importer (`directory import`). Findings (findings.py) are the values every
check returns; only the CLI prints.
"""
