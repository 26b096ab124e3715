"""DIET's forward pass without TensorFlow's per-call Python bookkeeping.

Rasa 3.6 runs a trained model's prediction step as a ``tf.function`` with a fixed input
signature, so it is traced once and every later call runs the same concrete graph. Calling
it through the ``tf.function`` still pays, on every message, for TensorFlow's Python-side
dispatch: canonicalising the arguments against the signature, looking the concrete function
up again, converting and checking each input. Profiling a turn showed that bookkeeping at
three times the cost of the graph's own execution (about 1.5 ms of CPU a message here).

:func:`patched` is Baton's ``RasaModel._rasa_predict`` (installed by bot/patches/): once the
function is traced, it converts the batch to tensors itself and runs the concrete function
directly. The graph, the inputs and the outputs are the same; anything unusual (eager mode, a batch
whose structure or types do not fit the signature) goes the original way, which raises
TensorFlow's own errors.
"""

from __future__ import annotations

from typing import Any


def patched(original: Any) -> Any:
    """``RasaModel._rasa_predict`` calling the traced graph directly; ``original`` otherwise."""

    def _rasa_predict(self: Any, batch_in: Any) -> Any:
        concrete = _concrete_function(self)
        tensors = _tensors(concrete, batch_in) if concrete is not None else None
        if tensors is None:
            return original(self, batch_in)
        return _outputs(concrete._call_flat(tensors, concrete.captured_inputs))

    return _rasa_predict


def _concrete_function(model: Any) -> Any:
    """The traced prediction graph, once Rasa's own first call has traced it."""
    if model._run_eagerly or not model.prepared_for_prediction:
        return None
    step = model._tf_predict_step
    if step is None:
        return None
    cached = model.__dict__.get("_baton_concrete")
    if cached is None or cached[0] is not step:
        concrete = step.get_concrete_function()
        cached = model.__dict__["_baton_concrete"] = (step, concrete)
    return cached[1]


def _tensors(concrete: Any, batch_in: Any) -> list[Any] | None:
    """The batch as the concrete function's flat inputs, or ``None`` if it does not fit."""
    import tensorflow as tf

    specs = concrete.structured_input_signature[0][0]
    if not isinstance(batch_in, (tuple, list)) or len(batch_in) != len(specs):
        return None
    tensors = []
    for value, spec in zip(batch_in, specs, strict=True):
        try:
            tensor = tf.convert_to_tensor(value, dtype_hint=spec.dtype)
        except (TypeError, ValueError):
            return None
        if not spec.is_compatible_with(tensor):
            return None
        tensors.append(tensor)
    return tensors


def _outputs(outputs: Any) -> Any:
    """What ``_rasa_predict`` returns: numpy values, empty diagnostics as ``None``."""
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.utils.tensorflow.models import RasaModel

    outputs = tf_utils.sync_to_numpy_or_python_type(outputs)
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = RasaModel._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs
