"""The problem form's questions and how their answers are read (pure).

What went wrong — a button per kind of problem, or the customer's own words in English, Korean
or Chinese ("it arrived smashed", "다른 상품이 왔어요", "显示签收但没收到"); which item — a
button per item, its name or its number in the list; the photo — the reference a channel put
in the message's metadata (:mod:`infra.uploads`), never anything typed. The problem form
(:mod:`actions.problem_form`) asks and keeps the answers in its slots.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional

from actions.services.i18n import text
from actions.services.problems_decision import KINDS
from actions.services.replies import Button, Reply
from actions.services.returns import ItemCheck
from actions.services.returns_parsing import choice, parse_items
from actions.store.models import OrderItem
from infra.uploads import is_reference

KIND = "problem"  # {"return_choice": "problem:damaged"}
ITEM = "problemitem"  # {"return_choice": "problemitem:12"}
#: The kinds that are about one item of the order (not_received is about a parcel).
ITEM_KINDS = ("missing_item", "damaged", "wrong_item")
#: The kinds that need a photo before anything is settled.
PHOTO_KINDS = ("damaged", "wrong_item")

# The customer's own words for each kind, most specific first: "the box came but the lamp was
# missing" is a missing item, "the wrong lamp came broken" damaged.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "damaged",
        re.compile(
            r"(?<![a-z])(?:broken|broke|damaged?|damage|smashed|cracked|shattered|dented|"
            r"crushed|chipped|scratched|torn|ripped|leaking|leaks|bent|snapped|in pieces|in bits|"
            r"faulty on arrival)|"
            r"(?:파손|깨져|깨졌|깨진|부서|찌그러|금이 가|금 가|흠집|찢어|찢겨|"
            r"坏了|壞了|坏的|碎了|碎成|破了|破损|破損|裂了|裂开|压坏|壓壞|摔坏|变形|凹)"
        ),
    ),
    (
        "wrong_item",
        re.compile(
            r"(?<![a-z])(?:wrong (?:item|thing|product|one|size|colou?r|model|lamp|parcel)|"
            r"not what i ordered|isn'?t what i ordered|not the one i ordered|"
            r"someone else'?s|sent me (?:a|an|the) .{0,30} instead|instead of (?:the|my|a))|"
            r"(?:다른 상품|다른 제품|다른 물건|잘못 온|잘못 왔|잘못 보내|주문한 거랑 달|"
            r"주문한 것과 다|엉뚱한|"
            r"发错|發錯|寄错|寄錯|送错|送錯|不是我买|不是我買|不是我订|不是我訂|货不对|貨不對)"
        ),
    ),
    (
        # the whole parcel gone missing is not an item missing from it
        "not_received",
        re.compile(
            r"(?<![a-z])(?:parcel|package|order|delivery|box|shipment)(?:'s| has| is|) "
            r"(?:gone |been |)(?:missing|lost|stolen)"
        ),
    ),
    (
        "missing_item",
        re.compile(
            r"(?<![a-z])(?:missing|wasn'?t in|weren'?t in|not in the (?:box|parcel|package)|"
            r"left out|only (?:got|came|received)|short by)|"
            r"(?:누락|빠져|빠졌|빠진|안 들어|안들어|없었어|하나가 없|하나만 왔|"
            r"少了|少发|少發|漏发|漏發|缺了|缺少|没有在里面|只收到)"
        ),
    ),
    (
        "not_received",
        re.compile(
            r"(?<![a-z])(?:never (?:arrived|came|got|received|turned up|reached)|"
            r"not (?:received|arrived|delivered to me)|"
            r"did ?n'?t (?:get|receive|arrive|come)|have ?n'?t (?:got|received)|"
            r"says delivered|said delivered|marked (?:as )?delivered|shows delivered|"
            r"stolen|nothing (?:arrived|came)|lost)|"
            r"(?:못 받|못받|안 왔|안왔|받은 적|받은 게 없|배송 ?완료|배달 ?완료|분실|도난|"
            r"没收到|沒收到|没有收到|沒有收到|签收|簽收|丢了|丟了|被偷|没到|沒到|显示送达|顯示送達)"
        ),
    ),
)
_NUMBER = re.compile(r"(?<![\d.])([1-9])(?![\d.])")


def payload(kind: str, value: str) -> str:
    """A button payload that answers a question of the form, whatever the NLU makes of it."""
    return "/inform" + json.dumps({"return_choice": f"{kind}:{value}"}, separators=(",", ":"))


def kind_in(words: object) -> Optional[str]:
    """The kind of problem a message names: a button's choice, or the customer's words."""
    picked = choice(words, KIND)
    if picked is not None:
        return picked if picked in KINDS else None
    if not isinstance(words, str) or len(words) > 1000:
        return None
    lowered = words.lower().replace("’", "'")
    for kind, pattern in _WORDS:
        if pattern.search(lowered):
            return kind
    return None


def kind_in_any(messages: Iterable[str]) -> Optional[str]:
    """The kind the newest message naming one names (a later answer overrides a first guess)."""
    for message in messages:
        found = kind_in(message)
        if found is not None:
            return found
    return None


def item_in(
    words: object, items: Sequence[OrderItem], by_position: bool = True
) -> Optional[OrderItem]:
    """The one item a message names: a button's choice, its name, or (``by_position``, for an
    answer to the question) its number in the list it showed ("2"); None when it names none
    or several."""
    picked = choice(words, ITEM)
    if picked is not None:
        return next((i for i in items if picked.isdigit() and i.id == int(picked)), None)
    if not isinstance(words, str) or len(words) > 300 or not items:
        return None
    named = parse_items(words, [ItemCheck(i, i.quantity) for i in items], loose=False)
    if named:
        ids = set(named)
        found = [i for i in items if i.id in ids]
        return found[0] if len(found) == 1 else None
    positions = {int(n) for n in _NUMBER.findall(words)} if by_position else set()
    if len(positions) == 1:
        [position] = positions
        if 1 <= position <= len(items):
            return items[position - 1]
    return None


def photo_in(metadata: object) -> Optional[str]:
    """The reference of the newest image a message's metadata carries (infra/uploads.py)."""
    if not isinstance(metadata, Mapping):
        return None
    found = metadata.get("attachments")
    if not isinstance(found, list):
        return None
    for attachment in reversed(found):
        if not isinstance(attachment, Mapping):
            continue
        path = attachment.get("path")
        if attachment.get("kind") == "image" and is_reference(path):
            return str(path)
    return None


def ask_kind(number: str, lang: str) -> Reply:
    """ "What happened?", with a button per kind of problem."""
    buttons = tuple(Button(text(f"problem_kind_{k}", lang), payload(KIND, k)) for k in KINDS)
    return Reply("utter_ask_problem_kind", {"order_number": number}, buttons)


def ask_item(number: str, items: Sequence[OrderItem], lang: str) -> Reply:
    """ "Which item?", the items numbered, with a button each."""
    listing = "\n".join(
        f"{n}. {i.product_name}" + (f" ×{i.quantity}" if i.quantity > 1 else "")
        for n, i in enumerate(items, start=1)
    )
    buttons = tuple(
        Button(f"{n}. {i.product_name}", payload(ITEM, str(i.id)))
        for n, i in enumerate(items, start=1)
    )
    return Reply("utter_ask_problem_item", {"order_number": number, "items": listing}, buttons)


def needs_item(kind: Any) -> bool:
    return kind in ITEM_KINDS
