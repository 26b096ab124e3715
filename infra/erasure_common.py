"""What an erasure is about (:mod:`infra.erasure`): whom (:class:`Subject`), where Baton keeps
data (:class:`Targets`), what was done (:class:`Report`), and the engines and tables the
steps share."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import MetaData, Table
from sqlalchemy.exc import NoSuchTableError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra.sql import create_async_engine_for

ROOT = Path(__file__).resolve().parent.parent
_SAFE_TABLE = re.compile(r"^[a-z_]+$")


class ErasureError(ValueError):
    """The request cannot be carried out as given (the message says why)."""


@dataclass(frozen=True)
class Subject:
    """Whom to erase. At least one field is needed."""

    customer_id: Optional[int] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    conversation_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.customer_id or self.email or self.phone or self.conversation_ids):
            raise ErasureError("name a customer_id, email, phone or conversation_ids")
        if self.email is not None and "@" not in self.email:
            raise ErasureError("email is not an e-mail address")
        if self.phone is not None and not re.fullmatch(r"\+\d{7,15}", self.phone):
            raise ErasureError("phone must be in E.164 form, e.g. +447700900123")
        for conversation_id in self.conversation_ids:
            if not conversation_id or len(conversation_id) > 255:
                raise ErasureError("conversation ids must be 1 to 255 characters")


@dataclass(frozen=True)
class Targets:
    """Where Baton keeps data: the four databases and the NLU inbox file."""

    store_url: str
    tracker_url: str
    handoff_url: str
    outbox_url: str
    inbox_file: Path
    channel_id_secret: Optional[str] = None
    redis_url: Optional[str] = None
    #: WhatsApp photos and files customers sent (connectors/attachments.py)
    uploads_dir: Optional[Path] = None

    @classmethod
    def from_env(cls, env: Optional[dict[str, str]] = None) -> Targets:
        e = dict(os.environ if env is None else env)
        var = Path(e.get("BATON_VAR_DIR") or ROOT / "var")
        tracker = e.get("TRACKER_DATABASE_URL") or f"sqlite:///{var / 'tracker.db'}"
        return cls(
            store_url=e.get("STORE_DATABASE_URL") or f"sqlite:///{var / 'store.db'}",
            tracker_url=tracker,
            handoff_url=e.get("HANDOFF_DATABASE_URL") or f"sqlite:///{var / 'handoff.db'}",
            outbox_url=e.get("HANDOFF_OUTBOX_DATABASE_URL") or tracker,
            inbox_file=Path(e.get("INBOX_FILE") or ROOT / "reports" / "inbox.csv"),
            channel_id_secret=e.get("CHANNEL_ID_SECRET") or _local_secret(var, "CHANNEL_ID_SECRET"),
            redis_url=e.get("REDIS_URL") or None,
            uploads_dir=var / "uploads",
        )


def _local_secret(var: Path, name: str) -> Optional[str]:
    """Local mode keeps generated secrets in var/secrets (infra/secrets.py), each file
    named in lower case (``channel_id_secret``): read under any other name, the WhatsApp
    conversation of an erased phone number was never found."""
    path = var / "secrets" / name.lower()
    return path.read_text().strip() if path.exists() else None


@dataclass
class Report:
    erasure_id: int
    customer_id: Optional[int]
    conversations: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.customer_id is not None or any(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "erasure_id": self.erasure_id,
            "customer_id": self.customer_id,
            "conversations": self.conversations,
            "matched": self.matched,
            "counts": dict(self.counts),
        }


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


async def _table(conn: AsyncConnection, name: str) -> Optional[Table]:
    """The table called ``name`` as it exists in this database, or None if it does not."""
    assert _SAFE_TABLE.match(name)

    def load(sync_conn: Any) -> Optional[Table]:
        try:
            return Table(name, MetaData(), autoload_with=sync_conn)
        except NoSuchTableError:
            return None

    return await conn.run_sync(load)


class _Engines:
    """One engine per distinct URL (the outbox usually shares the tracker's database)."""

    def __init__(self) -> None:
        self._engines: dict[str, AsyncEngine] = {}

    def __call__(self, url: str) -> AsyncEngine:
        if url not in self._engines:
            self._engines[url] = create_async_engine_for(
                url, pool_size=1, max_overflow=1, foreign_keys=False
            )
        return self._engines[url]

    async def dispose(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()
