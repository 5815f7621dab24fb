from django.urls import path

from models_suite.api import gateway

urlpatterns = [
    path("models", gateway.ModelsView.as_view(), name="gateway-models"),
    path("completions", gateway.CompletionsView.as_view(), name="gateway-completions"),
    path("chat/completions", gateway.ChatCompletionsView.as_view(), name="gateway-chat"),
]
