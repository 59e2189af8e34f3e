"""Accounts: registration, login and logout (pages and API), API tokens."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.params import FromQuery, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, EmailStr, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import signed_in
from server.auth.middleware import CurrentUser, token_digest
from server.auth.passwords import DUMMY_HASH, hash_password, verify_password
from server.db.session import transaction
from server.db.tables import ApiToken, User


class Registration(BaseModel):
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=10, max_length=1024)

    @field_validator("display_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a display name cannot be blank")
        return value


class Credentials(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    email: str
    display_name: str


class TokenRequest(BaseModel):
    name: str = Field(default="script", min_length=1, max_length=120)


class TokenOut(BaseModel):
    token: str
    name: str


class TokenLogin(Credentials):
    name: str = Field(default="script", min_length=1, max_length=120)


def _issue_token(session: AsyncSession, user_id: Any, name: str) -> TokenOut:
    token = "ef_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, name=name, token_hash=token_digest(token)))
    return TokenOut(token=token, name=name)


class Conflict409(HTTPException):
    status_code = 409


# argon2 is deliberately slow (tens of milliseconds of CPU): it runs in a worker thread,
# outside any transaction, so it neither blocks the event loop nor holds SQLite's lock.


async def register_user(connection: Any, form: Registration) -> User:
    email = form.email.lower()
    password_hash = await asyncio.to_thread(hash_password, form.password)
    async with transaction(connection) as session:
        existing = await session.scalar(select(User).where(User.email == email))
        if existing is not None:
            raise Conflict409(detail="An account with this email already exists.")
        user = User(email=email, display_name=form.display_name, password_hash=password_hash)
        session.add(user)
        await session.flush()
        return user


async def check_credentials(connection: Any, form: Credentials) -> User:
    async with transaction(connection) as session:
        user = await session.scalar(select(User).where(User.email == form.email.lower()))
    stored = user.password_hash if user is not None else DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, stored, form.password)
    if user is None or not matches:
        raise NotAuthorizedException("Wrong email or password.")
    return user


def _out(user: User) -> UserOut:
    return UserOut(id=str(user.id), email=user.email, display_name=user.display_name)


def _sign_in(request: Request[Any, Any, Any], user: User) -> None:
    request.clear_session()  # a fresh session id on every sign-in (no fixation)
    request.set_session({"user_id": str(user.id)})


class AuthApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/register", status_code=HTTP_201_CREATED)
    async def register(
        self, request: Request[Any, Any, Any], data: JSONBody[Registration]
    ) -> UserOut:
        """Create an account and sign in."""
        user = await register_user(request, data)
        _sign_in(request, user)
        return _out(user)

    @post("/auth/login", status_code=200)
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[Credentials]) -> UserOut:
        """Sign in with email and password; sets the session cookie."""
        user = await check_credentials(request, data)
        _sign_in(request, user)
        return _out(user)

    @post("/auth/logout", status_code=204)
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        """Sign out."""
        request.clear_session()

    @get("/me", guards=[signed_in])
    async def me(self, request: Request[CurrentUser, Any, Any]) -> UserOut:
        """The signed-in account."""
        user = request.user
        return UserOut(id=str(user.id), email=user.email, display_name=user.display_name)

    @post("/auth/token", status_code=HTTP_201_CREATED)
    async def token_for_credentials(
        self, request: Request[Any, Any, Any], data: JSONBody[TokenLogin]
    ) -> TokenOut:
        """Exchange email and password for an API token (scripts that hold no session)."""
        user = await check_credentials(
            request, Credentials(email=data.email, password=data.password)
        )
        async with transaction(request) as session:
            return _issue_token(session, user.id, data.name)

    @post("/tokens", guards=[signed_in], status_code=HTTP_201_CREATED)
    async def create_token(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[TokenRequest]
    ) -> TokenOut:
        """Create an API token for scripts. It is shown once; only its hash is kept."""
        async with transaction(request) as session:
            return _issue_token(session, request.user.id, data.name)


FormData = URLEncodedBody[dict[str, str]]


def _form_errors(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]


class AuthPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/login")
    async def login_page(self, next: FromQuery[str] = "/") -> Template:
        return Template("auth/login.html", context={"next": _safe_next(next), "errors": []})

    @post("/login", status_code=200)
    async def login_form(
        self, request: Request[Any, Any, Any], data: FormData
    ) -> Template | Redirect:
        next_url = _safe_next(data.get("next", "/"))
        try:
            user = await check_credentials(request, Credentials.model_validate(data))
        except (ValidationError, NotAuthorizedException):
            return Template(
                "auth/login.html",
                context={
                    "next": next_url,
                    "errors": ["Wrong email or password."],
                    "email": data.get("email", ""),
                },
                status_code=400,
            )
        _sign_in(request, user)
        return Redirect(next_url, status_code=303)

    @get("/register")
    async def register_page(self, next: FromQuery[str] = "/") -> Template:
        return Template("auth/register.html", context={"next": _safe_next(next), "errors": []})

    @post("/register", status_code=200)
    async def register_form(
        self, request: Request[Any, Any, Any], data: FormData
    ) -> Template | Redirect:
        next_url = _safe_next(data.get("next", "/"))
        try:
            user = await register_user(request, Registration.model_validate(data))
        except ValidationError as error:
            return Template(
                "auth/register.html",
                context={"next": next_url, "errors": _form_errors(error), "form": data},
                status_code=400,
            )
        except Conflict409 as error:
            return Template(
                "auth/register.html",
                context={"next": next_url, "errors": [error.detail], "form": data},
                status_code=409,
            )
        _sign_in(request, user)
        return Redirect(next_url, status_code=303)

    @post("/logout", status_code=303)
    async def logout_form(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect("/", status_code=303)


def _safe_next(target: str) -> str:
    """Only same-site paths: no open redirects."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
