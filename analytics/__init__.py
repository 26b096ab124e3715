"""Support analytics: what the bot solved, where customers needed people, how they felt.

Every figure is computed from the data Baton already keeps — the conversations in Rasa's
tracker store and the tickets in the handoff database — so there is no second copy to drift.

* :mod:`analytics.facts` — one plain record per conversation and per ticket;
* :mod:`analytics.sources` — reads those records from the two databases (SQLite or PostgreSQL);
* :mod:`analytics.metrics` — turns records into figures for a :class:`analytics.cut.Cut`;
* :mod:`analytics.report` — ``make report``: an HTML page with PNG charts, and a CSV;
* :mod:`analytics.seed` — a few weeks of believable history for the demo.
"""
