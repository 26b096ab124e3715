"""Links to printable return labels that cannot be guessed.

The label page (``GET /returns/labels/<rma>?t=<token>`` on the Rasa server, see
connectors/labels.py) shows a name and a home address, and RMA numbers are sequential, so
the link carries an HMAC of the RMA: only a link Baton handed out opens a label. Both
servers read the secret from ``RETURN_LABEL_SECRET``; in local mode one is generated once
and kept under ``var/secrets``, where both find it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "RETURN_LABEL_SECRET"  # noqa: S105 - the variable's name, not its value
LABEL_PATH = "/returns/labels/"


def label_secret() -> str:
    """The signing secret: the environment's, or the local one (created once, mode 0600)."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return value
    var_dir = Path(os.environ.get("BATON_VAR_DIR", ROOT / "var"))
    path = var_dir / "secrets" / SECRET_ENV.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # the other server made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def label_token(rma: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"label:{rma}".encode(), hashlib.sha256).hexdigest()[:32]


def token_is_valid(rma: str, token: object, secret: str) -> bool:
    if not isinstance(token, str) or len(token) != 32:
        return False
    return hmac.compare_digest(label_token(rma, secret), token)


def label_url(public_url: str, rma: str, secret: str) -> str:
    base = public_url.rstrip("/")
    return f"{base}{LABEL_PATH}{quote(rma)}?t={label_token(rma, secret)}"


def public_url() -> str:
    return os.environ.get("PUBLIC_URL", "http://localhost:5005")
