"""Screens: home, gallery grid, loupe, comparison, help."""
