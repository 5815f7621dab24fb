from core import services
from workers.base import autodidact_task


@autodidact_task(role="control")
def error_events_prune_task(older_than_days: int | None = None) -> int:
    return services.error_events_prune(older_than_days=older_than_days)
