"""Modal dialogs over a screen: the tags editor and the notes editor (no navigation)."""
