"""Resume and job description: read the file, find projects and their claims, read the role."""

from interviewer.resume.claims import Claim, Project, Resume, parse_resume
from interviewer.resume.jd import JobDescription, parse_job_description
from interviewer.resume.reader import read_document

__all__ = ["Claim", "Project", "Resume", "parse_resume", "JobDescription", "parse_job_description", "read_document"]
