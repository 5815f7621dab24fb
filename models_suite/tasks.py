"""The models role's tasks. What they raise (UnknownModel, BackendUnavailable, InvalidRequest...) or answer with
({"error": {status, code, message}}, as an over-budget load does) reaches a waiting client as the status and code
of workers.results.WORKER_ERRORS: let them raise, never turn them into a success or a bare 500."""

from models_suite.models import EvalRun, ModelArtifact
from models_suite.services.router_training import router_train
from workers.base import autodidact_task
from workers.queues import QueueRole


def _eval_run_machine(args, kwargs) -> str | None:
    """A local model runs where its files are; a remote one on any machine with a models worker."""
    return EvalRun.objects.filter(pk=kwargs["eval_run_id"]).values_list("model__machine", flat=True).first() or None


@autodidact_task(name="models_suite.tasks.eval_run_task", role=QueueRole.MODELS, machine_for=_eval_run_machine)
def eval_run_task(eval_run_id: int) -> float | None:
    # cycle: models_suite.services.evaluation imports this module
    from models_suite.services.evaluation import eval_run_execute

    return eval_run_execute(eval_run_id=eval_run_id).score


def _model_machine(args, kwargs) -> str | None:
    return ModelArtifact.objects.filter(name=kwargs["model_name"]).values_list("machine", flat=True).first() or None


@autodidact_task(name="models_suite.tasks.model_load_task", role=QueueRole.MODELS, machine_for=_model_machine)
def model_load_task(model_name: str, pin: bool = False) -> dict:
    """Make a model resident on its machine (the process that takes this task keeps it)."""
    # cycle: models_suite.services.hosting imports this module (via services.preload)
    from models_suite.services.hosting import model_load

    return model_load(artifact=ModelArtifact.objects.get(name=model_name), pin=pin)


@autodidact_task(name="models_suite.tasks.model_unload_task", role=QueueRole.MODELS, machine_for=_model_machine)
def model_unload_task(model_name: str) -> bool:
    # cycle: models_suite.services.hosting imports this module (via services.preload)
    from models_suite.services.hosting import model_unload

    return model_unload(name=model_name)


@autodidact_task(
    name="models_suite.tasks.generate_task",
    role=QueueRole.MODELS,
    machine_for=_model_machine,
    idempotent=False,
    track_started=False,
    ignore_result=True,
)
def generate_task(
    model_name: str, request: dict, reply_key: str, stream: bool = False, remote_timeout: float | None = None
) -> None:
    """One gateway request, answered through reply_key (workers.replies). Not re-run if its worker dies:
    the client is told, and may ask again. remote_timeout (a routed request): a remote endpoint is called once,
    with that timeout, since the router fails over instead of retrying."""
    # cycle: models_suite.services.generation imports this module (via services.hosting, services.preload)
    from models_suite.services.generation import generate_reply

    generate_reply(
        model_name=model_name, request=request, reply_key=reply_key, stream=stream, remote_timeout=remote_timeout
    )


@autodidact_task(name="models_suite.tasks.models_preload_task", role=QueueRole.CONTROL)
def models_preload_task() -> list[str]:
    from models_suite.services.preload import models_preload  # cycle: models_suite.services.preload imports this module

    return models_preload()


@autodidact_task(name="models_suite.tasks.model_swap_task", role=QueueRole.MODELS, machine_for=_model_machine)
def model_swap_task(model_name: str, new_model_name: str) -> dict:
    """Swap a resident model for another on its machine, without dropping a request in flight."""
    # cycle: models_suite.services.hosting imports this module (via services.preload)
    from models_suite.services.hosting import model_swap

    return model_swap(old_name=model_name, new=ModelArtifact.objects.get(name=new_model_name))


@autodidact_task(name="models_suite.tasks.router_train_task", role=QueueRole.MODELS)
def router_train_task(force: bool = False) -> int | None:
    """A new learned-router version when graded attempts grew enough (beat, hourly); its version, or None."""
    version = router_train(force=force)
    return version.version if version else None
