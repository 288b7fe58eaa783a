"""`interviewer bench`: the app's prompt layout against the usual LangChain RAG layout and raw llama.cpp."""

from interviewer.bench.report import render
from interviewer.bench.run import run_bench

__all__ = ["run_bench", "render"]
