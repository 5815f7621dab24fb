"""What authentication, roles, throttling (in Redis) and the error middleware cost on every API call.

Candidate: GET /api/v1/me with a token (auth, role check, throttle, JSON). Baseline: GET /health (no auth,
no throttle) through the same middleware. Ratio = candidate / baseline time per request.
"""

from common import Goal, django_on_scratch_database, report, side_by_side

GOALS = (Goal("ratio", source="none set: issue 2 sets no performance goal (its closing note says so)"),)

django_on_scratch_database()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from core.services import role_user_ensure  # noqa: E402

settings.THROTTLE_RATE = "1000000/min"  # measure the throttle's bookkeeping, not its refusals
token = role_user_ensure(username="bench", role="operator").token
client = Client()


def me():
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def health():
    assert client.get("/health").status_code == 200


candidate, baseline = side_by_side(me, health)
print(f"GET /api/v1/me: {candidate * 1e3:.2f} ms/request; GET /health: {baseline * 1e3:.2f} ms/request")
report(
    GOALS,
    f"api_overhead ratio (authenticated, throttled API call / health probe): {candidate / baseline:.2f}",
    ratio=candidate / baseline,
)
