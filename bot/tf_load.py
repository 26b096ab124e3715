"""Loading a trained DIET without training it for one step first.

Rasa 3.6 loads a ``RasaModel`` by building an empty one, *training it on one example* so that
Keras creates every weight, and then overwriting the weights from the checkpoint. That one step
traces the whole training graph (the loss, the gradients, the optimizer): about 3 of the 4
seconds a DIET takes to load here, paid by every Rasa server and NLU worker that starts, once
per DIET in the pipeline.

:func:`patched` (Baton's ``RasaModel.load``, installed by bot/patches/) creates the weights
with one eager prediction instead, reads the checkpoint into them, and checks that every weight
the model has was found in the checkpoint (``assert_existing_objects_matched``); only then does
it compute the label embeddings and trace the prediction graph, as Rasa's load does. The weights
and the graph are the same, so the predictions are too (tests/patches/test_tf_load.py compares
them with Rasa's own load). Fine-tuning, eager mode, a model without a prediction example, or a
checkpoint that does not match go Rasa's way.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

logger = logging.getLogger(__name__)


def patched(original: Any) -> Any:
    """``RasaModel.load`` building the weights by predicting; ``original`` where that can't."""

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Optional[Any] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        config = kwargs.get("config", {})
        usual = finetune_mode or predict_data_example is None or config.get("run_eagerly")
        model = None
        if not usual:
            model = _load_by_predicting(cls, model_file_name, predict_data_example, args, kwargs)
        if model is None:
            return original.__func__(
                cls,
                model_file_name,
                model_data_example,
                predict_data_example,
                finetune_mode,
                *args,
                **kwargs,
            )
        return model

    return classmethod(load)


def _load_by_predicting(
    cls: Any, model_file_name: str, predict_data_example: Any, args: Any, kwargs: Any
) -> Any:
    """The model with the checkpoint's weights, or None if they do not all match."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE

    model = cls(*args, **kwargs)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(kwargs.get("config", {}).get(LEARNING_RATE, 0.001)),
        run_eagerly=True,
    )
    model.run_inference(predict_data_example)  # eagerly: creates the weights, random
    status = model.load_weights(model_file_name)
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        logger.warning("loading %s the usual way: %s", model_file_name, error)
        return None
    status.expect_partial()  # the optimizer's slots: only training needs them
    model.run_eagerly = False
    model.prepared_for_prediction = False  # the label embeddings again, from the real weights
    model._tf_predict_step = None
    model.run_inference(predict_data_example)  # traces the prediction graph, as Rasa's load
    return model
