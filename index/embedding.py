"""What the index needs from an embedding model.

The implementations live in ``ingest.embed``; the index only sees this
protocol, so it can embed queries with whatever built the vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np


class Embedder(Protocol):
    @property
    def dim(self) -> int: ...

    @property
    def fingerprint(self) -> str:
        """Backend, model and version: two embedders with the same fingerprint
        give the same vectors, so an index is only ever queried with its own."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalised vector."""
        ...
