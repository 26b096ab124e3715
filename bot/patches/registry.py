"""Every piece of Rasa and rasa-sdk that Baton replaces, in one list.

Each entry names the original (``target``), says why, and records the version it was checked
against with a fingerprint of the original's source (bot/patches/core.py). The code that
replaces it stays next to what it serves (``replacement``); nothing there installs itself.
docs/architecture.md ("Patches to Rasa") says how to add one.
"""

from __future__ import annotations

from bot.patches.core import Patch, Process

RASA = "3.6.21"
RASA_SDK = "3.6.2"

_SERVER: frozenset[Process] = frozenset({"rasa"})
_SERVER_AND_NLU_WORKERS: frozenset[Process] = frozenset({"rasa", "nlu-worker"})
_ACTION_SERVER: frozenset[Process] = frozenset({"actions"})

PATCHES: tuple[Patch, ...] = (
    # --- the Rasa server: speed (docs/performance.md); same results as Rasa's ----------------
    Patch(
        name="action-response-validation",
        target="rasa.core.actions.action.RemoteAction._validate_action_result",
        why="validate action server responses with validators built once and each event "
        "checked against its own kind, not the whole schema re-checked on every call",
        replacement="bot.server:_validate_action_result",
        package="rasa",
        checked_against=RASA,
        fingerprint="a1822b55ba46f03a8d2c53027f5e99931f5aeea7870cdf516b438f53b1447bf7",
        processes=_SERVER,
    ),
    Patch(
        name="action-call-domain",
        target="rasa.core.actions.action.RemoteAction._action_call_format",
        why="send actions the domain without its responses (98 of its 105 KB), built once "
        "per loaded domain",
        replacement="bot.server:_action_call_format",
        package="rasa",
        checked_against=RASA,
        fingerprint="e374c97e47d4af71bb37107880f89e2eee7a6c30681be26bb51813626d019f30",
        processes=_SERVER,
    ),
    Patch(
        name="sequential-graph-runner",
        target="rasa.core.processor.DaskGraphRunner",
        why="run the prediction graph in a cached order instead of through dask on every "
        "message and prediction",
        replacement="bot.graph_runner:SequentialGraphRunner",
        package="rasa",
        checked_against=RASA,
        fingerprint="a2c8b720a1269c453dc356e695ad8484c3cb54ce88aea72df77e046159ffe375",
        processes=_SERVER,
    ),
    Patch(
        name="domain-is-empty-cache",
        target="rasa.shared.core.domain.Domain.is_empty",
        why="answer whether a loaded domain is empty once, not by building and comparing two "
        "dicts on every message",
        replacement="bot.server:_make_cached_is_empty",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="36831593fbd8b35ac1f89374410fa986d3838d5c717c9772f514ced5e18c1229",
        processes=_SERVER,
    ),
    Patch(
        name="action-server-session",
        target="rasa.utils.endpoints.EndpointConfig.session",
        why="one keep-alive HTTP session per endpoint and event loop, encoding with ujson, "
        "instead of a new session and connection for every action call",
        replacement="bot.server:_shared_session",
        package="rasa",
        checked_against=RASA,
        fingerprint="2d2aa2515bad69e7a6b54a00bfd0c1f8a7df0102271c52e3c6c737b0cafa677c",
        processes=_SERVER,
    ),
    Patch(
        name="tf-predict",
        target="rasa.utils.tensorflow.models.RasaModel._rasa_predict",
        why="run DIET's traced prediction graph directly, without TensorFlow's per-call "
        "Python dispatch",
        replacement="bot.tf_predict:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="02321086bf33739a52b88661bd3dd7a2c4577f31ae4310bf59ff29566ac9715d",
        processes=_SERVER_AND_NLU_WORKERS,
    ),
    Patch(
        name="tf-load",
        target="rasa.utils.tensorflow.models.RasaModel.load",
        why="create a trained DIET's weights with one prediction instead of one training "
        "step before reading the checkpoint: the same weights, without tracing the training "
        "graph on every start",
        replacement="bot.tf_load:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="671b1bb4a4b88643ec59fee55171ccc196cf1eff5e746d97371b2f167bc8f911",
        processes=_SERVER_AND_NLU_WORKERS,
    ),
    Patch(
        name="sparse-concat",
        target="rasa.shared.nlu.training_data.features.Features._combine_sparse_features",
        why="join two COO feature matrices directly instead of through scipy's general "
        "block builder",
        replacement="bot.sparse_concat:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="7aa71722b6cc6bfa40ba19dd1bb580f79d9235446889c298e5b50c3a98ea0a09",
        processes=_SERVER_AND_NLU_WORKERS,
    ),
    Patch(
        name="rule-matching",
        target="rasa.core.policies.rule_policy.RulePolicy._get_possible_keys",
        why="find the rules that fit a conversation with each rule parsed once and the walk "
        "stopped once no rule is longer",
        replacement="bot.rule_matching:_get_possible_keys",
        package="rasa",
        checked_against=RASA,
        fingerprint="31cea41508374157bcb326762ca851b4d1c6a17d924a4bc8eae994dc4a2b7d1b",
        processes=_SERVER_AND_NLU_WORKERS,
    ),
    Patch(
        name="nlu-workers",
        target="rasa.core.processor.MessageProcessor.parse_message",
        why="understand messages in worker processes so the server uses more than one core",
        replacement="bot.nlu_workers:patched_parse_message",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="38ea906b9a9f0cd3c623c83e8133e96e0626db4eb6a1a02cdaacd3262cf0a99c",
        processes=_SERVER,
    ),
    Patch(
        name="nlu-workers-start",
        target="rasa.core.run.load_agent_on_start",
        why="after Rasa's start-up model load, freeze the heap and start the NLU workers "
        "while the server is still idle",
        replacement="bot.server:_after_load",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="856f5c9999cf632c9bb5250cb40bc26323f769f3b8356c05a5bdcb15e5174b34",
        processes=_SERVER,
    ),
    # --- the Rasa server: what a message and an action may do ---------------------------------
    Patch(
        name="inbound-guard",
        target="rasa.core.processor.MessageProcessor._handle_message_with_tracker",
        why="take a '/' message as a payload only when the bot offered it, and drop entity "
        "values no slot can hold",
        replacement="bot.inbound_guard:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="be0eb6f0e1c1b90f557f9cee458ed023034a9a0d78e30b47fa210542e7b836fd",
        processes=_SERVER,
    ),
    Patch(
        name="failsafe",
        target="rasa.core.processor.MessageProcessor._run_action",
        why="answer the customer with an apology and the offer of a person when a custom "
        "action fails, instead of silence",
        replacement="connectors.failsafe:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="ca365169b7bfa97e6b63a785369e3b8c07cead839a2e128351b603a44fa5a9cd",
        processes=_SERVER,
    ),
    Patch(
        name="outbox",
        target="rasa.core.processor.MessageProcessor.log_message",
        why="forward the messages of conversations paused for a person to the handoff "
        "service, through the outbox",
        replacement="connectors.outbox:patched",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="eabb632822ec9c95e06108af565e73e65ea7705722c492109c172330213cc513",
        processes=_SERVER,
    ),
    # --- the Rasa server: operations (bot/ops.py) ---------------------------------------------
    Patch(
        name="ops-logging",
        target="rasa.__main__.configure_logging_and_warnings",
        why="JSON logs from the moment Rasa's CLI sets up logging",
        replacement="bot.ops:wrap_logging_setup",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="450e1853f93bfa025cbee131904291087b9831b7b9dc86925c09389a14f5250c",
        processes=_SERVER,
    ),
    Patch(
        name="ops-routes",
        target="rasa.core.run.configure_app",
        why="add /health, /ready and /metrics, webhook rejection counts and a root page "
        "without Rasa's version to Rasa's app",
        replacement="bot.ops:wrap_configure_app",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="ff654678c27ca7c33d37695c8dc3c54741381df94f2bb9d5ecc0a6d17aa2bff8",
        processes=_SERVER,
    ),
    Patch(
        name="ops-turns",
        target="rasa.core.processor.MessageProcessor.handle_message",
        why="count and time every turn and tag its log lines with the conversation id",
        replacement="bot.ops:wrap_handle_message",
        wraps=True,
        package="rasa",
        checked_against=RASA,
        fingerprint="953923823e2b496cccdd73e8260b1ea6f36e35f71f4ae1191eb3a230990a33f3",
        processes=_SERVER,
    ),
    # --- the action server (rasa-sdk, bot/action_server.py) -----------------------------------
    Patch(
        name="action-server-app",
        target="rasa_sdk.endpoint.create_app",
        why="require ACTION_SERVER_TOKEN, add /ready and /metrics, JSON logs, and close the "
        "store's connections on stop",
        replacement="bot.action_server:wrap_create_app",
        wraps=True,
        package="rasa-sdk",
        checked_against=RASA_SDK,
        fingerprint="3bda0d76e73f26226fd46ef6015af1682efb176a06808d076bdd8a173dfe9711",
        processes=_ACTION_SERVER,
    ),
    Patch(
        name="action-server-run",
        target="rasa_sdk.executor.ActionExecutor.run",
        why="check the tracker's ownership claims against the store before any action, and "
        "count, time and tag every action",
        replacement="bot.action_server:wrap_executor_run",
        wraps=True,
        package="rasa-sdk",
        checked_against=RASA_SDK,
        fingerprint="8e9c1fe05698454704d485f585b717a2233ecfe69f9202b2ef2b39a6c5416b70",
        processes=_ACTION_SERVER,
    ),
)
