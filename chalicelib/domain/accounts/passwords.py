"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from typing import Any

#: Refused outright: the most common passwords of leaked lists that pass the length rule.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou123",
        "contraseña",
        "contrasena",
        "contraseña123",
        "contrasena123",
        "senha12345",
        "abc1234567",
        "qwerty1234",
        "administrator",
        "admin12345",
        "1111111111",
        "aaaaaaaaaa",
        "welcome123",
        "bienvenido",
        "bienvenido1",
        "atiende123",
    }
)
MIN_LENGTH = 10
MAX_LENGTH = 128


def policy_problems(password: str, email: str | None = None) -> list[str]:
    """What is wrong with a new password (empty when it is acceptable).

    Follows NIST SP 800-63B: length over composition rules, and no common or
    account-derived passwords.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must have at most {MAX_LENGTH} characters")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("is too common or too simple")
    if email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in password.lower():
            problems.append("must not contain your email address")
    return problems


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    from chalicelib.settings import get_settings

    settings = get_settings()
    if settings.fast_password_hash and settings.stage == "test":
        # the automated tests (tests/conftest.py), never a deployed stage nor `make run`
        # nor `make bench`: still Argon2id, at its smallest cost
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    # argon2-cffi's defaults are RFC 9106's low-memory profile (Argon2id, 64 MiB, t=3).
    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing reveals nothing."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash or _dummy_hash(), password)) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return bool(_hasher().check_needs_rehash(stored_hash))


@cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-just-equal-work")
