"""Rendering in one place: what the dialogue says, shown the way each channel's people expect.

Actions and domain responses say *what* to show — text, buttons ``{title, payload}``, an
image, a custom payload — and never check the channel. The connectors pass a
turn's messages (as Rasa hands them to an output channel) to a function here:

* :func:`render_whatsapp` — one WhatsApp message per turn where possible (separate messages
  may arrive out of order), buttons as a numbered list the customer answers by number or in
  words (:func:`pick_option`), texts over 1,600 characters split at paragraph, line, sentence
  or word boundaries, images sent as media;
* :func:`render_slack` — Block Kit: ``section`` blocks in mrkdwn, buttons as an ``actions``
  block whose values are the payloads, images as ``image`` blocks.

A custom payload may carry a channel's own form (``{"whatsapp": {"body", "media_url"}}``,
``{"slack": {"blocks": [...]}}``) or a plain ``{"text": ...}``.

The few words added here ("Reply with a number…", "You chose") follow the language of the
turn they belong to: the bot already answered in the customer's language, so its own text
says which (:func:`language_of`) without threading the slot through every channel.

Each channel's rendering is a module of its own (:mod:`connectors.render_for_whatsapp`,
:mod:`connectors.render_for_slack`; what they share: :mod:`connectors.render_common`); every
name is importable from here.
"""

from __future__ import annotations

from connectors.render_common import (
    Option,
    SlackPost,
    WhatsAppMessage,
    WhatsAppTurn,
    language_of,
    options_of,
    split_text,
)
from connectors.render_for_slack import (
    SLACK_BUTTON_TEXT_MAX,
    SLACK_BUTTON_VALUE_MAX,
    SLACK_MAX_BLOCKS,
    SLACK_MAX_BUTTONS,
    SLACK_SECTION_MAX_CHARS,
    chosen_blocks,
    render_slack,
    slack_escape,
    slack_mrkdwn,
)
from connectors.render_for_whatsapp import (
    WHATSAPP_MAX_CHARS,
    numbered,
    pick_option,
    render_whatsapp,
    whatsapp_text,
)

__all__ = [
    "SLACK_BUTTON_TEXT_MAX",
    "SLACK_BUTTON_VALUE_MAX",
    "SLACK_MAX_BLOCKS",
    "SLACK_MAX_BUTTONS",
    "SLACK_SECTION_MAX_CHARS",
    "WHATSAPP_MAX_CHARS",
    "Option",
    "SlackPost",
    "WhatsAppMessage",
    "WhatsAppTurn",
    "chosen_blocks",
    "language_of",
    "numbered",
    "options_of",
    "pick_option",
    "render_slack",
    "render_whatsapp",
    "slack_escape",
    "slack_mrkdwn",
    "split_text",
    "whatsapp_text",
]
