"""The Textual user interface: screens, widgets and the command registry."""
