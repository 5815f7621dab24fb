from django.apps import AppConfig


class HobbiesConfig(AppConfig):
    name = "hobbies"
    verbose_name = "Hobbies: practice, sub-agents, proficiency"
