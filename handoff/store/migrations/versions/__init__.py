"""The handoff database's revisions (``r<id>_<slug>.py``); Alembic reads them by path."""
