"""Replies from a task to the request waiting for it, through Redis lists (the gateway's channel)."""

from django.conf import settings

from core.redis_clients import client_for
from workers.replies import REPLY_TTL_SECONDS, new_reply_key, replies, reply, reply_push


def test_pieces_arrive_in_order_and_the_first_other_message_ends_the_reply():
    key = new_reply_key()
    for message in ({"piece": "a"}, {"piece": "b"}, {"end": True}, {"piece": "after the end"}):
        reply_push(key, message)
    assert list(replies(key, timeout=1)) == [{"piece": "a"}, {"piece": "b"}, {"end": True}]


def test_an_answer_that_does_not_come_is_none_and_one_that_comes_late_expires():
    key = new_reply_key()
    assert reply(key, timeout=1) is None
    reply_push(key, {"result": "late"})  # nobody waits any more: it must not stay for ever
    assert 0 < client_for(settings.CELERY_RESULT_BACKEND).ttl(key) <= REPLY_TTL_SECONDS


def test_two_waiters_get_their_own_answers():
    first, second = new_reply_key(), new_reply_key()
    reply_push(second, {"result": 2})
    reply_push(first, {"result": 1})
    assert reply(first, timeout=1) == {"result": 1} and reply(second, timeout=1) == {"result": 2}
