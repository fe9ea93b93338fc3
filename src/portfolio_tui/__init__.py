"""portfolio-tui: a terminal browser for headshot portfolios."""

__version__ = "0.1.0"
