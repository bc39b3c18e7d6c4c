"""Access decorators and scope helpers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from lms.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in user with one of ``roles`` (admin always passes). Anonymous → login page."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.lms_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Any logged-in user."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def scope_paths(user: Any = None) -> list[str] | None:
    """The unit subtrees ``user`` (default: the current user) may see by name: None means the whole
    organisation (HR and admin); coordinators see the subtrees of their scopes; anyone else none."""
    user = user if user is not None else current_user
    if user.role in ("hr", "admin"):
        return None
    if user.role != "coordinator":
        return []
    return [s.org_unit.path for s in user.scopes]


def sees_everyone(user: Any = None) -> bool:
    return scope_paths(user) is None


def path_in_scope(path: str, paths: list[str] | None) -> bool:
    """A unit (by its materialised path) lies in one of the subtrees (None: everywhere)."""
    return paths is None or any(path.startswith(p) for p in paths)


def in_scope(paths: list[str] | None, unit_path: str) -> bool:
    """The same as :func:`path_in_scope`, arguments in the order the training pages use."""
    return path_in_scope(unit_path, paths)
