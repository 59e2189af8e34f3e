"""Server-rendered pages. Each feature's pages live in their own module; this lists them."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    return Template("home.html", context={"user": request.scope.get("user")})


def page_handlers() -> list[Any]:
    return [home]
