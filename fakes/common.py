"""What both fakes share: a recorded log with long-polling, ids, a tiny PNG, running a server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

PAGES = Path(__file__).resolve().parent / "pages"


class Recorder:
    """An append-only list of records that readers can wait on (long-polling)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    def add(self, item: dict[str, Any]) -> dict[str, Any]:
        item.setdefault("at", time.time())
        self.items.append(item)
        self._changed.set()
        self._changed = asyncio.Event()
        return item

    def clear(self) -> None:
        self.items.clear()

    async def wait_for(
        self, match: Callable[[dict[str, Any]], bool], after: int, timeout: float
    ) -> list[dict[str, Any]]:
        """All matching records, once there are more than ``after`` of them (or on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [i for i in self.items if match(i)]
            left = deadline - time.monotonic()
            if len(found) > after or left <= 0:
                return found
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def tiny_png(rgb: tuple[int, int, int] = (200, 120, 40), size: int = 16) -> bytes:
    """A small, valid PNG (a brown square: a parcel, squinting)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def base_parser(description: str, default_port: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    rasa_port = os.environ.get("RASA_PORT", "5005")
    parser.add_argument(
        "--baton-url",
        default=os.environ.get("PUBLIC_URL", f"http://localhost:{rasa_port}"),
        help="Baton's public URL: webhooks are signed for it (default: $PUBLIC_URL)",
    )
    parser.add_argument(
        "--deliver-to",
        default=None,
        help="where to actually post webhooks, if not the public URL (e.g. http://127.0.0.1:5005)",
    )
    return parser


def serve(app: web.Application, host: str, port: int, name: str) -> None:
    print(f"{name} listening on http://{host}:{port}/", flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
