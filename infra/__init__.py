"""Small pieces every Baton process uses the same way (no process owns them)."""
