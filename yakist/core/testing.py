"""Test helpers: a real HTTP server that serves the test's own database transaction.

Django's live server needs committed data, which would wipe the shared demo world after each
test. This server shares the test thread's database connections instead (as Django already
does for in-memory SQLite) and serialises requests with a lock, so a test can create rows in
its transaction, call the server over real HTTP, and have everything rolled back afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler


class _SharedConnectionServer(ThreadedWSGIServer):
    def _close_connections(self) -> None:
        pass  # the connections belong to the test


class _SerialisedApp:
    """One request at a time through the shared connection; sockets stay concurrent."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return list(self.app(environ, start_response))


class SharedConnectionServerThread(LiveServerThread):
    server_class = _SharedConnectionServer

    def run(self) -> None:
        for alias, conn in self.connections_override.items():
            connections[alias] = conn
        try:
            handler = _SerialisedApp(self.static_handler(WSGIHandler()))
            self.httpd = self.server_class(
                (self.host, self.port),
                QuietWSGIRequestHandler,
                allow_reuse_address=False,
                connections_override=self.connections_override,
            )
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(handler)
            self.is_ready.set()
            self.httpd.serve_forever()
        except Exception as error:  # reported to the test by the fixture
            self.error = error
            self.is_ready.set()


@contextmanager
def shared_connection_server(host: str = "127.0.0.1") -> Iterator[str]:
    """Start the server; yield its base URL."""
    overrides = {}
    for conn in connections.all(initialized_only=True) or [connections["default"]]:
        conn.inc_thread_sharing()
        overrides[conn.alias] = conn
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    thread = SharedConnectionServerThread(host, _StaticFilesHandler, connections_override=overrides)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://{host}:{thread.port}"
    finally:
        thread.terminate()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        for conn in overrides.values():
            conn.dec_thread_sharing()


def away_from_window_edge(window_seconds: int = 60, margin: float = 5.0) -> None:
    """Rate limits count in fixed windows: start a test that counts requests well inside one,
    so that the window does not turn over between its requests."""
    import time

    into = time.time() % window_seconds
    if into > window_seconds - margin:
        time.sleep(window_seconds - into + 0.05)
