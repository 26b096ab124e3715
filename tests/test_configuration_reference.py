"""docs/configuration.md lists every environment variable Baton reads, and nothing else.

The source is scanned, not imported, so no model or server is needed. A name counts as an
environment variable when the code names it as a string in the shape of one
(``"UPPER_CASE_WITH_UNDERSCORES"``: every variable Baton reads, whether through
``os.environ``, a helper such as ``secret_from_env`` or ``bind_host``, or a list of names),
when it is read through ``os.environ`` / ``os.getenv`` under any name (``MPLBACKEND``), or
when a Rasa endpoints file substitutes it (``${NAME}``). Tests and benchmarks count only for
what they read through ``os.environ``.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path("docs") / "configuration.md"
ENV_EXAMPLE = Path(".env.example")

#: Where Baton's own code lives: every upper-case string in it that looks like a variable counts.
PACKAGES = (
    "actions",
    "analytics",
    "benchmarks",
    "bot",
    "connectors",
    "contracts",
    "fakes",
    "handoff",
    "infra",
)
#: Only what these read through os.environ counts (they hold many other upper-case strings).
READ_ONLY_SCANNED = ("tests",)
#: Rasa substitutes ${NAME} in these from the environment.
ENDPOINT_FILES = ("bot/*.yml",)

NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SUBSTITUTION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
DOCUMENTED_ROW = re.compile(r"^\|\s*(`[^|]+)\|", re.M)
BACKTICKED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")

#: Upper-case strings in the code that are not environment variables.
NOT_VARIABLES = {
    "HTTP_X_REAL_IP": "a WSGI-style key of the socket.io request environ (nginx's X-Real-IP)",
    "PG_VERSION": "a file in PostgreSQL's data directory",
}

#: Documented variables that no Baton code reads, because another program reads them.
READ_BY_OTHER_PROGRAMS = {
    "TICKET_LOCK_LIFETIME": "Rasa's lock store reads it",
}

#: Variables the code reads that .env.example does not offer, with the reason.
NOT_IN_ENV_EXAMPLE = {
    "TF_CPP_MIN_LOG_LEVEL": "Baton sets it for TensorFlow",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "Baton sets it for SQLAlchemy",
    "TF_DETERMINISTIC_OPS": "training sets it",
    "MPLBACKEND": "make report sets it",
    "SANIC_HOST": "the action server sets it from ACTION_HOST",
    "BATON_SERVICE": "each server sets it for its log lines",
    "BATON_REPLICA": "make run-prod sets it per replica",
    "NGINX_RASA_PORT": "nginx template placeholder",
    "NGINX_ACTIONS_PORT": "nginx template placeholder",
    "NGINX_HANDOFF_PORT": "nginx template placeholder",
    "RASA_1": "nginx template placeholder",
    "RASA_2": "nginx template placeholder",
    "ACTIONS_1": "nginx template placeholder",
    "ACTIONS_2": "nginx template placeholder",
    "HANDOFF_1": "nginx template placeholder",
    "HANDOFF_2": "nginx template placeholder",
    "BATON_FUZZ_EXAMPLES": "tests only",
    "BATON_SCREENSHOTS": "tests only",
}


#: Files that speak a commerce platform's API: their upper-case strings are the platform's enum
#: values (Shopify's ``OUT_FOR_DELIVERY``, ``SHOPIFY_PAY``), so only what they read through
#: os.environ counts.
PLATFORM_VOCABULARY = (
    "actions/shop/shopify*.py",
    "fakes/shopify*.py",
)


def _platform_vocabulary(root: Path) -> set[Path]:
    return {p for pattern in PLATFORM_VOCABULARY for p in root.glob(pattern)}


def _exported_names(tree: ast.AST) -> set[str]:
    """Strings in ``__all__``: the module's own names, not variables."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return names


def _python_files(root: Path, folders: tuple[str, ...]) -> list[Path]:
    return sorted(p for folder in folders for p in (root / folder).rglob("*.py"))


def _is_environ(node: ast.expr) -> bool:
    """``os.environ`` (a parameter called ``environ`` may be a request's, not the process's)."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def environ_reads(tree: ast.AST) -> set[str]:
    """Names read (or set) through os.environ[...], os.environ.get/setdefault/pop, getenv."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _literal(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            func = node.func
            reads = func.attr in ("get", "setdefault", "pop") and _is_environ(func.value)
            if not (reads or func.attr == "getenv"):
                continue
            name = _literal(node.args[0])
        else:
            continue
        if name and IDENTIFIER.fullmatch(name):
            names.add(name)
    return names


def variable_shaped_strings(tree: ast.AST) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and NAME.fullmatch(node.value)
    }


def variables_read(root: Path = ROOT) -> dict[str, set[str]]:
    """Every environment variable the code reads, with the files that name it."""
    return _variables_read(root)


@functools.cache  # the repository is scanned once for all the checks (seconds on two cores)
def _variables_read(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def add(names: set[str], path: Path) -> None:
        for name in names - NOT_VARIABLES.keys():
            found.setdefault(name, set()).add(str(path.relative_to(root)))

    vocabulary = _platform_vocabulary(root)
    for path in _python_files(root, PACKAGES):
        tree = ast.parse(path.read_text(), filename=str(path))
        shaped = set() if path in vocabulary else variable_shaped_strings(tree)
        add((shaped - _exported_names(tree)) | environ_reads(tree), path)
    for path in _python_files(root, READ_ONLY_SCANNED):
        add(environ_reads(ast.parse(path.read_text(), filename=str(path))), path)
    for pattern in ENDPOINT_FILES:
        for path in sorted(root.glob(pattern)):
            text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
            add(set(SUBSTITUTION.findall(text)), path)
    return found


def documented(root: Path = ROOT) -> list[str]:
    """The variables in the first column of the reference's tables (repeats kept)."""
    text = (root / REFERENCE).read_text()
    names: list[str] = []
    for first_cell in DOCUMENTED_ROW.findall(text):
        names.extend(n for n in BACKTICKED.findall(first_cell) if n not in ("variable",))
    return names


def env_example_names(root: Path = ROOT) -> set[str]:
    """Names set in .env.example, including commented-out ones (``# NAME=value``)."""
    text = (root / ENV_EXAMPLE).read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def missing_from_reference(root: Path = ROOT) -> dict[str, set[str]]:
    listed = set(documented(root))
    return {name: files for name, files in variables_read(root).items() if name not in listed}


# --- the checks ------------------------------------------------------------------------------


def test_the_scan_finds_variables_read_in_every_way() -> None:
    """The scanner itself: a direct read, a helper's argument, a list of names, ${NAME}."""
    found = variables_read()
    assert "STORE_DATABASE_URL" in found  # os.environ.get("STORE_DATABASE_URL")
    assert "HANDOFF_SERVICE_TOKEN" in found  # secret_from_env("HANDOFF_SERVICE_TOKEN")
    assert "RASA_HOST" in found  # bind_host("RASA_HOST")
    assert "RETENTION_EVENTS_DAYS" in found  # _days(e, "RETENTION_EVENTS_DAYS", None)
    assert "MPLBACKEND" in found  # os.environ.setdefault, no underscore
    assert "BATON_REQUIRE_SERVICES" in found  # read by the tests' own support code
    assert "ACTION_SERVER_URL" in {
        n for n, files in found.items() if "bot/endpoints.yml" in files
    }  # ${ACTION_SERVER_URL}
    assert not found.keys() & NOT_VARIABLES.keys()


def test_every_variable_the_code_reads_is_in_the_reference() -> None:
    missing = missing_from_reference()
    assert not missing, (
        "add these to docs/configuration.md (name, default, who reads it, meaning) and to "
        ".env.example: " + "; ".join(f"{n} ({', '.join(sorted(f))})" for n, f in missing.items())
    )


def test_the_reference_lists_nothing_the_code_does_not_read() -> None:
    read = variables_read().keys() | READ_BY_OTHER_PROGRAMS.keys()
    stale = sorted(set(documented()) - read)
    assert not stale, f"docs/configuration.md lists variables nothing reads: {stale}"


def test_each_variable_has_one_row() -> None:
    names = documented()
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert not repeated, repeated


def test_every_variable_a_shop_may_set_is_in_env_example() -> None:
    offered = env_example_names()
    wanted = (variables_read().keys() | READ_BY_OTHER_PROGRAMS.keys()) - NOT_IN_ENV_EXAMPLE.keys()
    missing = sorted(wanted - offered)
    assert not missing, f".env.example lacks (add it with a comment): {missing}"
    for name in NOT_IN_ENV_EXAMPLE:
        assert name in set(documented()), f"{name} is excused from .env.example but not documented"


def test_a_new_variable_without_docs_fails(tmp_path: Path) -> None:
    """The check is real: a copy of the source that reads one more variable does not pass."""
    for folder in PACKAGES:
        (tmp_path / folder).mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / REFERENCE).write_text((ROOT / REFERENCE).read_text())
    (tmp_path / "bot" / "new_setting.py").write_text(
        'import os\n\nLIMIT = int(os.environ.get("BATON_SOMETHING_NEW", "3"))\n'
        'TIMEOUT = float(os.getenv("HANDOFFTIMEOUTX") or 1)\n'
    )
    assert set(missing_from_reference(tmp_path)) == {"BATON_SOMETHING_NEW", "HANDOFFTIMEOUTX"}
