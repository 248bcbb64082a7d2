"""Staff commands beside the site: what to act on today (report), a new record's skeleton
(scaffold, `directory new`) and spreadsheet import (importer, `directory import`).
"""
