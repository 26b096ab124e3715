"""Which items to cancel: the question (a button per item, "That's all", "The whole order")
and the answers — taps one at a time, or typed item names or numbers ("the mugs and the
lamp", "1 and 3", "the whole order"). Plain functions over an order; the cancel form
(:mod:`actions.cancel_items`) asks and keeps the answer in two slots: the items tapped so
far (``cancel_chosen``) and the final choice (``cancel_items``: ``all`` or item ids).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Optional

from actions.services.i18n import join, text
from actions.services.replies import Button, Reply
from actions.services.returns import ItemCheck
from actions.services.returns_parsing import choice, parse_items
from actions.store.models import OrderItem

KIND = "cancelitem"
ALL = "all"
DONE = "done"
#: The answer that keeps the order: the customer stopped at the question.
NONE = "none"
_NUMBERS = re.compile(r"(?<![\d.])([1-9])(?![\d.])")
# "the whole order" in the three languages (the returns' words for "all of them" also count)
_WHOLE = re.compile(
    r"whole order|entire order|full order|주문\s*전체|전체\s*주문|전체|整个订单|整个|全部订单"
)


def payload(value: str) -> str:
    """A button payload that answers the items question, whatever the NLU makes of it."""
    return "/inform" + json.dumps({"return_choice": f"{KIND}:{value}"}, separators=(",", ":"))


def encode(ids: Collection[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def decode(value: object) -> tuple[int, ...]:
    """Item ids of a slot value (``"12,13"``); ``()`` for ``all``, ``none`` or anything else."""
    if not isinstance(value, str) or not re.fullmatch(r"\d+(?:,\d+)*", value):
        return ()
    return tuple(int(part) for part in value.split(","))


@dataclass(frozen=True)
class ItemsAnswer:
    """``final``: the choice (``all`` or ids); else ``chosen``: the ids tapped so far."""

    final: Optional[str] = None
    chosen: Optional[str] = None


def read_answer(
    value: object, open_items: Sequence[OrderItem], chosen: object = None
) -> Optional[ItemsAnswer]:
    """What an answer to the items question says; ``None`` when it names no item."""
    ids = {i.id for i in open_items}
    so_far = set(decode(chosen)) & ids
    picked = choice(value, KIND)
    if picked == ALL:
        return ItemsAnswer(final=ALL)
    if picked == DONE:
        return ItemsAnswer(final=_final(so_far, ids)) if so_far else None
    if picked is not None:
        if not picked.isdigit() or int(picked) not in ids:
            return None
        so_far.add(int(picked))
        return ItemsAnswer(final=ALL) if so_far == ids else ItemsAnswer(chosen=encode(so_far))
    named = _typed(value, open_items)
    return ItemsAnswer(final=_final(named, ids)) if named else None


def _final(chosen: set[int], ids: set[int]) -> str:
    return ALL if chosen >= ids else encode(chosen)


def _typed(value: object, open_items: Sequence[OrderItem]) -> set[int]:
    """Items named by a typed answer: by their names (or "all of them"), or by their numbers
    in the list the question showed ("1 and 3")."""
    if not isinstance(value, str) or len(value) > 300:
        return set()
    if _WHOLE.search(value.lower()):
        return {i.id for i in open_items}
    checks = [ItemCheck(i, i.quantity) for i in open_items]
    named = parse_items(value, checks, loose=True)
    if named:
        return set(named)
    positions = {int(n) for n in _NUMBERS.findall(value)}
    return {open_items[n - 1].id for n in positions if 1 <= n <= len(open_items)}


def ask(number: str, open_items: Sequence[OrderItem], chosen: object, lang: str) -> Reply:
    """The question, with a button per item not tapped yet, "That's all" once something is
    tapped, and "The whole order"; the items tapped so far are said."""
    tapped = set(decode(chosen))
    listing = "\n".join(
        f"{n}. {i.product_name}" + (f" ×{i.quantity}" if i.quantity > 1 else "")
        for n, i in enumerate(open_items, start=1)
    )
    buttons = [
        Button(f"{n}. {i.product_name}", payload(str(i.id)))
        for n, i in enumerate(open_items, start=1)
        if i.id not in tapped
    ]
    names = [i.product_name for i in open_items if i.id in tapped]
    if names:
        buttons.append(Button(text("btn_thats_all", lang), payload(DONE)))
    buttons.append(Button(text("btn_whole_order", lang), payload(ALL)))
    facts = {
        "order_number": number,
        "items": listing,
        "chosen": text("cancel_chosen_so_far", lang, items=join(names, lang)) if names else "",
    }
    return Reply("utter_ask_cancel_items", facts, tuple(buttons))


def item_names(order_items: Sequence[OrderItem], ids: Collection[int], lang: str) -> str:
    """ "the linen shirt and the mugs" as the replies name the chosen items."""
    return join([i.product_name for i in order_items if i.id in set(ids)], lang)
