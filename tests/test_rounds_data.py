"""Facts about rounds, claim probes and scorecard rules are validated data in knowledge/, not constants in code."""

import shutil

import pytest
import yaml

from interviewer.knowledge.bank import BANK_ROUNDS, TRACKS, CuratedKnowledge, KnowledgeError
from interviewer.settings import packaged

SHIPPED = packaged("knowledge")


@pytest.fixture()
def knowledge_copy(tmp_path):
    """A copy of the shipped knowledge pack's small files, to break one at a time."""
    for name in ("rounds.yaml", "probes.yaml", "criteria.yaml", "tracks.yaml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_every_bank_round_has_its_facts():
    curated = CuratedKnowledge(SHIPPED)
    assert set(curated.rounds) == set(BANK_ROUNDS)
    assert {r for r, facts in curated.rounds.items() if facts.technical} == {"coding", "ml-fundamentals", "ml-system-design", "genai", "phone-screen"}
    assert {r for r, facts in curated.rounds.items() if facts.probes_claims} == {"resume-deep-dive", "behavioral", "hiring-manager"}
    assert set(curated.probes_for_claim_kind["role"]) == {"own-contribution"}
    assert curated.scorecard_rules.quotes_per_criterion == 3 and curated.feature_scales.length == 150


def test_tracks_come_from_tracks_yaml():
    assert TRACKS == tuple(CuratedKnowledge(SHIPPED).tracks)


def test_a_missing_round_is_rejected(knowledge_copy):
    _edit(knowledge_copy / "rounds.yaml", lambda d: d["rounds"].pop("genai"))
    with pytest.raises(KnowledgeError, match=r"(?s)rounds\.yaml.*missing genai"):
        CuratedKnowledge(knowledge_copy).rounds  # noqa: B018 (loading validates)


@pytest.mark.parametrize("change, why", [
    (lambda d: d["rounds"].update({"karaoke": {"technical": False, "probes_claims": False, "review_section": "1. Intro"}}), "karaoke"),
    (lambda d: d["rounds"]["coding"].pop("technical"), "technical"),
    (lambda d: d["rounds"]["coding"].update({"technicl": True}), "technicl"),
    (lambda d: d["rounds"]["coding"].update({"technical": "sometimes"}), "technical"),
])
def test_a_malformed_rounds_file_is_rejected(knowledge_copy, change, why):
    _edit(knowledge_copy / "rounds.yaml", change)
    with pytest.raises(KnowledgeError, match=why):
        CuratedKnowledge(knowledge_copy).rounds  # noqa: B018 (loading validates)


def test_claim_probes_must_name_known_probes_and_kinds(knowledge_copy):
    _edit(knowledge_copy / "probes.yaml", lambda d: d["for_claim_kind"].update({"tool": ["no-such-probe"]}))
    with pytest.raises(KnowledgeError, match="no-such-probe"):
        CuratedKnowledge(knowledge_copy).probes_for_claim_kind  # noqa: B018 (loading validates)
    _edit(knowledge_copy / "probes.yaml", lambda d: d.update({"for_claim_kind": {"hobby": ["scaling"]}}))
    with pytest.raises(KnowledgeError, match="hobby"):
        CuratedKnowledge(knowledge_copy).probes_for_claim_kind  # noqa: B018 (loading validates)


def test_scorecard_rules_must_name_known_criteria(knowledge_copy):
    _edit(knowledge_copy / "criteria.yaml", lambda d: d["scorecard"]["point_evidence"]["story"].append("charisma"))
    with pytest.raises(KnowledgeError, match="charisma"):
        CuratedKnowledge(knowledge_copy).scorecard_rules  # noqa: B018 (loading validates)
    _edit(knowledge_copy / "criteria.yaml", lambda d: d["features"].update({"length": 0}))
    with pytest.raises(KnowledgeError, match="length"):
        CuratedKnowledge(knowledge_copy).feature_scales  # noqa: B018 (loading validates)
