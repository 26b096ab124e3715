"""Support analytics: what the bot solved, where customers needed people, how they felt.

Every figure is computed from the data Baton already keeps — the conversations in Rasa's
tracker store and the tickets in the handoff database — so there is no second copy to drift.

* :mod:`analytics.facts` — one plain record per conversation and per ticket;
* :mod:`analytics.sources` — reads those records from the two databases (SQLite or PostgreSQL);
* :mod:`analytics.events_index` — the two partial indexes on Rasa's ``events`` table that
  make a full read cheap, created once by whoever reads first;
* :mod:`analytics.cache` — keeps them in memory for the handoff service, checked against the
  databases on every use;
* :mod:`analytics.cut` — dates, channel and language of a question, validated;
* :mod:`analytics.metrics` — turns records into figures; :mod:`analytics.service` ties the
  three together for the API, the report and the benchmark;
* :mod:`analytics.flat` and :mod:`analytics.report` — ``make report``: CSV, and an HTML page
  with PNG charts;
* :mod:`analytics.seed` (with :mod:`analytics.scenarios`) — weeks of believable history for
  the demo and the benchmark.
"""
