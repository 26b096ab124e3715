"""The handoff service's HTTP client now lives in :mod:`infra.handoff_client`.

The Rasa server uses it too (the relay's outbox, the failsafe), and channels do not import the
action server's code (pyproject.toml, ``[tool.importlinter]``). This module keeps the old import
path working for ``actions/handoff.py`` and ``connectors/failsafe.py``; new code imports
:mod:`infra.handoff_client`.
"""

from __future__ import annotations

from infra.handoff_client import HandoffClient, HandoffUnavailable, get_client

__all__ = ["HandoffClient", "HandoffUnavailable", "get_client"]
