"""The library warnings Baton's servers silence, in one place.

Every one of these is a deprecation inside a pinned dependency (Rasa 3.6's own stack): nothing a
shop can act on, printed by every server at every start, and burying the lines that matter
(`make run` printed a dozen of them before the "Baton is running" summary). Each is ignored by
module and message, so a new warning — from our code or after a dependency upgrade — is still
shown. :func:`silence_known_warnings` is called first thing by each server's entry point
(bot/server.py, bot/action_server.py).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownWarning:
    """A warning to ignore: ``message`` and ``module`` are regular expressions matched at the
    start of the warning's text and of the module it is attributed to (``warnings`` rules)."""

    message: str
    module: str = ""
    category: type[Warning] = DeprecationWarning


KNOWN_WARNINGS: tuple[KnownWarning, ...] = (
    # sanic_cors (rasa-sdk, Rasa) compares versions with distutils
    KnownWarning("distutils Version classes are deprecated", r"sanic_cors\."),
    # apscheduler (Rasa's lock and reminders) and zhconv (our Chinese NLU) import pkg_resources
    KnownWarning("pkg_resources is deprecated as an API"),
    # ... which then complains about namespace packages (mpl_toolkits, ruamel) on its own import
    KnownWarning(r"Deprecated call to `pkg_resources\.declare_namespace", "pkg_resources"),
    # TensorFlow 2.12's lite module imports a jax API that jax has deprecated
    KnownWarning(r"jax\.xla_computation is deprecated", r"tensorflow\."),
    # matplotlib (imported by Rasa) still uses pyparsing's camelCase names
    KnownWarning(".*deprecated - use", r"matplotlib\."),
    # Rasa's SQL tracker store builds its URL the SQLAlchemy 1.3 way
    KnownWarning(r"Calling URL\(\) directly is deprecated", r"rasa\.core\.tracker_store"),
    # ... and its declarative base the 1.x way (SQLAlchemy's MovedIn20Warning)
    KnownWarning("Deprecated API features detected", r"rasa\.core\.tracker_store"),
    # Rasa 3.6 reminds of a 3.0 change each time it reads a domain
    KnownWarning("Slot auto-fill has been removed in 3.0", category=UserWarning),
    # a float passed to random.randint inside Rasa's model loading
    KnownWarning(r"non-integer arguments to randrange\(\)", "random"),
    # an old-style import hook in a dependency (Python 3.12 removes load_module)
    KnownWarning(r"the load_module\(\) method is deprecated", category=Warning),
)


def silence_known_warnings() -> None:
    """Ignore :data:`KNOWN_WARNINGS`; idempotent.

    Sanic, when imported, puts a "show every DeprecationWarning once" rule in front of all
    others; importing it first lets ours go in front of that one, so they keep working whatever
    imports Sanic later (Rasa and rasa-sdk both do).
    """
    import sanic  # noqa: F401 - see above

    for known in KNOWN_WARNINGS:
        warnings.filterwarnings(
            "ignore", message=known.message, category=known.category, module=known.module
        )
