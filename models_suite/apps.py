from django.apps import AppConfig


class ModelsSuiteConfig(AppConfig):
    name = "models_suite"
    verbose_name = "Model suite"
