"""What Baton's processes send each other, typed: shared by the producers and the readers.

A module here imports nothing but the standard library, so the action server, the Rasa
server's connectors, the handoff service and the analytics can all depend on it without
depending on each other (docs/architecture.md, "The context packet").
"""
