"""Per-conversation KV states for one llama.cpp model shared by interleaved sessions.

llama.cpp keeps one conversation in its KV cache. When a second candidate's turn comes
in between, the first candidate's history would be re-evaluated on their next turn.
So before another conversation takes the cache, the reusable part of the current one
(everything before its last message, which is the per-turn instruction) is copied to
RAM, and copied back when that conversation continues. Only sequence 0's cells are
copied (llama_state_seq_*), not the logits buffer that `Llama.save_state` copies too:
about 6 ms to restore and 25 ms to park 1,500 tokens of SmolLM2-135M, against 300-500 ms
for `save_state`/`load_state` through `LlamaRAMCache`.

A conversation is recognised by its tokens alone, so the engine passes no session key:
a prompt that does not extend the live conversation's reusable prefix belongs to
another conversation (or to the same one after its history was trimmed).
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

MIN_PARK_TOKENS = 32  # parking a few tokens saves less than it costs


def common_prefix(a, b) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    if n == 0:
        return 0
    x = np.asarray(a[:n], dtype=np.int64)
    y = np.asarray(b[:n], dtype=np.int64)
    diff = np.flatnonzero(x != y)
    return int(diff[0]) if diff.size else n


@dataclass
class Parked:
    tokens: np.ndarray  # the conversation prefix whose cells `data` holds
    data: ctypes.Array  # llama_state_seq_get_data output for sequence 0

    @property
    def nbytes(self) -> int:
        return ctypes.sizeof(self.data) + self.tokens.nbytes


class SessionStates:
    """Parks and restores conversations in front of one `llama_cpp.Llama`. Call under the model's lock."""

    def __init__(self, llama, capacity_bytes: int):
        self.llama = llama
        self.capacity_bytes = capacity_bytes
        self.parked: OrderedDict[int, Parked] = OrderedDict()
        self.live_stable = 0  # reusable prefix length of the conversation now in the KV cache
        self.parks = 0
        self.restores = 0
        self._next_key = 0

    @property
    def parked_bytes(self) -> int:
        return sum(p.nbytes for p in self.parked.values())

    def prepare(self, tokens: list[int]) -> int:
        """Put the longest known prefix of `tokens` into the KV cache; returns its length."""
        live = self.llama.input_ids[: self.llama.n_tokens]
        reused = common_prefix(live, tokens)
        best_key, best = None, 0
        for key, parked in self.parked.items():
            n = common_prefix(parked.tokens, tokens)
            if n > best:
                best_key, best = key, n
        if reused < self.live_stable and self.live_stable - reused >= MIN_PARK_TOKENS:
            self._park(self.live_stable)
        if best_key is not None and best > reused:
            reused = best if self._restore(best_key) else 0  # a failed restore leaves the cache empty
        return reused

    def settle(self, stable: int) -> None:
        """After a call: the first `stable` tokens of its prompt are what the next turn can reuse."""
        self.live_stable = stable

    def clear(self) -> None:
        self.parked.clear()
        self.live_stable = 0

    # -- llama.cpp state copies ------------------------------------------------
    def _park(self, n: int) -> None:
        import llama_cpp

        llama = self.llama
        n = min(n, llama.n_tokens)
        llama._ctx.kv_cache_seq_rm(-1, n, -1)  # the per-turn tail never recurs; do not copy it
        llama.n_tokens = n
        ctx = llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if written != size:
            return  # could not copy: that conversation will be re-evaluated, nothing breaks
        self._next_key += 1
        self.parked[self._next_key] = Parked(np.array(llama.input_ids[:n], dtype=np.int64), buffer)
        self.parks += 1
        while self.parked and self.parked_bytes > self.capacity_bytes:
            self.parked.popitem(last=False)  # least recently used first

    def _restore(self, key: int) -> bool:
        import llama_cpp

        parked = self.parked.pop(key)  # it becomes the live conversation; parked again when left
        llama = self.llama
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        llama.n_tokens = 0
        read = llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, parked.data, ctypes.sizeof(parked.data), 0)
        if read == 0:
            llama._ctx.kv_cache_seq_rm(-1, 0, -1)
            return False
        n = len(parked.tokens)
        llama.input_ids[:n] = parked.tokens
        llama.n_tokens = n
        if hasattr(llama, "_requires_eval"):
            llama._requires_eval = True  # logits belong to another conversation: generate() re-decodes a token
        self.restores += 1
        return True
