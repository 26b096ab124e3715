"""NLU cost per message, by language: the trained model's pipeline alone, in one process.

A turn's NLU (tokenizing, featurising, the DIET forward pass, language detection) timed
without the servers, so models can be compared on a busy machine: pass several models and
they are measured in turns (A, B, A, B, …) so load spikes hit each alike.

    .venv/bin/python benchmarks/nlu_parse.py                       # the current model
    .venv/bin/python benchmarks/nlu_parse.py models/a.tar.gz other/b.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path

from common import machine, summary

MESSAGES = {
    "en": ["where is my order 10001?", "I want to return the candles", "talk to a person",
           "jane.doe@example.com", "thanks!", "has my parcel shipped yet"],
    "ko": ["주문 10001 어디쯤 왔어요?", "반품하고 싶어요", "상담원 연결해 주세요",
           "감사합니다", "택배 언제 와요?", "환불은 언제 되나요?"],
    "zh": ["我的订单10001到哪了？", "我想退货", "我要找人工客服", "谢谢",
           "快递什么时候到？", "我的訂單什麼時候到？"],
}  # fmt: skip


async def measure(paths: list[Path], rounds: int, repeat: bool) -> None:
    from rasa.core.agent import Agent

    agents = {p: Agent.load(str(p)) for p in paths}
    times: dict[tuple[Path, str], list[float]] = {}
    for agent in agents.values():  # warm up: the first parse builds TensorFlow graphs
        for texts in MESSAGES.values():
            for text in texts:
                await agent.parse_message(text)
    for round_ in range(rounds):
        for path, agent in agents.items():
            for lang, texts in MESSAGES.items():
                for text in texts:
                    # Customers rarely send the same text twice: a counter makes every parse a
                    # new text, so the sentence encoder's cache cannot answer it.
                    fresh = text if repeat else f"{text} {round_ + 2}"
                    started = time.perf_counter()
                    await agent.parse_message(fresh)
                    times.setdefault((path, lang), []).append(
                        (time.perf_counter() - started) * 1000
                    )
    print(f"machine: {machine()}")
    for (path, lang), values in times.items():
        print(f"{path.name:<32} {lang}  {len(values):4d} parses   {summary(values)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="*", type=Path, help="model archives (default: current)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--repeat", action="store_true", help="send the same texts every round (caches hit)"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa logs every parse through structlog at debug level

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    paths = args.models
    if not paths:
        from bot.training import ensure_model

        paths = [ensure_model()]
    asyncio.run(measure(paths, args.rounds, args.repeat))
