from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from core.roles import ROLES, roles_remember


class BearerOrTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, taking `Authorization: Bearer <key>` as well as `Token <key>`.

    OpenAI clients and Prometheus send Bearer; scripts written against DRF send Token.
    """

    def authenticate(self, request):
        scheme = get_authorization_header(request).split(b" ", 1)[0].lower()
        if scheme == b"bearer":
            self.keyword = "Bearer"
        else:
            self.keyword = "Token"
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        # The user's roles come in the same query as the token: every API request needs both.
        role_flags = {f"has_role_{role}": Exists(Group.objects.filter(user=OuterRef("user_id"), name=role))
                      for role in ROLES}
        model = self.get_model()
        try:
            token = model.objects.select_related("user").annotate(**role_flags).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        roles_remember(token.user, {role for role in ROLES if getattr(token, f"has_role_{role}")})
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"
