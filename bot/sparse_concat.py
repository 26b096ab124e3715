"""Joining a message's sparse features side by side without scipy's general block builder.

Before DIET reads a message, Rasa 3.6 joins the sparse features of each featurizer (regexes,
word n-grams, character n-grams) with ``scipy.sparse.hstack``, once per featurizer pair and
per sequence and sentence features. ``hstack`` goes through ``bmat``, written for any grid of
blocks in any format: for two small COO matrices most of its time is bookkeeping (a sixth of
the NLU's CPU per message here).

:func:`patched` is Baton's ``Features._combine_sparse_features`` (installed by bot/patches/):
the same join written for the case Rasa has, two COO matrices: the entries of the left one,
then those of the right one shifted right by its width, in the data type and index type
``bmat`` would choose. The result is the same COO matrix, entry for entry. Any other input goes
the original way.
"""

from __future__ import annotations

from typing import Any


def hstack_coo(left: Any, right: Any) -> Any:
    """``scipy.sparse.hstack([left, right])`` for two COO matrices with as many rows."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse._sputils import get_index_dtype, upcast

    rows, width = left.shape[0], left.shape[1] + right.shape[1]
    index = get_index_dtype(maxval=max(rows, width))
    data = np.concatenate([left.data, right.data]).astype(upcast(left.dtype, right.dtype))
    row = np.concatenate([left.row, right.row]).astype(index)
    col = np.concatenate([left.col, right.col + left.shape[1]]).astype(index)
    return coo_matrix((data, (row, col)), shape=(rows, width))


def patched(original: Any) -> Any:
    """``Features._combine_sparse_features`` with :func:`hstack_coo`; ``original`` otherwise."""
    from scipy.sparse import coo_matrix

    def _combine_sparse_features(self: Any, additional_features: Any) -> None:
        left, right = self.features, additional_features.features
        if (
            type(left) is not coo_matrix
            or type(right) is not coo_matrix
            or left.shape[0] != right.shape[0]
        ):
            original(self, additional_features)  # other formats, or Rasa's own error
            return
        self.features = hstack_coo(left, right)
        self._cached_fingerprint = None

    return _combine_sparse_features
