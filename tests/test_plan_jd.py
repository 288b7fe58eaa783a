"""The job description's skills shape which questions come: a GenAI job description that names RLHF and
speculative decoding gets asked about both; generic words ("models", "pipelines") choose nothing."""

from interviewer.interview.plan import jd_skills, plan_round
from interviewer.resume.claims import vocabulary

JD = """Machine Learning Engineer, Generative AI (Siri). You will align large language models with RLHF, speed up
on-device inference with speculative decoding, and build evaluation pipelines. Python, PyTorch."""


def test_skills_are_the_curated_techniques_the_job_description_names(settings):
    techniques = vocabulary(str(settings.knowledge_dir))["techniques"]
    skills = jd_skills(JD, techniques)
    assert skills[:2] == ["rlhf", "speculative decoding"]
    assert "pipelines" not in skills and "models" not in skills
    assert jd_skills(None, techniques) == []


def test_a_genai_plan_asks_about_the_job_descriptions_skills(fake_knowledge):
    for seed in (1, 2, 3):
        ids = [p.question.id for p in plan_round(fake_knowledge, "genai", "general", JD, None, None, None, seed)]
        assert any(i in ids for i in ("genai-rlhf-pipeline", "genai-dpo-vs-ppo", "genai-reward-hacking")), ids
        assert "genai-speculative-decoding" in ids, ids
    plain = [p.question.id for p in plan_round(fake_knowledge, "genai", "general", None, None, None, None, 1)]
    assert "genai-speculative-decoding" not in plain  # it is the job description that brought it
