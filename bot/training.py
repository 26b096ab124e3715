"""Train once per change: the model is named by a hash of everything that shapes it.

``models/baton-<hash>.tar.gz`` where the hash covers config.yml, domain.yml, every file under
data/, Baton's NLU components (bot/nlu/*.py) and the Rasa version. If that file exists, nothing
is retrained; `make run`, `make test` and the test session all share it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bot.console import detail, logs_dir, show_tail, shown, step
from bot.settings import ROOT, local_environment

MODELS = ROOT / "models"
KEEP_MODELS = 6


def training_inputs(root: Path = ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(
        p for p in (root / "data").rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml")
    )
    # Baton's own NLU components (tokenizer, language detector) shape the model too.
    files += sorted(p for p in (root / "bot" / "nlu").glob("*.py") if p.name != "e2e.py")
    return files


def model_hash(root: Path = ROOT) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa=={rasa.__version__}".encode())
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODELS / f"baton-{model_hash(root)}.tar.gz"


def _prune(keep: Path) -> None:
    models = sorted(MODELS.glob("baton-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP_MODELS:]:
        if old != keep:
            old.unlink(missing_ok=True)


def ensure_model(force: bool = False, quiet: bool = False) -> Path:
    """The trained model for the current data, training it only if it does not exist.

    Training holds a file lock per hash, so two sessions started together (`make run` beside a
    test run, or two test runs) train a given hash once and never read a half-written archive,
    while a `make run` whose model exists does not wait for another checkout's training of a
    different one (it used to, silently, for as long as that training took). ``quiet``
    (`make run`): Rasa's output goes to ``var/logs/train.log`` and the terminal gets a line per
    component trained; a failed training shows the end of that log and raises
    :class:`TrainingFailed`.
    """
    MODELS.mkdir(exist_ok=True)
    target = model_path()
    with open(MODELS / f".train-{target.name.removesuffix('.tar.gz')}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # say why nothing happens for minutes
            step("waiting for another training of this model (another checkout or test run)")
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _ensure_model_locked(target, force, quiet)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class TrainingFailed(RuntimeError):
    """`rasa train` exited with an error; its log says why."""


def train_command(target: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("rasa")),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]


def _ensure_model_locked(target: Path, force: bool, quiet: bool) -> Path:
    if target.exists() and not force:
        step(f"model up to date: {target.relative_to(ROOT)}")
        return target
    started = time.monotonic()
    env = local_environment()
    env.setdefault("TF_DETERMINISTIC_OPS", "1")
    env.setdefault("PYTHONHASHSEED", "0")
    if quiet:
        log = logs_dir() / "train.log"
        step(
            "training the model (data, domain or config changed; a few minutes; "
            f"full log: {shown(log)})"
        )
        if train_quietly(train_command(target), env, log) != 0:
            show_tail(log, "Training failed.")
            raise TrainingFailed(shown(log))
    else:
        step("training the model (data, domain or config changed)")
        subprocess.run(train_command(target), cwd=ROOT, env=env, check=True)  # noqa: S603
    step(f"trained in {time.monotonic() - started:.0f} s: {target.relative_to(ROOT)}")
    _prune(target)
    os.utime(target)
    return target


#: Rasa's graph trainer logs one of these per component (rasa/engine/training/hooks.py).
COMPONENT = re.compile(rb"Starting to train component '([^']+)'")


def train_quietly(command: list[str], env: dict[str, str], log: Path) -> int:
    """Run ``command`` with its output in ``log``; a progress line per component it trains."""
    trained = 0
    with log.open("wb") as sink:
        proc = subprocess.Popen(  # noqa: S603 - our own rasa binary, fixed arguments
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        assert proc.stdout is not None
        with proc.stdout:
            for line in iter(proc.stdout.readline, b""):
                sink.write(line)
                found = COMPONENT.search(line)
                if found:
                    trained += 1
                    detail(f"[{trained}] {found.group(1).decode()}")
        return proc.wait()
