"""Read a job description: the role, the team, the skills it asks for, and the track they suggest.

Terms are matched token by token against phrase tables, so reading costs time linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from interviewer.candidate_text import clean, strip_injection
from interviewer.knowledge.bank import Track
from interviewer.resume.fact_vocab import PhraseTable, tokenize

MAX_CHARS = 20_000  # a job description is 2,000-6,000 characters; the rest of a longer paste is not read
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


def _found(table: PhraseTable, low: list[str]) -> set:
    out: set = set()
    i = 0
    while i < len(low):
        hit = table.match(low, i)
        if hit:
            out.update(hit[1])
            i += hit[0]
        else:
            i += 1
    return out


def parse_job_description(text: str, tracks: dict[str, Track], skill_terms: list[str]) -> JobDescription:
    text = clean(text)[:MAX_CHARS]
    kept, injection = [], []
    for line in (l for l in text.split("\n") if l.strip()):
        line_kept, injected = strip_injection(line)
        if injected:
            injection.append(line.strip())
        kept.append(line_kept)
    body = "\n".join(kept)
    toks = tokenize(body)
    low = [t.low for t in toks]
    exact = [t.text for t in toks]
    role_match = next((m for m in (_ROLE.search(line) for line in kept) if m), None)
    teams_table = PhraseTable()
    for team in _TEAMS:
        teams_table.add(team, team)
    team_hits = set()
    i = 0
    while i < len(toks):  # team names are proper nouns: matched with their capitals
        hit = teams_table.match(low, i)
        if hit and " ".join(exact[i : i + hit[0]]).replace(" ", "") == hit[1][0].replace(" ", ""):
            team_hits.update(hit[1])
            i += hit[0]
        else:
            i += 1
    teams = [t for t in _TEAMS if t in team_hits]
    skills_table = PhraseTable()
    for s in skill_terms:
        skills_table.add(s.lower(), s)
    present = {s.lower() for s in _found(skills_table, low)}
    skills = [s for s in sorted(set(skill_terms), key=len, reverse=True) if s.lower() in present]
    scores = {}
    for track in tracks.values():
        if track.id == "general":
            continue
        table = PhraseTable()
        for k in track.jd_keywords:
            table.add(k.lower(), k.lower())
        scores[track.id] = len(_found(table, low))
    best = max(scores.items(), key=lambda kv: kv[1], default=("general", 0))
    track = best[0] if best[1] >= 2 else "general"
    return JobDescription(role_match.group(1).strip() if role_match else None, teams, skills[:30], track, scores, injection)
