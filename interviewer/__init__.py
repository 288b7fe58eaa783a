"""interviewer: an offline, private mock interviewer for ML engineering loops."""

__version__ = "0.1.0"
