"""The stores of curation state (no Textual here).

:mod:`.sqlite_curation` keeps ratings, flags, labels, tags, notes, gallery order and
covers, and their history, in one SQLite database in the portfolio folder (issue 16).
Issue 17 moves ``curation.py`` and ``picks.py`` here beside it.
"""
