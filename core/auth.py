from rest_framework.authentication import TokenAuthentication, get_authorization_header


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

    def authenticate_header(self, request):
        return "Bearer"
