"""Stage 6, site: the validated library -> the public catalogue.

catalogue (what is public, with statuses) -> render (jinja2 pages), form (application forms),
opendata (JSON/CSV/XLSX) -> build (mkdocs, pagefind, swap into site/).
"""
