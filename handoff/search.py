"""Search for the console: past and open cases and customers by order number, e-mail, phone,
name or words said, and one customer's cases across channels.

Who may search: every console login (agents and leads alike), as every console login may open
every case today; the bot's and the BI tools' tokens may not (handoff/routes/auth.py).
Private notes are searched too, since only agents ever see them. The query is never logged:
it is often an e-mail address or a phone number.
"""

from __future__ import annotations

from typing import Any

from handoff.domain import iso
from handoff.search_keys import QueryInvalid, patterns
from handoff.service_core import ServiceCore
from handoff.store.search import SearchRepository

PAGE_SIZE = 20
#: Deeper than this nobody reads; a narrower search is the answer.
MAX_PAGE = 50
CUSTOMERS_SHOWN = 10
#: Customer ids are short strings (tickets.customer_id is 40 characters).
MAX_CUSTOMER_ID = 40
_SNIPPET = 160


def page_number(raw: object) -> int:
    """``?page=`` as a number from 1 to :data:`MAX_PAGE` (1 when absent)."""
    if raw is None or raw == "":
        return 1
    if not isinstance(raw, str) or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise QueryInvalid(f"page is a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def snippet(text: str, needle: str) -> str:
    """The part of ``text`` around the first ``needle`` (case-insensitive), at most 160
    characters, with ``…`` where it was cut."""
    at = text.lower().find(needle)
    start = max(0, at - _SNIPPET // 3) if at >= 0 else 0
    part = text[start : start + _SNIPPET]
    return ("…" if start else "") + part + ("…" if start + _SNIPPET < len(text) else "")


class CaseSearch(ServiceCore):
    """The console's search and a customer's history."""

    async def search(self, query: object, page: int = 1) -> dict[str, Any]:
        p = patterns(query)
        offset = (page - 1) * PAGE_SIZE
        async with self.engine.connect() as conn:
            repo = SearchRepository(conn)
            hits = await repo.search(p, offset, PAGE_SIZE + 1)
            shown = hits[:PAGE_SIZE]
            found = await repo.matching_messages(
                p, [h.ticket.id for h in shown if "text" in h.matched]
            )
            customers = await repo.customers(p, CUSTOMERS_SHOWN) if page == 1 else []
        now = self.now()
        cases = []
        for hit in shown:
            message = found.get(hit.ticket.id)
            cases.append(
                {
                    **hit.ticket.summary(now),
                    "matched": list(hit.matched),
                    "snippet": {"kind": message.kind, "text": snippet(message.text, p.text)}
                    if message is not None
                    else None,
                }
            )
        return {
            "page": page,
            "page_size": PAGE_SIZE,
            "has_more": len(hits) > PAGE_SIZE and page < MAX_PAGE,
            "cases": cases,
            "customers": [
                {
                    "customer_id": c.customer_id,
                    "name": c.name or "Anonymous visitor",
                    "cases": c.cases,
                    "last_case_at": iso(c.last_case_at),
                    "channels": list(c.channels),
                }
                for c in customers
            ],
        }

    async def customer_cases(self, customer_id: str, page: int = 1) -> dict[str, Any]:
        """Every case of one customer, whatever the channel, newest first."""
        if not customer_id or len(customer_id) > MAX_CUSTOMER_ID:
            raise QueryInvalid(f"a customer id is 1 to {MAX_CUSTOMER_ID} characters")
        offset = (page - 1) * PAGE_SIZE
        async with self.engine.connect() as conn:
            tickets = await SearchRepository(conn).customer_cases(
                customer_id, offset, PAGE_SIZE + 1
            )
        now = self.now()
        shown = tickets[:PAGE_SIZE]
        names = [t.customer_name for t in shown if t.customer_name]
        return {
            "customer_id": customer_id,
            "name": names[0] if names else None,
            "channels": sorted({t.channel for t in shown}),
            "page": page,
            "page_size": PAGE_SIZE,
            "has_more": len(tickets) > PAGE_SIZE and page < MAX_PAGE,
            "cases": [t.summary(now) for t in shown],
        }
