"""Intent, entity, slot and action names in one place.

The NLU names are part of Baton's public surface (docs/architecture.md, "Names that must stay
stable"); ``make validate`` checks that domain.yml and the data use exactly these.
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
# handoff: a complaint or angry message; a 1–5 rating after an agent closes
COMPLAIN: Final = "complain"
RATE: Final = "rate"
# languages: "English please", "한국어로 해주세요", "请说中文"
CHANGE_LANGUAGE: Final = "change_language"
# Shop topics next to Baton's own: recognised so they are never taken for an order question,
# answered from the shop's information file (policy/shop_topics.yml) and counted in analytics
# as "asked, not automated yet".
CANCEL_ORDER: Final = "cancel_order"
CHANGE_ORDER: Final = "change_order"
CHANGE_ADDRESS: Final = "change_address"
DELIVERY_OPTIONS: Final = "delivery_options"
PAYMENT: Final = "payment"
INVOICE: Final = "invoice"
DISCOUNT_CODE: Final = "discount_code"
ACCOUNT: Final = "account"
PRODUCT_QUESTION: Final = "product_question"
# a delivery problem: delivered but not received, an item missing, damaged or the wrong item
REPORT_PROBLEM: Final = "report_problem"
SHOP_TOPICS: Final = (
    CANCEL_ORDER,
    CHANGE_ORDER,
    CHANGE_ADDRESS,
    DELIVERY_OPTIONS,
    PAYMENT,
    INVOICE,
    DISCOUNT_CODE,
    ACCOUNT,
    PRODUCT_QUESTION,
)

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
    COMPLAIN,
    RATE,
    CHANGE_LANGUAGE,
    REPORT_PROBLEM,
    *SHOP_TOPICS,
)

# Entities
ENTITY_ORDER_NUMBER: Final = "order_number"
ENTITY_EMAIL: Final = "email"
ENTITY_POSTAL_CODE: Final = "postal_code"
ENTITY_RATING: Final = "rating"  # only in the rating buttons' payloads
ENTITY_RMA_NUMBER: Final = "rma_number"  # returns: "RMA-20001", found by a regex
ENTITY_RETURN_CHOICE: Final = "return_choice"  # returns: only in the buttons' payloads
ENTITY_LANGUAGE: Final = "language"  # en, ko, zh: from the script, or the language asked for
ENTITIES: Final = (
    ENTITY_ORDER_NUMBER,
    ENTITY_EMAIL,
    ENTITY_POSTAL_CODE,
    ENTITY_RATING,
    ENTITY_RMA_NUMBER,
    ENTITY_RETURN_CHOICE,
    ENTITY_LANGUAGE,
)

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
SLOT_LANGUAGE: Final = "language"  # en (initial), ko, zh: picks each response's variation
LANGUAGES: Final = ("en", "ko", "zh")

# Forms and actions
FORM_ORDER_STATUS: Final = "order_status_form"
ACTION_VALIDATE_ORDER_STATUS_FORM: Final = "validate_order_status_form"
ACTION_ASK_ORDER_NUMBER: Final = "action_ask_order_number"
ACTION_ORDER_STATUS: Final = "action_order_status"
ACTION_SESSION_START: Final = "action_session_start"
ACTION_SHOP_TOPIC: Final = "action_shop_topic"  # answers a shop topic from policy/shop_topics.yml

# --- cancelling an order (actions/cancel.py) ----------------------------------------------
FORM_CANCEL: Final = "cancel_form"
SLOT_CANCEL_CONFIRMED: Final = "cancel_confirmed"
SLOT_CANCEL_ITEMS: Final = "cancel_items"
SLOT_CANCEL_CHOSEN: Final = "cancel_chosen"
ACTION_ASK_CANCEL_ITEMS: Final = "action_ask_cancel_items"
ACTION_VALIDATE_CANCEL_FORM: Final = "validate_cancel_form"
ACTION_ASK_CANCEL_CONFIRMED: Final = "action_ask_cancel_confirmed"
ACTION_CANCEL_ORDER: Final = "action_cancel_order"
ACTION_CANCEL_STOPPED: Final = "action_cancel_stopped"

# --- changing the delivery address (actions/address.py) -----------------------------------
FORM_ADDRESS: Final = "address_form"
SLOT_NEW_ADDRESS: Final = "new_address"  # the typed text; once checked, the address as a dict
SLOT_ADDRESS_CONFIRMED: Final = "address_confirmed"
SLOT_ADDRESS_ATTEMPTS: Final = "address_attempts"  # unusable addresses typed so far
SLOT_ADDRESS_OUTCOME: Final = "address_outcome"  # "too_many_attempts" ends the form early
ACTION_ADDRESS_STOPPED: Final = "action_address_stopped"
SLOT_ADDRESS_PROBLEM: Final = "address_problem"  # why the last typed address was not usable
ACTION_ASK_NEW_ADDRESS: Final = "action_ask_new_address"
ACTION_VALIDATE_ADDRESS_FORM: Final = "validate_address_form"
ACTION_ASK_ADDRESS_CONFIRMED: Final = "action_ask_address_confirmed"
ACTION_CHANGE_ADDRESS: Final = "action_change_address"

# --- reporting a delivery problem (actions/problems.py) -----------------------------------
FORM_PROBLEM: Final = "problem_form"
SLOT_PROBLEM_KIND: Final = "problem_kind"  # not_received, missing_item, damaged, wrong_item
SLOT_PROBLEM_ITEM: Final = "problem_item"  # the order item's id, as text
SLOT_PROBLEM_PHOTO: Final = "problem_photo"  # the upload's reference, uploads/<folder>/<file>
SLOT_PROBLEM_CONFIRMED: Final = "problem_confirmed"
ACTION_VALIDATE_PROBLEM_FORM: Final = "validate_problem_form"
ACTION_ASK_PROBLEM_KIND: Final = "action_ask_problem_kind"
ACTION_ASK_PROBLEM_ITEM: Final = "action_ask_problem_item"
ACTION_ASK_PROBLEM_PHOTO: Final = "action_ask_problem_photo"
ACTION_ASK_PROBLEM_CONFIRMED: Final = "action_ask_problem_confirmed"
ACTION_REPORT_PROBLEM: Final = "action_report_problem"
ACTION_PROBLEM_STOPPED: Final = "action_problem_stopped"

# Message metadata keys every connector sets (connectors/identity.py)
META_CHANNEL: Final = "channel"
META_CHANNEL_USER_ID: Final = "channel_user_id"
META_DISPLAY_NAME: Final = "display_name"
META_CUSTOMER_ID: Final = "customer_id"
# Identity a connector verified, resolved to a customer by action_session_start:
# a Twilio-signed WhatsApp sender's number (E.164) and a Slack user's e-mail (users.info).
META_VERIFIED_PHONE: Final = "verified_phone"
META_VERIFIED_EMAIL: Final = "verified_email"
# A keyed hash of the web chat visitor's address, set only by connectors/webchat.py: the
# ownership lockout counts failures per client as well as per conversation. WhatsApp and Slack
# send none; there the conversation id already is the sender.
META_CLIENT_KEY: Final = "client_key"

# --- handoff -----------------------------------------------------------------------------
SLOT_HANDOFF_TICKET: Final = "handoff_ticket_id"
SLOT_HANDOFF_REASON: Final = "handoff_reason"  # set by whatever wants a person to take over
SLOT_HANDOFF_AGENT: Final = "handoff_agent_name"
SLOT_CSAT_RATING: Final = "csat_rating"
ACTION_HANDOFF: Final = "action_handoff"
ACTION_CSAT_RATING: Final = "action_csat_rating"
ACTION_CSAT_COMMENT: Final = "action_csat_comment"
UTTER_ASK_CSAT_RATING: Final = "utter_ask_csat_rating"
UTTER_TECHNICAL_PROBLEM_OFFER: Final = "utter_technical_problem_offer"

# --- returns and refunds -----------------------------------------------------------------
SLOT_RETURN_ORDER: Final = "return_order_number"
SLOT_RETURN_ITEMS: Final = "return_items"
SLOT_RETURN_REASON: Final = "return_reason"
SLOT_RETURN_REASON_NOTE: Final = "return_reason_note"
SLOT_RETURN_METHOD: Final = "return_method"
SLOT_RETURN_PLACE: Final = "return_place"
SLOT_RETURN_STORE: Final = "return_store"
SLOT_RETURN_REFUND_METHOD: Final = "return_refund_method"
SLOT_RETURN_CONFIRMED: Final = "return_confirmed"
SLOT_RETURN_OUTCOME: Final = "return_outcome"
SLOT_RETURN_ASSESSED_ORDER: Final = "return_assessed_order"
SLOT_LAST_RMA: Final = "last_rma"
SLOT_REFUND_REFERENCE: Final = "refund_reference"
# how a self-service flow ended (actions/services/outcomes.py), for the analytics
SLOT_FLOW_OUTCOME: Final = "flow_outcome"
# the forms whose activation starts a self-service flow, and the flow's name in its outcome
FLOW_FORMS: Final = {"cancel_form": "cancel", "address_form": "address", "problem_form": "claim"}
# the answers of the return form, in the order it asks for them (verification_value aside)
RETURN_ANSWERS: Final = (
    SLOT_RETURN_ITEMS,
    SLOT_RETURN_REASON,
    SLOT_RETURN_REASON_NOTE,
    SLOT_RETURN_METHOD,
    SLOT_RETURN_PLACE,
    SLOT_RETURN_STORE,
    SLOT_RETURN_REFUND_METHOD,
    SLOT_RETURN_CONFIRMED,
)
FORM_RETURN: Final = "return_form"
FORM_REFUND_STATUS: Final = "refund_status_form"
ACTION_VALIDATE_RETURN_FORM: Final = "validate_return_form"
ACTION_ASK_RETURN_ORDER: Final = "action_ask_return_order_number"
ACTION_ASK_RETURN_ITEMS: Final = "action_ask_return_items"
ACTION_ASK_RETURN_REASON: Final = "action_ask_return_reason"
ACTION_ASK_RETURN_METHOD: Final = "action_ask_return_method"
ACTION_ASK_RETURN_STORE: Final = "action_ask_return_store"
ACTION_ASK_RETURN_REFUND_METHOD: Final = "action_ask_return_refund_method"
ACTION_ASK_RETURN_CONFIRMED: Final = "action_ask_return_confirmed"
ACTION_SUBMIT_RETURN: Final = "action_submit_return"
ACTION_CANCEL_RETURN: Final = "action_cancel_return"
ACTION_RETURN_TO_PERSON: Final = "action_return_to_person"
ACTION_RETURN_POLICY: Final = "action_return_policy"
ACTION_VALIDATE_REFUND_STATUS_FORM: Final = "validate_refund_status_form"
ACTION_ASK_REFUND_REFERENCE: Final = "action_ask_refund_reference"
ACTION_REFUND_STATUS: Final = "action_refund_status"
