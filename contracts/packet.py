"""The context packet: everything an agent needs so the customer never repeats themselves.

Sent with every handoff — by ``action_handoff`` on the action server, or by the Rasa server
itself when the action server is down (connectors/failsafe.py) — and stored with the ticket
as JSON. The handoff service, its console and its Slack cards read it through
:class:`ContextPacket`, never by string keys.

* :func:`build_packet` is the one way to make a packet. It takes each part either typed or
  as the plain dict a producer made, and fails only without a conversation id: a part (or
  one field of it) that does not fit is left out and named in ``notes``, so a person still
  gets the rest — and what it returns always passes :func:`parse_packet`.
* :func:`parse_packet` is what the handoff service runs on receipt: strict. A packet of
  another version or with a value of the wrong type raises :class:`PacketError` naming
  where (never the value: packets are full of personal data), which the route answers
  with HTTP 400 and that reason. A packet without ``version`` is read as version 1: the
  shape it had before the field existed.
* :meth:`ContextPacket.from_stored` reads what is in the database, leniently: any stored
  packet, of any age and even ``{}``, renders with what can be read.
* :meth:`ContextPacket.to_dict` / :meth:`to_json` give the wire and storage shape, the same
  keys as ever; keys this version does not know are kept at the top level.

Versions: adding an optional field does not change the version (readers ignore what they do
not know, and the stored JSON keeps it); renaming, removing or retyping one does, and the
handoff service must then read both versions before any producer sends the new one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, TypeVar

from contracts.typed_json import BAD, OMIT_NONE, REQUIRED, read_object, read_value, to_plain

#: The version this code writes.
PACKET_VERSION = 1
#: The versions the handoff service accepts.
SUPPORTED_VERSIONS = (1,)

# Field metadata (contracts/typed_json.py): REQUIRED — strict reading refuses a packet
# without the key; OMIT_NONE — left out of the JSON when None (only ever sent when set).

_T = TypeVar("_T")

#: Why a conversation was handed off: ``reason.code`` (the console shows the text).
REASONS = {
    "customer_asked": "The customer asked for a person",
    "misunderstood": "The bot misunderstood the customer twice in a row",
    "complaint": "Complaint or angry message",
    "policy": "A case the policy leaves to a person",
    "action_failed": "Something failed on our side while the bot was helping",
    "shop_unavailable": "The shop's order system could not be reached",
    "action_server_down": "The bot's action server could not be reached",
    "verification_locked": "The customer could not prove ownership of an order",
    "shop_topic": "A shop question the bot cannot settle itself yet",
    "address_change_after_dispatch": "A new delivery address for an order already on its way",
    "address_unusable": "The customer's new delivery address could not be used",
}


def reason_text(code: str) -> str:
    return REASONS.get(code, code.replace("_", " ").capitalize())


class PacketError(ValueError):
    """A context packet that cannot be accepted; ``str()`` is the reason for the sender."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(shown + more)


# --- the parts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why the bot handed off: a code (handoff/domain.py ``REASONS``) and its words."""

    code: str = "customer_asked"
    text: str = ""


@dataclass(frozen=True)
class Language:
    """The language the customer writes in (the console offers its canned replies)."""

    code: str = "en"
    name: Optional[str] = None


@dataclass(frozen=True)
class Conversation:
    """Channel, who, and the timing of this conversation."""

    id: str = field(default="", metadata=REQUIRED)
    channel: str = "unknown"
    channel_user_id: Optional[str] = None
    display_name: Optional[str] = None
    started_at: Optional[str] = None
    first_message_at: Optional[str] = None
    requested_at: Optional[str] = None
    in_conversation_seconds: int = 0


@dataclass(frozen=True)
class Identity:
    """One channel identity linked to the customer."""

    channel: Optional[str] = None
    id: Optional[str] = None
    note: Optional[str] = None
    current: Optional[bool] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class Customer:
    """The shop's profile (null in the packet when the customer is anonymous)."""

    id: Optional[str] = None
    name: Optional[str] = None
    first_name: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    postal_code: Optional[str] = None
    identities: list[Identity] = field(default_factory=list)


@dataclass(frozen=True)
class Address:
    line1: Optional[str] = None
    line2: Optional[str] = None
    city: Optional[str] = None
    postal_code: Optional[str] = None
    country: Optional[str] = None


@dataclass(frozen=True)
class OrderItem:
    sku: Optional[str] = None
    name: Optional[str] = None
    category: Optional[str] = None
    quantity: int = 0
    unit_price: Optional[str] = None  # money as the shop shows it: "49.00 EUR"
    final_sale: bool = False


@dataclass(frozen=True)
class ItemCount:
    name: Optional[str] = None
    quantity: int = 0


@dataclass(frozen=True)
class TrackingEvent:
    at: Optional[str] = None
    status: Optional[str] = None
    description: Optional[str] = None
    location: Optional[str] = None


@dataclass(frozen=True)
class Shipment:
    carrier: Optional[str] = None
    tracking_number: Optional[str] = None
    tracking_url: Optional[str] = None
    status: Optional[str] = None
    shipped_at: Optional[str] = None
    estimated_delivery: Optional[str] = None
    delivered_at: Optional[str] = None
    delivered_to: Optional[str] = None
    contents: list[ItemCount] = field(default_factory=list)
    events: list[TrackingEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Order:
    """One order with items, totals (as text with the currency), state and parcels."""

    number: str = ""
    verified: bool = False
    status: Optional[str] = None
    placed_at: Optional[str] = None
    paid_at: Optional[str] = None
    currency: Optional[str] = None
    subtotal: Optional[str] = None
    shipping_fee: Optional[str] = None
    total: Optional[str] = None
    payment_status: Optional[str] = None
    payment_method: Optional[str] = None
    expected_dispatch: Optional[str] = None
    promised_delivery: Optional[str] = None
    cancelled_at: Optional[str] = None
    cancellation_reason: Optional[str] = None
    refunded_at: Optional[str] = None
    shipping_address: Optional[Address] = None
    items: list[OrderItem] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    #: The delivery address was last changed then (ISO time, UTC) by this ("customer via
    #: chat"); left out when it never was. Optional, so version 1 still reads it.
    address_changed_at: Optional[str] = field(default=None, metadata=OMIT_NONE)
    address_changed_by: Optional[str] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class ReturnLabel:
    carrier: Optional[str] = None
    tracking_url: Optional[str] = None


@dataclass(frozen=True)
class ReturnRefund:
    amount: Optional[str] = None
    to: Optional[str] = None
    refunded_at: Optional[str] = None


@dataclass(frozen=True)
class Return:
    rma: Optional[str] = None
    order_number: Optional[str] = None
    status: Optional[str] = None
    reason: Optional[str] = None
    reason_note: Optional[str] = None
    method: Optional[str] = None
    refund_amount: Optional[str] = None
    created_at: Optional[str] = None
    items: list[ItemCount] = field(default_factory=list)
    label: Optional[ReturnLabel] = None
    refund: Optional[ReturnRefund] = None


@dataclass(frozen=True)
class Refund:
    """Money going back to the customer that the order records show."""

    order_number: Optional[str] = None
    amount: Optional[str] = None
    status: Optional[str] = None
    refunded_at: Optional[str] = None
    method: Optional[str] = None


@dataclass(frozen=True)
class Attachment:
    """A photo or file the customer sent: a reference the console resolves under ``uploads/``
    (untrusted: the handoff service checks it before reading a byte)."""

    kind: str = "file"
    content_type: Optional[str] = field(default=None, metadata=OMIT_NONE)
    path: Optional[str] = field(default=None, metadata=OMIT_NONE)
    bytes: Optional[int] = field(default=None, metadata=OMIT_NONE)
    sha256: Optional[str] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class Claim:
    """A delivery problem the customer claimed in the chat, and where the shop is with it.

    ``number`` and ``order_number`` are required: an agent quotes the one and opens the other,
    and an entry with neither cannot be told apart from the next. The photo is a reference
    the console resolves like a transcript line's, never the file; ``photo_attached`` says a
    photo exists even when ``photo`` is left out (an order whose ownership is not proven)."""

    number: str = field(default="", metadata=REQUIRED)  # "CLM-30001"
    order_number: str = field(default="", metadata=REQUIRED)
    kind: Optional[str] = None  # not_received, missing_item, damaged, wrong_item
    item: Optional[str] = None  # the item's name; None for a whole parcel not received
    quantity: Optional[int] = None
    remedy: Optional[str] = None  # replacement, refund
    amount: Optional[str] = None  # money as the shop shows it: "£14.72"
    state: Optional[str] = None  # open, awaiting_return, settled, rejected
    created_at: Optional[str] = None
    photo_attached: bool = False
    photo: Optional[Attachment] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class TranscriptLine:
    """One message of this conversation: ``sender`` is user, bot or agent."""

    sender: str = "user"
    text: str = ""
    at: Optional[str] = None
    intent: Optional[str] = field(default=None, metadata=OMIT_NONE)
    confidence: Optional[float] = field(default=None, metadata=OMIT_NONE)
    agent_name: Optional[str] = field(default=None, metadata=OMIT_NONE)
    buttons: Optional[list[Optional[str]]] = field(default=None, metadata=OMIT_NONE)
    attachments: Optional[list[Attachment]] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class RecentMessage:
    sender: str = "user"
    text: str = ""
    at: Any = None  # the tracker event's timestamp, as stored
    agent_name: Optional[str] = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class RecentConversation:
    """Another recent conversation of the customer, any channel, with its last messages."""

    conversation_id: str = ""
    channel: str = "unknown"
    last_at: Any = None
    messages: list[RecentMessage] = field(default_factory=list)


@dataclass(frozen=True)
class RankedIntent:
    intent: Optional[str] = None
    confidence: Optional[float] = None


@dataclass(frozen=True)
class EntityValue:
    entity: Optional[str] = None
    value: Any = None


@dataclass(frozen=True)
class IntentGuess:
    """What the NLU made of one customer message, with the runners-up."""

    text: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    ranking: list[RankedIntent] = field(default_factory=list)
    entities: list[EntityValue] = field(default_factory=list)


@dataclass(frozen=True)
class PolicyCase:
    """A case the returns policy recorded for a person in this conversation."""

    id: Optional[int] = None
    topic: Optional[str] = None
    reason: Optional[str] = None
    summary: Optional[str] = None
    order_number: Optional[str] = None
    details: Any = None
    created_at: Optional[str] = None


@dataclass(frozen=True)
class ContextPacket:
    """The whole packet. Field order is the JSON's key order."""

    version: int = PACKET_VERSION
    reason: Reason = field(default_factory=Reason)
    language: Optional[Language] = None
    conversation: Conversation = field(default_factory=Conversation, metadata=REQUIRED)
    customer: Optional[Customer] = None
    customer_identified: bool = False
    orders: list[Order] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    #: Delivery problems claimed for the orders above, newest first (optional: a packet
    #: without the key, stored or sent before claims existed, reads as none).
    claims: list[Claim] = field(default_factory=list)
    transcript: list[TranscriptLine] = field(default_factory=list)
    recent_conversations: list[RecentConversation] = field(default_factory=list)
    bot_knows: dict[str, Any] = field(default_factory=dict)
    intents: list[IntentGuess] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    policy_cases: list[PolicyCase] = field(default_factory=list)
    #: Top-level keys this version does not know, kept as they came (not a wire key itself).
    extra: dict[str, Any] = field(default_factory=dict, metadata={"wire": False})

    @property
    def language_code(self) -> str:
        return self.language.code if self.language is not None else "en"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_plain(self)
        return {**data, **{k: v for k, v in self.extra.items() if k not in data}}

    def to_json(self) -> str:
        # default=str: a producer's stray Decimal or datetime in bot_knows is still written
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: Any) -> ContextPacket:
        """Strict: the same as :func:`parse_packet`."""
        return parse_packet(data)

    @classmethod
    def from_json(cls, text: str) -> ContextPacket:
        try:
            data = json.loads(text)
        except ValueError:
            raise PacketError(["the context packet is not JSON"]) from None
        return parse_packet(data)

    @classmethod
    def from_stored(cls, data: Any) -> ContextPacket:
        """Lenient: whatever a stored packet holds that can be read (``{}`` gives defaults)."""
        packet, _ = _read_packet(data, strict=False)
        return packet


def _read_packet(data: Any, strict: bool) -> tuple[ContextPacket, list[str]]:
    problems: list[str] = []
    if not isinstance(data, Mapping):
        if strict:
            raise PacketError(["send the context packet as JSON"])
        return ContextPacket(), ["not an object"]
    version = data.get("version", 1)  # before the field existed, the shape was version 1
    if strict:
        if isinstance(version, bool) or not isinstance(version, int):
            raise PacketError(["the context packet's version is not a whole number"])
        if version not in SUPPORTED_VERSIONS:
            raise PacketError(
                [
                    f"context packet version {version} is not supported: this service reads "
                    + ", ".join(str(v) for v in SUPPORTED_VERSIONS)
                ]
            )
        conversation = data.get("conversation")
        if not isinstance(conversation, Mapping) or not conversation.get("id"):
            raise PacketError(["the context packet has no conversation id"])
    packet: ContextPacket = read_object(ContextPacket, data, "", problems)
    known = {f.name for f in dataclasses.fields(ContextPacket)} - {"extra"}
    extra = {str(k): v for k, v in data.items() if k not in known}
    packet = dataclasses.replace(packet, version=PACKET_VERSION, extra=extra)
    if strict and problems:
        raise PacketError(problems)
    return packet, problems


def parse_packet(data: Any) -> ContextPacket:
    """The packet a producer sent, or :class:`PacketError` saying why it cannot be accepted."""
    packet, _ = _read_packet(data, strict=True)
    return packet


def validate_packet(data: Any) -> list[str]:
    """What is wrong with a packet (empty when the handoff service would accept it)."""
    try:
        parse_packet(data)
    except PacketError as exc:
        return exc.problems
    return []


# --- writing -------------------------------------------------------------------------------


def _part(cls: type[_T], value: Any, path: str, problems: list[str]) -> Optional[_T]:
    if value is None or isinstance(value, cls):
        return value
    read = read_value(cls, value, path, problems)
    return None if read is BAD else read


def _parts(cls: type[_T], values: Iterable[Any], path: str, problems: list[str]) -> list[_T]:
    found = []
    for i, value in enumerate(values or []):
        read = _part(cls, value, f"{path}[{i}]", problems)
        if read is not None:
            found.append(read)
    return found


def build_packet(
    *,
    reason: str,
    reason_text: str,
    conversation: Conversation | Mapping[str, Any],
    language: Language | Mapping[str, Any] | None = None,
    customer: Customer | Mapping[str, Any] | None = None,
    orders: Iterable[Order | Mapping[str, Any]] = (),
    returns: Iterable[Return | Mapping[str, Any]] = (),
    refunds: Iterable[Refund | Mapping[str, Any]] = (),
    claims: Iterable[Claim | Mapping[str, Any]] = (),
    transcript: Iterable[TranscriptLine | Mapping[str, Any]] = (),
    recent_conversations: Iterable[RecentConversation | Mapping[str, Any]] = (),
    bot_knows: Optional[Mapping[str, Any]] = None,
    intents: Iterable[IntentGuess | Mapping[str, Any]] = (),
    notes: Iterable[str] = (),
    policy_cases: Iterable[PolicyCase | Mapping[str, Any]] = (),
) -> ContextPacket:
    """The packet every producer sends. Each part may be typed or a plain dict; a part (or an
    item of one) that does not fit the contract is left out and named in ``notes``."""
    problems: list[str] = []
    conv = _part(Conversation, conversation, "conversation", problems)
    if conv is None or not conv.id:
        raise ValueError("a context packet needs the conversation's id")
    who = _part(Customer, customer, "customer", problems)
    packet = ContextPacket(
        version=PACKET_VERSION,
        reason=Reason(code=reason, text=reason_text),
        language=_part(Language, language, "language", problems),
        conversation=conv,
        customer=who,
        customer_identified=who is not None,
        orders=_parts(Order, orders, "orders", problems),
        returns=_parts(Return, returns, "returns", problems),
        refunds=_parts(Refund, refunds, "refunds", problems),
        claims=_parts(Claim, claims, "claims", problems),
        transcript=_parts(TranscriptLine, transcript, "transcript", problems),
        recent_conversations=_parts(
            RecentConversation, recent_conversations, "recent_conversations", problems
        ),
        bot_knows=dict(bot_knows or {}),
        intents=_parts(IntentGuess, intents, "intents", problems),
        notes=[str(n) for n in notes],
        policy_cases=_parts(PolicyCase, policy_cases, "policy_cases", problems),
    )
    if problems:
        packet = dataclasses.replace(
            packet,
            notes=[
                *packet.notes,
                "Part of the context did not fit and was left out: " + "; ".join(problems[:5]),
            ],
        )
    return packet


def fallback_packet(packet: ContextPacket, refused: str) -> ContextPacket:
    """What a producer sends when the handoff service refused ``packet``: only the parts a
    ticket needs, so the conversation still reaches a person (with the reason noted)."""
    customer = packet.customer
    return ContextPacket(
        version=PACKET_VERSION,
        reason=packet.reason,
        language=packet.language,
        conversation=packet.conversation,
        customer=Customer(id=customer.id, name=customer.name) if customer else None,
        customer_identified=customer is not None,
        notes=[
            *packet.notes,
            f"The full context was refused by the handoff service ({refused}): only the "
            "conversation and the reason are here. Read the conversation's history.",
        ],
    )
