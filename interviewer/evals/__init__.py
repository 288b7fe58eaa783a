"""Offline measurements of the interviewer's own quality."""

from interviewer.evals.runner import run_eval

__all__ = ["run_eval"]
