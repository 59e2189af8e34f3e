"""ASGI entry point for uvicorn: ``uvicorn server.asgi:create_app --factory``."""

from __future__ import annotations

from litestar import Litestar

from server.app import create_app as _create_app


def create_app() -> Litestar:
    return _create_app()
