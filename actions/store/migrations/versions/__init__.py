"""The store's revisions, one module each (``r<id>_<slug>.py``); Alembic reads them by path."""
