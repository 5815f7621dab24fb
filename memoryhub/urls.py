app_name = "memoryhub"

urlpatterns: list = []
