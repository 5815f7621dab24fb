from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Update the knowledge graph",
        task="memoryhub.tasks.graph_update_task",
        every=10, period="minutes",
        description="Folds new documents, memories and hobbies' rows into the knowledge graph and syncs the Neo4j "
        "copy: a safety net behind the update each commit queues (one lost with a broker outage, say).",
    ),
    DefaultSchedule(
        name="Compute the knowledge graph's communities",
        task="memoryhub.tasks.graph_communities_task",
        every=1, period="hours",
        description="Leiden communities over the current edges, stored on the nodes (and pushed to the Neo4j copy).",
    ),
    DefaultSchedule(
        name="Rebuild the Neo4j copy of the knowledge graph",
        task="memoryhub.tasks.graph_resync_task",
        crontab="30 3 * * *",
        description="Rebuilds the Neo4j engine's copy from the truth, so that it equals the truth exactly whatever the "
        "incremental syncs could not see (a row committed over a minute after it was stamped, or stamped by a clock "
        "running behind). A no-op when GRAPH_ENGINE is sql.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("memoryhub", "0005_knowledge_graph"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
