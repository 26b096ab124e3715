"""Intent, entity, slot and action names in one place.

The NLU names are part of Baton's public surface (DESIGN.md, "Names the NLU keeps stable");
``make validate`` checks that domain.yml and the data use exactly these.
"""

from __future__ import annotations

from typing import Final

# Intents
ORDER_STATUS: Final = "order_status"
RETURN_ITEM: Final = "return_item"
REFUND_STATUS: Final = "refund_status"
RETURN_POLICY: Final = "return_policy"
HUMAN_HANDOFF: Final = "human_handoff"
GREET: Final = "greet"
GOODBYE: Final = "goodbye"
AFFIRM: Final = "affirm"
DENY: Final = "deny"
THANK: Final = "thank"
BOT_CHALLENGE: Final = "bot_challenge"
INFORM: Final = "inform"
OUT_OF_SCOPE: Final = "out_of_scope"
NLU_FALLBACK: Final = "nlu_fallback"

INTENTS: Final = (
    ORDER_STATUS,
    RETURN_ITEM,
    REFUND_STATUS,
    RETURN_POLICY,
    HUMAN_HANDOFF,
    GREET,
    GOODBYE,
    AFFIRM,
    DENY,
    THANK,
    BOT_CHALLENGE,
    INFORM,
    OUT_OF_SCOPE,
)

# Entities
ENTITY_ORDER_NUMBER: Final = "order_number"
ENTITY_EMAIL: Final = "email"
ENTITY_POSTAL_CODE: Final = "postal_code"
ENTITIES: Final = (ENTITY_ORDER_NUMBER, ENTITY_EMAIL, ENTITY_POSTAL_CODE)

# Slots
SLOT_ORDER_NUMBER: Final = "order_number"
SLOT_VERIFICATION: Final = "verification_value"
SLOT_VERIFIED_ORDERS: Final = "verified_orders"
SLOT_ORDER_LOCKED: Final = "order_locked"
SLOT_CUSTOMER_ID: Final = "customer_id"
SLOT_CUSTOMER_NAME: Final = "customer_name"
SLOT_CUSTOMER_IDENTIFIED: Final = "customer_identified"
SLOT_CHANNEL: Final = "channel"
SLOT_LAST_ORDER: Final = "last_order_number"

# Forms and actions
FORM_ORDER_STATUS: Final = "order_status_form"
ACTION_VALIDATE_ORDER_STATUS_FORM: Final = "validate_order_status_form"
ACTION_ASK_ORDER_NUMBER: Final = "action_ask_order_number"
ACTION_ORDER_STATUS: Final = "action_order_status"
ACTION_SESSION_START: Final = "action_session_start"

# Message metadata keys every connector sets (connectors/identity.py)
META_CHANNEL: Final = "channel"
META_CHANNEL_USER_ID: Final = "channel_user_id"
META_DISPLAY_NAME: Final = "display_name"
META_CUSTOMER_ID: Final = "customer_id"
