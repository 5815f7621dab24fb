app_name = "hobbies"

urlpatterns: list = []
