"""The access mode, typed: how the dashboard checks who may see it (built from the settings by
dashboard.auth), and its words in the page's language (i18n/<language>/system.py)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from i18n import t


class AccessKind(str, enum.Enum):
    OPEN = "open"  # no credentials configured: anyone who reaches the server
    BASIC = "basic"  # HTTP basic auth
    PROXY = "proxy"  # a user header set by an authenticating proxy
    BASIC_OR_PROXY = "basic_or_proxy"


@dataclass(frozen=True)
class AccessMode:
    kind: AccessKind = AccessKind.OPEN
    username: str | None = None  # basic auth's user
    password_hashed: bool = False  # basic auth checks DASHBOARD_PASSWORD_HASH, not a plain password
    header: str | None = None  # the proxy's user header

    @property
    def is_open(self) -> bool:
        return self.kind is AccessKind.OPEN


def access_sentence(access: AccessMode, language: str | None = None) -> str:
    """The mode in words (the System page, in its language; `check`, in English)."""
    if access.kind is AccessKind.BASIC:
        key = "system.access.basic_hash" if access.password_hashed else "system.access.basic_password"
        return t(key, language, user=repr(access.username))
    if access.kind in (AccessKind.PROXY, AccessKind.BASIC_OR_PROXY):
        return t(f"system.access.{access.kind.value}", language, header=access.header)
    return t("system.access.open", language)
