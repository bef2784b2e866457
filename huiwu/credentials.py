"""Where the CLI finds its token: `HUIWU_TOKEN`, else a file only its owner can read.

The file is `$XDG_CONFIG_HOME/huiwu/token` (`~/.config/huiwu/token` by default). A file
that others can read is refused rather than used: whoever reads it acts as its holder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class CredentialsError(Exception):
    """The token file is there but cannot be used as it is."""


def token_file(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "huiwu" / "token"


def read_token(env: dict[str, str] | None = None) -> str | None:
    env = dict(os.environ if env is None else env)
    given = (env.get("HUIWU_TOKEN") or "").strip()
    if given:
        return given
    path = token_file(env)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(f"{path} can be read by others; run `chmod 600 {path}`")
    return path.read_text(encoding="utf-8").strip() or None


def write_token(token: str, env: dict[str, str] | None = None) -> Path:
    """Keep the token in the user's config directory, readable by the user alone."""
    path = token_file(env)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
    return path
