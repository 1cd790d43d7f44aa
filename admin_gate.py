"""The admin page's door, in front of Gradio: the sign-in page and sign-out (plain HTTP, so
the server can set its session cookie), and a guard that lets only a signed-in admin open
/admin or upload files to Gradio.

Gradio's event handlers cannot set cookies, so signing in is an ordinary form post to
/admin/sign-in; the admin page's handlers then check the cookie on every call (admin.py).
"""

from __future__ import annotations

import html

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from admin_sessions import COOKIE, AdminSessions, LockedOut

SIGN_IN = "/admin/sign-in"
SIGN_OUT = "/admin/sign-out"
# Gradio's routes that take files (upload, component_server, process_recording) under this
# prefix: only the admin page sends files, so no one else may fill Gradio's folder.
GRADIO_API = "/gradio_api/"
NOTICES = {  # fixed text only: nothing from the request is echoed into the page
    "wrong": "Wrong password.",
    "out": "Signed out.",
    "ended": "Your admin session has ended (signed out, or unused for too long): sign in again.",
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin sign-in: safeguarding procedures assistant</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}input,button{{font-size:1rem;padding:.5rem}}
input{{width:100%;box-sizing:border-box;margin:.25rem 0 1rem}}[role=status]{{font-weight:bold}}</style></head>
<body><main><h1>Admin sign-in</h1>
<form method="post" action="{action}"><label for="password">Admin password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form>
<p role="status">{notice}</p><p><a href="/">Back to the chat</a></p></main></body></html>"""


def sign_in_page(notice: str = "", status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(action=SIGN_IN, notice=html.escape(notice)), status_code=status,
                        headers={"Cache-Control": "no-store"})


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def routes(sessions: AdminSessions) -> list[Route]:
    async def show(request: Request) -> HTMLResponse:
        return sign_in_page(NOTICES.get(request.query_params.get("notice", ""), ""))

    async def sign_in(request: Request):
        form = await request.form(max_files=0, max_fields=5)
        try:
            token = sessions.sign_in(_client(request), str(form.get("password") or ""))
        except LockedOut as locked:
            minutes = max(1, round(locked.seconds / 60))
            return sign_in_page(f"Too many wrong passwords from this computer: try again in {minutes} minute{'s' * (minutes != 1)}.", 429)
        if token is None:
            return sign_in_page(NOTICES["wrong"], 401)
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    async def sign_out(request: Request) -> RedirectResponse:
        sessions.sign_out(request.cookies.get(COOKIE))
        response = RedirectResponse(f"{SIGN_IN}?notice=out", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return [Route(SIGN_IN, show, methods=["GET"]), Route(SIGN_IN, sign_in, methods=["POST"]),
            Route(SIGN_OUT, sign_out, methods=["POST"])]


class AdminGuard:
    """ASGI middleware: /admin, and any file sent to Gradio, need a live admin session."""

    def __init__(self, app, sessions: AdminSessions) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path, request = scope["path"].rstrip("/"), Request(scope)
            sends_files = (scope["method"] == "POST" and scope["path"].startswith(GRADIO_API)
                           and request.headers.get("content-type", "").startswith("multipart/form-data"))
            if (path == "/admin" or sends_files) and not self.sessions.check(request.cookies.get(COOKIE)):
                response = (RedirectResponse(SIGN_IN, status_code=303) if path == "/admin"
                            else PlainTextResponse("Sign in as an admin to upload files.", status_code=403))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def app_kwargs(sessions: AdminSessions) -> dict:
    """What Gradio's launch(app_kwargs=…) passes to its FastAPI app: these routes come before Gradio's own."""
    return {"routes": routes(sessions), "middleware": [Middleware(AdminGuard, sessions=sessions)]}
