"""Stand-ins for the patch machinery's tests: a class to patch and the code that patches it."""

from __future__ import annotations

from typing import Any


class Shop:
    def greet(self, name: str) -> str:
        return f"hello {name}"


def excited(original: Any) -> Any:
    """Wraps ``Shop.greet``: each wrapping adds one ``!``, so wrapping twice would show."""

    def greet(self: Any, name: str) -> str:
        return str(original(self, name)) + "!"

    return greet
