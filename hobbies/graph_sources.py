"""What hobbies adds to the knowledge graph (memoryhub.services.graph_build reads these through the sources
registered in HobbiesConfig.ready): the catalogue (hobby types, suites, skills), and, as they happen, insights with
their activity, sub-agent and failure kind, recurring patterns, and each sub-agent's measured level per skill and
per hobby type, as facts that change (a new level closes the old edge: its history stays)."""

from __future__ import annotations

from hobbies.analysis import KIND_TEXT
from hobbies.catalogue import CATALOGUE
from hobbies.models import Insight, Pattern, Progress
from memoryhub.services.graph_build import Facts, changed_since, mention_facts


def _node(node_kind: str, name: str, label: str | None = None, **properties) -> dict:
    return {
        "key": f"{node_kind}:{name}",
        "kind": node_kind,
        "name": name,
        "label": label or name,
        "properties": properties,
    }


def _edge(source: dict, relation: str, target: dict, *, weight: float = 1.0, evidence=(), **extra) -> dict:
    return {
        "source": source["key"],
        "target": target["key"],
        "relation": relation,
        "weight": weight,
        "evidence": list(evidence),
        **extra,
    }


def read_catalogue(position: int, limit: int) -> tuple[list[Facts], int]:
    """Hobby types -uses-> suites -covers-> skills, once (position 1: read)."""
    if position >= 1:
        return [], position
    from models_suite.evaluation.suites import builtin_suites

    suites = builtin_suites()
    facts = Facts()
    for spec in CATALOGUE.values():
        hobby = _node(
            "hobby_type", spec.name, spec.name.replace("_", " ").capitalize(), objective=spec.learning_objective
        )
        facts.nodes.append(hobby)
        for suite_name in spec.suites:
            suite = suites.get(suite_name)
            if suite is None:
                continue
            suite_node = _node("suite", suite.name, description=suite.description)
            facts.nodes.append(suite_node)
            facts.edges.append(_edge(hobby, "uses", suite_node))
            for skill in suite.skills:
                skill_node = _node("skill", skill)
                facts.nodes.append(skill_node)
                facts.edges.append(_edge(suite_node, "covers", skill_node))
    return [facts], 1


def read_insights(position: int, limit: int) -> tuple[list[Facts], int]:
    rows = list(
        Insight.objects.filter(pk__gt=position).select_related("activity", "activity__subagent").order_by("pk")[:limit]
    )
    out = []
    for insight in rows:
        activity = insight.activity
        evidence = [f"insight:{insight.pk}"]
        node = _node("insight", str(insight.pk), insight.text[:120], kind=insight.kind, source=insight.source,
                     share=round(insight.share, 4), activity=activity.activity_id)  # fmt: skip
        skill = _node("skill", insight.skill)
        act = _node("activity", activity.activity_id, f"{activity.hobby_type.lower()} {activity.activity_id}",
                    score=activity.score, model=activity.model_name)  # fmt: skip
        hobby = _node("hobby_type", activity.hobby_type, activity.hobby_type.replace("_", " ").capitalize())
        facts = Facts(nodes=[node, skill, act, hobby])
        facts.edges += [
            _edge(node, "about", skill, weight=max(insight.share, 0.05), evidence=evidence),
            _edge(node, "found_in", act, evidence=evidence),
            _edge(act, "practised", skill, evidence=[f"activity:{activity.activity_id}"]),
            _edge(act, "of_type", hobby, evidence=[f"activity:{activity.activity_id}"]),
        ]
        if activity.subagent is not None:
            agent = _node("subagent", activity.subagent.subagent_id)
            facts.nodes.append(agent)
            facts.edges.append(_edge(agent, "performed", act, evidence=[f"activity:{activity.activity_id}"]))
        if insight.kind in KIND_TEXT:
            failure = _node("failure_kind", insight.kind, KIND_TEXT[insight.kind].replace("were ", ""))
            facts.nodes.append(failure)
            facts.edges.append(_edge(node, "shows", failure, weight=max(insight.share, 0.05), evidence=evidence))
        if insight.source == Insight.Source.REFLECTION:
            mention_facts(facts, node["key"], insight.text, evidence[0])
        out.append(facts)
    return out, (rows[-1].pk if rows else position)


def read_patterns(position: int, limit: int) -> tuple[list[Facts], int]:
    """A recurring failure kind in a skill: skill -has_pattern-> failure kind, weighed by the attempts showing it."""
    rows, new_position = changed_since(Pattern.objects.all(), "last_seen", position, limit)
    out = []
    for pattern in rows:
        skill = _node("skill", pattern.skill)
        failure = _node("failure_kind", pattern.kind, KIND_TEXT.get(pattern.kind, pattern.kind).replace("were ", ""))
        evidence = [f"pattern:{pattern.pk}"]
        facts = Facts(nodes=[skill, failure])
        facts.edges.append(
            _edge(skill, "has_pattern", failure, weight=float(pattern.attempts), evidence=evidence, fact=True)
        )
        out.append(facts)
    return out, new_position


def read_levels(position: int, limit: int) -> tuple[list[Facts], int]:
    """Each sub-agent's measured proficiency per hobby type and score per skill: facts with a time of validity."""
    rows, new_position = changed_since(
        Progress.objects.exclude(last_activity=None).select_related("subagent"), "last_activity", position, limit
    )
    out = []
    for progress in rows:
        agent = _node("subagent", progress.subagent.subagent_id)
        hobby = _node("hobby_type", progress.hobby_type, progress.hobby_type.replace("_", " ").capitalize())
        facts = Facts(nodes=[agent, hobby])
        evidence = [f"progress:{progress.pk}"]
        if progress.proficiency is not None:
            facts.edges.append(_edge(agent, "proficient_at", hobby, weight=round(progress.proficiency, 4),
                                     evidence=evidence, fact=True, valid_from=progress.last_activity))  # fmt: skip
        for skill_name, measured in sorted((progress.skill_scores or {}).items()):
            score = measured.get("score") if isinstance(measured, dict) else measured
            if isinstance(score, (int, float)) and not isinstance(score, bool):
                skill = _node("skill", skill_name)
                facts.nodes.append(skill)
                facts.edges.append(_edge(agent, "level_in", skill, weight=round(float(score), 4),
                                         evidence=evidence, fact=True, valid_from=progress.last_activity))  # fmt: skip
        out.append(facts)
    return out, new_position


SOURCES = {"catalogue": read_catalogue, "insights": read_insights, "patterns": read_patterns, "levels": read_levels}
