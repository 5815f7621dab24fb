from models_suite.models import EvalRun
from workers.base import autodidact_task


def _eval_run_machine(args, kwargs) -> str | None:
    """A local model runs where its files are; a remote one on any machine with a models worker."""
    return EvalRun.objects.filter(pk=kwargs["eval_run_id"]).values_list("model__machine", flat=True).first() or None


@autodidact_task(role="models", machine_for=_eval_run_machine)
def eval_run_task(eval_run_id: int) -> float | None:
    from models_suite.services.evaluation import eval_run_execute

    return eval_run_execute(eval_run_id=eval_run_id).score
