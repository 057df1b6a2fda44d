"""The Redis cache shares one client per connection pool (Django's makes one
per operation) and behaves as Django's: values round-trip, and it answers
again after Redis dropped every connection (a restart)."""

from __future__ import annotations

import os
import uuid

import redis
from django.core.cache.backends.redis import RedisCache
from django.test import SimpleTestCase

from config.redis_cache import SharedClientRedisCache

REDIS_URL = os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/11"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class SharedClientRedisCacheTests(SimpleTestCase):
    def setUp(self):
        if not _redis_answers():
            self.skipTest(f"no Redis at {REDIS_URL}")
        prefix = f"test-shared-{uuid.uuid4().hex}"
        self.cache = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
        self.stock = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
        self.addCleanup(self.cache.clear)

    def test_every_operation_uses_the_same_client(self):
        client = self.cache._cache.get_client()
        self.assertIs(self.cache._cache.get_client(write=True), client)
        self.assertIs(self.cache._cache.get_client("any key"), client)

    def test_values_round_trip_as_with_djangos_cache(self):
        value = {"phases": [(1, "2023–2025")], "n": 3}
        self.cache.set("k", value, 60)
        self.assertEqual(self.cache.get("k"), value)
        self.assertEqual(self.stock.get("k"), value)
        self.stock.set("m", [1, 2], 60)
        self.assertEqual(self.cache.get_many(["k", "m"]), {"k": value, "m": [1, 2]})
        self.cache.delete("k")
        self.assertIsNone(self.cache.get("k"))

    def test_it_answers_again_after_redis_dropped_its_connections(self):
        self.cache.set("k", "v", 60)
        # The cache's own connection only: other tests and the worker share
        # this Redis.
        own = self.cache._cache.get_client().client_id()
        killed = redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=own)
        self.assertEqual(killed, 1)
        self.assertEqual(self.cache.get("k"), "v")
