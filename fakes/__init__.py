"""Local fakes of the Twilio and Slack APIs, for tests and for trying Baton without accounts.

Each is a small aiohttp server on loopback that answers the calls Baton makes the way the real
API does (same paths, same wire format, same error shapes) and records them, and that can play
the customer: it builds the webhook the real platform would send, signs it with the real SDK,
and posts it to Baton. Each has a page at ``/`` to chat through it in a browser.

    python -m fakes.twilio --port 5101     # WhatsApp through Twilio
    python -m fakes.slack --port 5102      # Slack
    BATON_FAKE_CHANNELS=1 make run         # Baton with both fakes, ready to try

Inspection endpoints live under ``/_fake/`` (see each module).
"""
