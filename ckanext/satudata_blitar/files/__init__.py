"""The file layer: what every file people give the portal or get from it passes through.

`safety.py` checks an uploaded file's bytes before any parser sees it (its real format, bounded zip and OLE2 checks)
and imports nothing from CKAN, so the table parser's child process runs it; `workbooks.py` reads the small workbooks
people upload (limits, zip check) and writes every .xlsx and CSV the portal produces (safe cells, one header style).
"""
