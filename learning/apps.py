from django.apps import AppConfig

from core.metrics import add_collector
from hobbies.policies import SelectionPolicy, insight_confidence_set, selection_policy_register
from models_suite.services.adapter_resolution import adapter_registry_set


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning: feedback, reward, adapters"

    def ready(self):
        from learning.metrics import LearningCollector  # Django: models are not ready before apps load

        add_collector(LearningCollector())  # rollbacks, training jobs and champions in /metrics
        # What the apps below learning use without importing it: the adapters it trains, the reward-driven hobby
        # policy and the confidence people's feedback taught for each kind of insight.
        from learning.feedback.patterns import pattern_confidence  # Django: models are not ready before apps load
        from learning.loop.adapters import ServedAdapters  # Django: models are not ready before apps load
        from learning.loop.hobby_policy import reward_policy_choice  # Django: models are not ready before apps load

        adapter_registry_set(ServedAdapters())
        selection_policy_register(SelectionPolicy.REWARD, reward_policy_choice)
        insight_confidence_set(pattern_confidence)
