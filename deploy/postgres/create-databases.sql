-- One database per owner (docs/architecture.md, "Data: who owns which database"); the image creates
-- baton_store from POSTGRES_DB. Runs once, when the data volume is first initialised.
CREATE DATABASE baton_tracker OWNER baton;
CREATE DATABASE baton_handoff OWNER baton;
