"""The model: what a portfolio is, read from its folder and its config.

- :mod:`.config_types`: the typed settings a config holds, and their defaults.
- :mod:`.config_validator`: pulls typed values out of parsed TOML, each problem at file:line:col.
- :mod:`.config_reader`: reads config.toml and checks it against the schema.
- :mod:`.portfolio_types`: Photo, Gallery, Comparison, Portfolio, photo filters and PhotoSet.
- :mod:`.file_kinds`: which files in a folder are photos, sidecars or not shown, RAW+JPEG pairing.
- :mod:`.safe_paths`: paths that stay inside the portfolio root, and reading notes files.
- :mod:`.loader`: scanning the folders into galleries and comparisons.
- :mod:`.opening`: finding the portfolio from the command-line PATH and opening it.
- :mod:`.selection`: filtering and sorting a gallery by its curation (what the grid shows).
- :mod:`.presentation`: a presentation's deck of slides, and the slideshow's clock.

``portfolio_tui.config``, ``portfolio_tui.portfolio``, ``portfolio_tui.selection`` and
``portfolio_tui.presentation`` re-export the public names. Provenance stays outside the
model (``portfolio_tui.provenance``): it reads XMP, and ``portfolio_tui.xmp`` uses the model.
This package imports nothing itself, so importing one module loads only what it needs.
"""
