app_name = "models_suite"

urlpatterns: list = []
