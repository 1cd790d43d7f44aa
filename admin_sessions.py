"""Who is signed in as an admin: a secret the server issues at sign-in, ended by sign-out or
by 30 minutes unused, and a per-client lockout after repeated wrong passwords.

Admin rights once lived on Gradio's 11-character session hash, which travels in URLs: a
second client reusing it got the admin tables without the password (issue 24). The secret
here goes to the browser only as an HttpOnly, SameSite=Strict cookie (admin_gate.py) and is
kept on the server only as its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Callable

from config import Settings

COOKIE = "assistant_admin"


class LockedOut(Exception):
    """Too many wrong passwords from this client; `seconds` until it may try again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"locked out for {seconds:.0f} s")
        self.seconds = seconds


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AdminSessions:
    def __init__(self, password: str, *, idle_s: float, max_failures: int, lockout_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._password = password.encode("utf-8")
        self.idle_s, self.max_failures, self.lockout_s = idle_s, max_failures, lockout_s
        self._clock = clock
        self._last_used: dict[str, float] = {}  # token hash → when it was last used
        self._failures: dict[str, tuple[int, float, float]] = {}  # client → (wrong in a row, last wrong, locked until)
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> "AdminSessions":
        return cls(settings.admin_password, idle_s=settings.admin_idle_minutes * 60,
                   max_failures=settings.admin_max_failures, lockout_s=settings.admin_lockout_minutes * 60)

    def sign_in(self, client: str, given: str) -> str | None:
        """A new session's secret for the right password, None for a wrong one; LockedOut
        while this client has had `max_failures` wrong passwords in a row lately."""
        now = self._clock()
        with self._lock:
            self._forget_idle(now)
            failures, last, until = self._failures.get(client, (0, 0.0, 0.0))
            if until > now:
                raise LockedOut(until - now)
            if not hmac.compare_digest(given.encode("utf-8"), self._password):
                failures = (failures if now - last < self.lockout_s else 0) + 1  # "lately": within a lockout's length
                locked = failures >= self.max_failures
                self._failures[client] = (0 if locked else failures, now, now + self.lockout_s if locked else 0.0)
                if locked:
                    raise LockedOut(self.lockout_s)
                return None
            self._failures.pop(client, None)
            token = secrets.token_urlsafe(32)
            self._last_used[_digest(token)] = now
            return token

    def check(self, token: str | None) -> bool:
        """Whether `token` is a live session's secret; using it keeps the session alive."""
        if not token:
            return False
        now, key = self._clock(), _digest(token)
        with self._lock:
            last = self._last_used.get(key)
            if last is None or now - last > self.idle_s:
                self._last_used.pop(key, None)
                return False
            self._last_used[key] = now
            return True

    def sign_out(self, token: str | None) -> None:
        with self._lock:
            self._last_used.pop(_digest(token or ""), None)

    def _forget_idle(self, now: float) -> None:
        """Drop ended sessions and spent lockouts, so neither table grows without end."""
        self._last_used = {k: t for k, t in self._last_used.items() if now - t <= self.idle_s}
        self._failures = {c: f for c, f in self._failures.items() if f[2] > now or now - f[1] < self.lockout_s}
