import json

from django.core.management.base import BaseCommand, CommandError

from models_suite.services.registry import RegistrationError, model_register


class Command(BaseCommand):
    help = (
        "Register a model: a transformers directory, a GGUF file, or an OpenAI-compatible endpoint URL "
        "(with --model). Prints the metadata read from it."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", metavar="PATH_OR_URL")
        parser.add_argument("--name", help="how requests address it (default: from the path or model)")
        parser.add_argument("--model", dest="remote_model", help="remote only: the model name the endpoint expects")
        parser.add_argument("--api-key-env", default="", help="remote only: environment variable holding the key")
        parser.add_argument("--context-length", type=int, default=0, help="remote only: the model's context")
        parser.add_argument("--no-verify", action="store_true", help="remote only: do not ask the endpoint")

    def handle(self, *args, target, name, remote_model, api_key_env, context_length, no_verify, **options):
        extra = {"name": name}
        if target.startswith(("http://", "https://")):
            extra.update(
                remote_model=remote_model or "",
                api_key_env=api_key_env,
                context_length=context_length,
                verify=not no_verify,
            )
        elif remote_model or api_key_env or context_length or no_verify:
            raise CommandError("--model, --api-key-env, --context-length and --no-verify are for URLs only")
        try:
            artifact = model_register(target=target, **extra)
        except RegistrationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(describe(artifact), indent=2))


def describe(artifact) -> dict:
    return {
        "name": artifact.name,
        "kind": artifact.kind,
        "status": artifact.status,
        "location": artifact.path or f"{artifact.base_url} ({artifact.remote_model})",
        "architecture": artifact.architecture,
        "context_length": artifact.context_length,
        "parameter_count": artifact.parameter_count,
        "quantization": artifact.quantization,
        "size_bytes": artifact.size_bytes,
        "estimated_memory_bytes": artifact.estimated_memory_bytes,
        "sha256": artifact.sha256,
        "license": artifact.license,
        "capabilities": artifact.capabilities,
        "tokenizer": artifact.tokenizer,
    }
