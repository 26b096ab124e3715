"""The NLU pipeline in worker processes, so one Rasa server uses more than one core.

A Rasa server is one Python process: its event loop does every conversation's NLU (the
tokenizer, featurizers, DIET's forward pass, the language detector: about a third of a
turn's CPU), dialogue policies, tracker bookkeeping and socket traffic, one turn at a time,
on one core. Running the NLU in a thread does not help (the GIL; measured slower). Running
it in a separate process does: while a worker understands one customer's message, the
server's loop predicts and sends the answers of others.

:func:`patched_parse_message` (installed by bot/patches/) makes
``MessageProcessor.parse_message`` hand the message's text, id and metadata to a pool of
``BATON_NLU_WORKERS`` processes (default: one on a machine with two or more cores, none on one
core; ``0`` turns it off). Each worker loads the same model file as the server, with the same
runner (bot/graph_runner.py) and NLU patches (the registry's ``nlu-worker`` ones:
bot/tf_predict.py, bot/sparse_concat.py, bot/rule_matching.py), and returns the same parse
data the server would have computed; the server then finishes exactly as Rasa does (retrieval
intents, the debug log, the unseen-features warning).

The pool starts once the server has loaded its model (bot/server.py). Nothing waits for it:
until a worker has loaded the model too (some seconds later), messages are understood in the
server process as before; if a worker dies
or hangs, that message is understood in the server process, the pool is replaced, and other
conversations are not affected. A server that loads another model gets a pool for it. The
workers exit with the server (and are told to by the kernel if it is killed).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import signal
import threading
from pathlib import Path
from typing import Any, Optional

from infra import metrics

logger = logging.getLogger(__name__)

ENV = "BATON_NLU_WORKERS"
# A parse takes milliseconds; a worker that takes this long is stuck (or swapping).
PARSE_TIMEOUT_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def configured_workers() -> int:
    """``BATON_NLU_WORKERS``, or one worker when there is a second core to run it on."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        try:
            return max(0, int(raw))
        except ValueError:
            logger.warning("%s=%r is not a number; NLU runs in the server process", ENV, raw)
            return 0
    return 1 if (os.cpu_count() or 1) >= 2 else 0


# --- the worker side -----------------------------------------------------------------------

_runner: Any = None
_nlu_target: Optional[str] = None


def _die_with_parent() -> None:
    """Ask the kernel to end this worker when the server process ends, however it ends."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown ends workers
        pass


def _load(model_tar: str) -> None:
    """Worker initializer: load the model's prediction graph, as the server does."""
    global _runner, _nlu_target
    _die_with_parent()
    from bot.quiet import silence_known_warnings

    silence_known_warnings()  # a spawned process starts with Python's default filters
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; it stops us
    logging.getLogger("rasa").setLevel(logging.WARNING)
    import tempfile

    from rasa.engine import loader
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from bot import patches
    from bot.graph_runner import SequentialGraphRunner

    patches.install("nlu-worker")
    with tempfile.TemporaryDirectory(prefix="baton-nlu-") as tmp:
        metadata, runner = loader.load_predict_graph_runner(
            Path(tmp), Path(model_tar), LocalModelStorage, SequentialGraphRunner
        )
    _runner, _nlu_target = runner, metadata.nlu_target
    from infra.heap import freeze_heap

    freeze_heap()  # as the server does: the model is never garbage


def _parse(
    text: str,
    message_id: Optional[str],
    sender_id: str,
    metadata: Optional[dict[str, Any]],
    only_output_properties: bool,
) -> dict[str, Any]:
    """``MessageProcessor._parse_message_with_graph`` for one message, in the worker."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import (
        ENTITIES,
        INTENT,
        INTENT_NAME_KEY,
        PREDICTED_CONFIDENCE_KEY,
        TEXT,
    )

    message = UserMessage(text, None, sender_id, message_id=message_id, metadata=metadata)
    results = _runner.run(
        inputs={
            PLACEHOLDER_MESSAGE: [message],
            PLACEHOLDER_TRACKER: DialogueStateTracker.from_events(sender_id, []),
        },
        targets=[_nlu_target],
    )
    parsed = results[_nlu_target][0]
    parse_data: dict[str, Any] = {
        TEXT: "",
        INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
        ENTITIES: [],
    }
    parse_data.update(parsed.as_dict(only_output_properties=only_output_properties))
    return parse_data


def _ready() -> bool:
    return _runner is not None


# --- the server side -----------------------------------------------------------------------


class NLUPool:
    """Worker processes for one model file."""

    def __init__(self, model_tar: Path, workers: int) -> None:
        self.model_tar = model_tar
        self.workers = workers
        self.ready = False
        self.failed = False  # the workers could not start: NLU stays in the server
        self.fallbacks = 0  # messages understood in the server process after a failure
        self._executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(str(model_tar),),
        )
        self._warm_up()

    def _warm_up(self) -> None:
        """Start the workers and mark the pool ready once each has the model loaded."""
        futures = [self._executor.submit(_ready) for _ in range(self.workers)]

        def done(_: concurrent.futures.Future[bool]) -> None:
            if all(f.done() for f in futures):
                ok = all(not f.cancelled() and f.exception() is None for f in futures)
                self.ready, self.failed = ok, not ok
                metrics.NLU_WORKERS_READY.set(self.workers if ok else 0)
                if ok:
                    logger.info("NLU runs in %d worker process(es)", self.workers)
                else:
                    logger.warning("NLU workers failed to start; NLU stays in the server")

        for future in futures:
            future.add_done_callback(done)

    async def parse(
        self,
        text: str,
        message_id: Optional[str],
        sender_id: str,
        metadata: Optional[dict[str, Any]],
        only_output_properties: bool,
    ) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor, _parse, text, message_id, sender_id, metadata, only_output_properties
        )
        return await asyncio.wait_for(future, PARSE_TIMEOUT_SECONDS)

    def shutdown(self) -> None:
        self.ready = False
        metrics.NLU_WORKERS_READY.set(0)
        self._executor.shutdown(wait=False, cancel_futures=True)


_pool: Optional[NLUPool] = None
_pool_lock = threading.Lock()
_owner: Any = None  # the processor ``_pool`` was decided for (a new model: a new processor)


def status() -> str:
    """``off`` (no workers configured or started), ``starting``, ``ready`` or ``failed``."""
    pool = _pool
    if pool is None:
        return "off"
    if pool.ready:
        return "ready"
    return "failed" if pool.failed else "starting"


def _model_tar(processor: Any) -> Optional[Path]:
    path = Path(processor.model_path)
    if path.is_file():
        return path
    candidate = path / str(processor.model_filename)
    return candidate if candidate.is_file() else None


def pool_for(processor: Any) -> Optional[NLUPool]:
    """The ready pool for the processor's model, started (not awaited) on first use.

    Decided once per processor (the settings and the model file are looked up then), so a
    message costs no more than this identity check."""
    global _pool, _owner
    if processor is not _owner:
        with _pool_lock:
            if processor is not _owner:
                workers = configured_workers()
                model_tar = _model_tar(processor) if workers > 0 else None
                if _pool is not None and (model_tar is None or _pool.model_tar != model_tar):
                    _pool.shutdown()
                    _pool = None
                if model_tar is not None and _pool is None:
                    _pool = NLUPool(model_tar, workers)
                _owner = processor
    pool = _pool
    return pool if pool is not None and pool.ready else None


def _replace(broken: NLUPool) -> None:
    global _pool
    with _pool_lock:
        broken.shutdown()
        if _pool is broken:
            _pool = NLUPool(broken.model_tar, broken.workers)


def patched_parse_message(original: Any) -> Any:
    """``MessageProcessor.parse_message`` through the pool, ``original`` without one."""

    async def parse_message(
        self: Any,
        message: Any,
        tracker: Any = None,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        pool = None if self.http_interpreter else pool_for(self)
        if pool is None:
            return await original(self, message, tracker, only_output_properties)
        try:
            parse_data = await pool.parse(
                message.text,
                message.message_id,
                message.sender_id,
                message.metadata,
                only_output_properties,
            )
        except (concurrent.futures.process.BrokenProcessPool, asyncio.TimeoutError) as exc:
            logger.warning("NLU worker failed (%s); restarting it", type(exc).__name__)
            pool.fallbacks += 1
            _replace(pool)
            return await original(self, message, tracker, only_output_properties)
        except Exception:  # the worker could not understand it: the server tries (and says why)
            logger.warning("NLU worker raised; understanding the message in the server")
            pool.fallbacks += 1
            return await original(self, message, tracker, only_output_properties)
        return _finish(self, parse_data)

    return parse_message


def _finish(processor: Any, parse_data: dict[str, Any]) -> dict[str, Any]:
    """What ``MessageProcessor.parse_message`` does after the graph has run."""
    import copy

    from rasa.core.processor import structlogger

    processor._update_full_retrieval_intent(parse_data)
    structlogger.debug(
        "processor.message.parse",
        parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"],
        parse_data_entities=copy.deepcopy(parse_data["entities"]),
    )
    processor._check_for_unseen_features(parse_data)
    return parse_data
