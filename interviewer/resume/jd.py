"""Read a job description: the role, the team, the skills it asks for, and the track they suggest."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from interviewer.candidate_text import clean, strip_injection
from interviewer.knowledge.bank import Track

_ROLE = re.compile(r"\b((?:senior |staff |principal |lead |junior )?(?:machine learning|ml|ai|applied|research|software|data)[\w /-]{0,30}?(?:engineer|scientist|researcher))\b", re.I)
_TEAMS = ("Siri", "Core ML", "Health", "Camera", "Photos", "Vision", "Apple Music", "App Store", "Services", "Maps",
          "Apple Intelligence", "ISE", "Intelligent System Experience", "Search", "Keyboard", "Watch", "Fitness", "Privacy")


@dataclass
class JobDescription:
    role: str | None
    teams: list[str]
    skills: list[str]
    track: str  # the best-matching team track
    track_scores: dict[str, int] = field(default_factory=dict)
    injection_lines: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def parse_job_description(text: str, tracks: dict[str, Track], skill_terms: list[str]) -> JobDescription:
    text = clean(text)
    kept, injection = [], []
    for line in (l for l in text.split("\n") if l.strip()):
        line_kept, injected = strip_injection(line)
        if injected:
            injection.append(line.strip())
        kept.append(line_kept)
    body = "\n".join(kept)
    low = body.lower()
    role_match = _ROLE.search(body)
    teams = [t for t in _TEAMS if re.search(r"(?<![A-Za-z])" + re.escape(t) + r"(?![A-Za-z])", body)]
    skills = [s for s in sorted(set(skill_terms), key=len, reverse=True) if re.search(r"(?<![a-z0-9])" + re.escape(s) + r"(?![a-z0-9])", low)]
    scores = {}
    for track in tracks.values():
        if track.id == "general":
            continue
        scores[track.id] = sum(1 for k in track.jd_keywords if re.search(r"(?<![a-z0-9])" + re.escape(k.lower()) + r"(?![a-z0-9])", low))
    best = max(scores.items(), key=lambda kv: kv[1], default=("general", 0))
    track = best[0] if best[1] >= 2 else "general"
    return JobDescription(role_match.group(1).strip() if role_match else None, teams, skills[:30], track, scores, injection)
