"""Staff commands beside the site: what to act on today (report), a new record's skeleton
(scaffold, `directory new`), spreadsheet import (importer, `directory import`) and the commands
that change records in place (commands: suspend, revoke, received, publicize, decide …; edit), and
what a change does to the public catalogue, for reviewing it (diff, `directory diff`).
"""
