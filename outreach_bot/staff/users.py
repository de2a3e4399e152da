"""Staff accounts: creating them, Argon2id passwords, and sign-in that resists guessing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from outreach_bot.models import LoginThrottle, School, User, UserSchool
from outreach_bot.models.staff import NOTIFY_CHANNELS, ROLES

MIN_PASSWORD_LENGTH = 12
MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
STAFF_LANGUAGES = ("en", "es")
# argon2-cffi's default PasswordHasher is Argon2id with the RFC 9106 low-memory parameters.
HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class SignInPolicy:
    """How many failed sign-ins an email and address get, and for how long they then wait."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    """An email as stored: trimmed and lower case; AccountError when it is not an address."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise AccountError(f"{email!r} is not an email address; expected name@example.org.")
    return cleaned


def check_password(password: str, context: Iterable[str] = ()) -> None:
    """Refuse passwords too short, or too easy to guess (common passwords, words, names, dates,
    keyboard runs, the account's own email), as scored by zxcvbn."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long; "
            "a few ordinary words in a row make a good one."
        )
    # zxcvbn takes at most 72 characters (its time grows quickly with length); they decide it.
    words = [w for item in context for w in (item.lower(), *re.split(r"\W+", item.lower())) if w]
    if zxcvbn(password[:72], user_inputs=[*words, "outreach", "school"])["score"] < MIN_SCORE:
        raise AccountError(
            "That password is too easy to guess (a common password, a name, a date, a keyboard "
            "run or your email in it); choose three or four unrelated ordinary words instead."
        )


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    now: datetime,
    school_ids: Iterable[str] = (),
    language: str = "en",
    phone: str | None = None,
) -> User:
    """A new staff account; clerks and school leads need at least one school."""
    address = normalize_email(email)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError(f"There is already an account for {address}.")
    check_password(password, [address])
    user = User(
        email=address,
        password_hash=HASHER.hash(password),
        role=role,
        language=language,
        phone=phone,
        notify_by="text" if phone else "email",
        active=True,
        session_version=1,
        created_at=now,
    )
    set_role(session, user, role, school_ids)
    set_language(user, language)
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, user: User, role: str, school_ids: Iterable[str]) -> None:
    """Give a user a role and the schools it covers."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; expected one of {', '.join(ROLES)}.")
    wanted = sorted(set(school_ids))
    known = set(session.scalars(select(School.id).where(School.id.in_(wanted))))
    if missing := [school for school in wanted if school not in known]:
        raise AccountError(f"Unknown school id(s): {', '.join(missing)}; import schools first.")
    if role != "district_admin" and not wanted:
        raise AccountError(f"A {role} needs at least one school (--school SCHOOL_ID).")
    user.role = role
    user.schools = [UserSchool(school_id=school) for school in wanted]


def set_language(user: User, language: str) -> None:
    """The language the dashboard speaks to this user."""
    if language not in STAFF_LANGUAGES:
        raise AccountError(f"The dashboard speaks {', '.join(STAFF_LANGUAGES)}, not {language!r}.")
    user.language = language


def set_notify_by(user: User, channel: str) -> None:
    """How this user hears about new and overdue cases."""
    if channel not in NOTIFY_CHANNELS:
        raise AccountError(f"Notify by one of {', '.join(NOTIFY_CHANNELS)}, not {channel!r}.")
    if channel == "text" and not user.phone:
        raise AccountError("Add a staff phone number before choosing text notifications.")
    user.notify_by = channel


def set_password(user: User, password: str) -> None:
    """Replace a user's password (and end their other sessions)."""
    check_password(password, [user.email])
    user.password_hash = HASHER.hash(password)
    user.session_version += 1


@cache
def _dummy_hash() -> str:
    return HASHER.hash("not-a-password-of-anyone")


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def throttle_key(email: str, address: str) -> str:
    """The throttle row for an email and client address, hashed so no email is kept."""
    return hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    now: datetime,
    policy: SignInPolicy | None = None,
) -> User | None:
    """The user for a right email and password, else None; the caller says the same either way.

    Unknown emails cost one hash too, and a locked email+address is refused even with the
    right password, so neither timing nor answers tell which emails have accounts.
    """
    policy = policy or SignInPolicy()
    key = throttle_key(email, address)
    throttle = session.get(LoginThrottle, key)
    locked = (
        throttle is not None and throttle.locked_until is not None and throttle.locked_until > now
    )
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        matched = False
    else:
        matched = _verify(user.password_hash, password)
    if matched and not locked and user is not None:
        if throttle is not None:
            session.delete(throttle)
        if HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = HASHER.hash(password)
        user.last_login_at = now
        return user
    _record_failure(session, key, throttle, now, policy)
    return None


def _record_failure(
    session: Session,
    key: str,
    throttle: LoginThrottle | None,
    now: datetime,
    policy: SignInPolicy,
) -> None:
    if throttle is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1, first_failure_at=now))
        except IntegrityError:
            pass  # a parallel failure created it first; one failure more or less is fine
        return
    if throttle.locked_until is not None and throttle.locked_until > now:
        return
    if throttle.first_failure_at + policy.lockout <= now:
        throttle.failures, throttle.first_failure_at, throttle.locked_until = 1, now, None
        return
    throttle.failures += 1
    if throttle.failures >= policy.max_failures:
        throttle.locked_until = now + policy.lockout
