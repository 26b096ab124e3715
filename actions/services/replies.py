"""What the bot should say, independent of how a channel shows it.

Business functions return ``Reply`` values naming a domain response and its facts; the
actions hand them to the dispatcher, and the connectors decide how each channel renders
buttons and links (:mod:`connectors.render`: rendering in one place).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    response: str
    params: dict[str, str] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
