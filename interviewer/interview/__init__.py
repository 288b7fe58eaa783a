"""The interview engine: plans a round, asks grounded questions, follows up, scores."""

from interviewer.interview.engine import Interview, InterviewConfig, TokenEvent, TurnEvent
from interviewer.interview.rounds import ROUNDS

__all__ = ["Interview", "InterviewConfig", "TokenEvent", "TurnEvent", "ROUNDS"]
