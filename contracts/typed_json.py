"""Frozen dataclasses to and from JSON-shaped values, checking types and saying where.

Generic, for :mod:`contracts.packet`: a field's type hint says what it holds (text, a whole
number, a number, true/false, ``Optional``, ``list[...]``, ``dict[str, Any]``, another such
dataclass or ``Any``). Field metadata: ``REQUIRED`` (reading notes a missing key),
``OMIT_NONE`` (writing leaves the key out when None) and ``{"wire": False}`` (not in JSON).
A problem is noted as ``path: expected …, got …`` — the kind of value, never the value.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

REQUIRED = {"required": True}
OMIT_NONE = {"omit_none": True}

#: A value that could not be read.
BAD = object()


@functools.cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _expected(tp: Any) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
    }.get(tp, "a list" if typing.get_origin(tp) is list else "an object")


def read_value(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """``value`` as type ``tp``, or ``BAD`` (with the reason appended to ``problems``)."""
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return read_value(args[0], value, path, problems)
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {_kind(value)}")
            return BAD
        (item_type,) = typing.get_args(tp)
        items = []
        for i, item in enumerate(value):
            read = read_value(item_type, item, f"{path}[{i}]", problems)
            if read is not BAD:
                items.append(read)
        return items
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, got {_kind(value)}")
            return BAD
        return {str(k): v for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            problems.append(f"{path}: expected an object, got {_kind(value)}")
            return BAD
        return read_object(tp, value, path, problems)
    ok = (
        isinstance(value, str)
        if tp is str
        else isinstance(value, bool)
        if tp is bool
        else isinstance(value, int) and not isinstance(value, bool)
        if tp is int
        else isinstance(value, (int, float)) and not isinstance(value, bool)
        if tp is float
        else isinstance(value, tp)
    )
    if not ok:
        problems.append(f"{path}: expected {_expected(tp)}, got {_kind(value)}")
        return BAD
    return value


def read_object(cls: Any, value: Mapping[str, Any], path: str, problems: list[str]) -> Any:
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.metadata.get("wire", True):
            continue
        where = f"{path}.{f.name}" if path else f.name
        hint = hints[f.name]
        absent = f.name not in value or (
            # null for a field that has no null: the field's default, not a refusal
            value[f.name] is None and hint is not Any and type(None) not in typing.get_args(hint)
        )
        if absent:
            if f.metadata.get("required"):
                problems.append(f"{where}: missing")
            continue
        read = read_value(hint, value[f.name], where, problems)
        if read is not BAD:
            kwargs[f.name] = read
    return cls(**kwargs)


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if not f.metadata.get("wire", True):
                continue
            item = getattr(value, f.name)
            if item is None and f.metadata.get("omit_none"):
                continue
            out[f.name] = to_plain(item)
        return out
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value
