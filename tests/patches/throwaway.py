"""Stand-ins for the patch machinery's tests: a class to patch and the code that patches it."""

from __future__ import annotations

from typing import Any


class Shop:
    def greet(self, name: str) -> str:
        return f"hello {name}"

    @classmethod
    def opening(cls, day: str) -> str:
        return f"{cls.__name__} opens {day}"


class Branch(Shop):
    """A subclass: a patched classmethod must still be called with this class."""


def excited(original: Any) -> Any:
    """Wraps ``Shop.greet``: each wrapping adds one ``!``, so wrapping twice would show."""

    def greet(self: Any, name: str) -> str:
        return str(original(self, name)) + "!"

    return greet


def shouted(original: Any) -> Any:
    """Wraps the classmethod ``Shop.opening`` (given bound, as it reads on the class)."""

    def opening(cls: Any, day: str) -> str:
        return str(original.__func__(cls, day)).upper()

    return classmethod(opening)
