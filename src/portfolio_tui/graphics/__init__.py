"""Terminal graphics protocols: detection, Kitty and Sixel encoding. No Textual imports."""
