"""The cache backend: Django's Redis cache, with one Redis client kept per connection pool.

Django's builds a new `redis.Redis` for every cache call (its constructor copies some 170 response callbacks), a
third of a call's CPU; a line save makes one (entity extraction's pending mark). A `redis.Redis` is safe to share, and
Django's comment on `get_client` names a custom client as the way to change how it is chosen."""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
