-- One database per owner (DESIGN.md, "Data and who owns it"); the image creates baton_store
-- from POSTGRES_DB. Runs once, when the data volume is first initialised.
CREATE DATABASE baton_tracker OWNER baton;
CREATE DATABASE baton_handoff OWNER baton;
