"""`evenfloor serve` and `evenfloor seed-demo`."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option(
    "--host", default=None, help="Interface to listen on (default: EVENFLOOR_HOST or 127.0.0.1)."
)
@click.option(
    "--port", type=int, default=None, help="Port (default: PORT, EVENFLOOR_PORT or 8000)."
)
@click.option("--workers", type=int, default=None, help="Worker processes (PostgreSQL only).")
@click.option("--log-level", default="info", show_default=True)
def serve(host: str | None, port: int | None, workers: int | None, log_level: str) -> None:
    """Run the server under uvicorn."""
    import os

    import uvicorn
    from pydantic import ValidationError

    from server.settings import describe, get_settings

    try:
        settings = get_settings()
    except ValidationError as error:
        click.echo(f"evenfloor: bad settings: {describe(error)}", err=True)
        sys.exit(2)
    host = host or settings.host
    port = port or int(os.environ.get("PORT", settings.port))
    workers = workers or settings.workers
    if settings.is_sqlite and workers > 1:
        click.echo(
            "evenfloor: the embedded SQLite database serves one process; "
            "use PostgreSQL (EVENFLOOR_DATABASE_URL) for several workers.",
            err=True,
        )
        sys.exit(2)
    click.echo(f"Evenfloor is running at http://{host}:{port}", err=True)
    uvicorn.run(
        "server.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        ws_max_size=settings.ws_max_message_bytes,
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_interval_s,
        ws_per_message_deflate=False,
        proxy_headers=True,
        lifespan="on",
    )


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo accounts and room (idempotent)."""
    import asyncio

    from server.demo import seed

    url = asyncio.run(seed())
    click.echo(url)
