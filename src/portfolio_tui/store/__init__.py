"""The stores of curation state and client picks (no Textual here).

- :mod:`.changes`: the change and snapshot model, validation, store constants and errors.
- :mod:`.toml_form`: the TOML form (parse, render, merge; ``curation export``/``import``).
- :mod:`.toml_curation`: the old TOML store (``curation.toml``), kept for folders not yet
  migrated; :mod:`.history` reads its ``curation-history.jsonl``.
- :mod:`.sqlite_curation`: the SQLite store (``curation.sqlite``, issue 16), built from
  :mod:`.sqlite_schema`, :mod:`.sqlite_open`, :mod:`.sqlite_read` and :mod:`.sqlite_cache`.
- :mod:`.picks` (types and the old ``picks.toml`` store) and :mod:`.sqlite_picks`.
- :mod:`.sharded`: the copy-on-write mappings snapshots are made of.

The TOML stores replace their files with :func:`portfolio_tui.files.write_atomically`; the
TOML history is appended to (``O_APPEND``, fsynced) and the SQLite stores write through SQLite.
``portfolio_tui.curation`` and ``portfolio_tui.picks`` re-export the public names.
"""
