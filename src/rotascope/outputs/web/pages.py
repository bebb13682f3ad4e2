"""Server-rendered pages (Jinja2, autoescaped) with plotly.js charts drawn from embedded
figure JSON; the data comes from the same cached payloads as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .render import render

__all__ = ["router", "login_page", "error_page"]

router = APIRouter(include_in_schema=False)


def login_page(message: str, next_url: str = "/") -> str:
    return render("message.html", title="log in", message=message, login=True,
                  next=next_url)


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    return HTMLResponse(render("message.html", title=f"error {status}", message=message,
                               login=False, next="/"), status_code=status)


@router.get("/login")
def login_form(next: str = "/") -> HTMLResponse:
    return HTMLResponse(login_page("enter the server's token", next))


@router.post("/login")
def login(request: Request, token: str = Form(...), next: str = Form("/")) -> Response:
    import hmac

    from .security import COOKIE, cookie_value

    expected = request.app.state.token
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        return HTMLResponse(login_page("wrong token", next), status_code=401)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(COOKIE, cookie_value(expected), httponly=True, secure=True,
                    samesite="strict", path="/")
    return resp
