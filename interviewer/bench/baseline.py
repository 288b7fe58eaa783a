"""The baseline, built the way most local RAG chat apps are: a LangChain chain over ChatLlamaCpp
that, every turn, retrieves context for the candidate's answer, puts it at the top of the
system prompt, then the whole history, then the instruction.

It replays the app's conversation: the same system prompt, history and instruction the app
sent that turn, the same max tokens, stop and temperature, the same GGUF with the same
context size, batch and threads. What differs is the layout (and the retrieved context it
adds), so llama.cpp's prefix cache breaks inside the system prompt on every turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from interviewer.bench.meter import LlamaMeter
from interviewer.llm.llamacpp import N_BATCH

CONTEXT_CHUNKS = 3


@dataclass
class BaselineTurn:
    ttft_ms: float | None
    prompt_tokens: int  # the whole formatted prompt
    evaluated_tokens: int  # prompt tokens llama.cpp decoded (from the metered eval calls)
    completion_tokens: int
    decode_ms: float | None
    model_ms: float  # inside ChatLlamaCpp's model call
    wall_ms: float
    text: str

    @property
    def overhead_ms(self) -> float:
        return self.wall_ms - self.model_ms


class LangChainBaseline:
    def __init__(self, model_path: Path, knowledge, n_ctx: int, n_threads: int, seed: int, temperature: float):
        from langchain_community.chat_models import ChatLlamaCpp
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

        self.knowledge = knowledge
        # ChatLlamaCpp defaults to n_ctx=512 and n_batch=8: set both to what the app uses
        self.chat = ChatLlamaCpp(
            model_path=str(model_path), n_ctx=n_ctx, n_batch=N_BATCH, n_threads=n_threads, seed=seed,
            temperature=temperature, repeat_penalty=1.0, max_tokens=64, streaming=True, verbose=False,
        )
        self.meter = LlamaMeter(self.chat.client)
        self._timing = _CallTimer(self.chat.client)
        self.prompt = ChatPromptTemplate.from_messages(
            [("system", "{system}\n\nRelevant excerpts from the interview guide:\n{context}"), MessagesPlaceholder("history"), ("human", "{step}")]
        )
        self.parser = StrOutputParser()

    def turn(self, system: str, history: list[dict], step: str, query: str, max_tokens: int, stop: list[str]) -> BaselineTurn:
        from langchain_core.messages import AIMessage, HumanMessage

        started = time.perf_counter()
        hits = self.knowledge.index.search(query, k=CONTEXT_CHUNKS, where={"kind": {"$ne": "question"}})
        context = "\n\n".join(h.text for h in hits)
        messages = [AIMessage(m["content"]) if m["role"] == "assistant" else HumanMessage(m["content"]) for m in history]
        chain = self.prompt | self.chat.bind(max_tokens=max_tokens, stop=stop) | self.parser
        mark = self.meter.mark()
        self._timing.reset()
        first = None
        parts = []
        for piece in chain.stream({"system": system, "context": context, "history": messages, "step": step}):
            if first is None:
                first = time.perf_counter()
            parts.append(piece)
        wall = time.perf_counter() - started
        t = self._timing
        return BaselineTurn(
            ttft_ms=(first - started) * 1000 if first else None,
            prompt_tokens=self.meter.prompt_length_since(mark),
            evaluated_tokens=self.meter.prompt_tokens_since(mark),
            completion_tokens=t.chunks,
            decode_ms=(t.last - t.first) * 1000 if t.first is not None else None,
            model_ms=t.seconds * 1000,
            wall_ms=wall * 1000,
            text="".join(parts),
        )

    def close(self) -> None:
        self.chat.client.close()


class _CallTimer:
    """Times what happens inside `create_chat_completion` (the model call under ChatLlamaCpp)."""

    def __init__(self, llama):
        self.reset()
        original = llama.create_chat_completion

        def timed(*args, **kwargs):
            t = time.perf_counter()
            result = original(*args, **kwargs)
            self.seconds += time.perf_counter() - t
            return self._iterate(result) if kwargs.get("stream") else result

        llama.create_chat_completion = timed

    def reset(self) -> None:
        self.seconds = 0.0
        self.chunks = 0
        self.first = self.last = None

    def _iterate(self, result):
        iterator = iter(result)
        while True:
            t = time.perf_counter()
            try:
                chunk = next(iterator)
            except StopIteration:
                self.seconds += time.perf_counter() - t
                return
            now = time.perf_counter()
            self.seconds += now - t
            if (chunk["choices"][0].get("delta") or {}).get("content"):
                self.chunks += 1
                self.last = now
                if self.first is None:
                    self.first = now
            yield chunk
