"""The distinct values of a block's array, and which one each record has, by Arrow's hash.

Arrow's `dictionary_encode` finds them in one pass over the block; numpy's `unique` sorts
(five times slower on a block of 4,096 numbers, ten times on rows of several words). The
distinct values come in the order they first occur, not sorted: callers only look them up.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Inverse = npt.NDArray[np.int32]


def _writable(indices: pa.Array) -> Inverse:
    """Arrow's indices as a numpy array of one's own (Arrow's buffer is read-only)."""
    return np.array(indices.to_numpy(zero_copy_only=False), dtype=np.int32)


def distinct_numbers(
    numbers: npt.NDArray[np.int64] | npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.int64] | npt.NDArray[np.uint64], Inverse]:
    """The distinct numbers, and per record the place of its number among them (writable)."""
    encoded = pa.array(numbers).dictionary_encode()
    values = encoded.dictionary.to_numpy(zero_copy_only=False)
    return values, _writable(encoded.indices)


def distinct_rows(words: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], Inverse]:
    """The distinct rows of a 2-D array of words, and per record the place of its row among
    them (writable). Each row's bytes are one fixed-size binary value to Arrow."""
    if words.shape[1] == 1:
        values, inverse = distinct_numbers(words[:, 0])
        return values.reshape(-1, 1).astype(np.uint64, copy=False), inverse
    rows = np.ascontiguousarray(words, dtype=np.uint64)
    width = rows.shape[1] * rows.itemsize
    binary = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(rows), [None, pa.py_buffer(rows)]
    )
    encoded = binary.dictionary_encode()
    found = encoded.dictionary
    data = found.buffers()[1]
    distinct = np.frombuffer(
        data, dtype=np.uint64, count=len(found) * rows.shape[1], offset=found.offset * width
    ).reshape(-1, rows.shape[1])
    return distinct, _writable(encoded.indices)
