"""Configuration from the environment, validated once at start."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass, fields
from pathlib import Path

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")
_DB_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")


class ConfigError(ValueError):
    """An impossible configuration value; the message is one line for the operator."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def parse_rate(text: str) -> tuple[int, int]:
    """Parse ``20/minute`` or ``5/10second`` into (count, window seconds)."""
    m = _RATE_RE.match(text or "")
    if not m:
        raise ConfigError(f"USER_RATE_LIMIT must look like '20/minute', got {text!r}")
    count, mult, unit = int(m.group(1)), int(m.group(2) or 1), m.group(3)
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit] * mult
    if count < 1 or seconds < 1:
        raise ConfigError(f"USER_RATE_LIMIT must allow at least one job, got {text!r}")
    return count, seconds


@dataclass
class Config:
    """Every setting of the server; build with :meth:`from_env`, then :meth:`validate`."""

    host: str = "127.0.0.1"
    port: int = 8000
    instance_path: str = "instance"
    database_url: str = ""
    max_concurrent_jobs: int = 5
    driver_pool_size: int = 0
    driver_idle_timeout: float = 300
    driver_max_uses: int = 50
    driver_remote_url: str = ""
    driver_prewarm: bool = True
    chrome_binary: str = ""
    chromedriver: str = ""
    page_load_timeout: float = 30
    max_queue_size: int = 1000
    user_max_active: int = 10
    user_rate_limit: str = "20/minute"
    job_timeout: float = 300
    max_retries: int = 3
    retry_base_delay: float = 5
    retry_max_delay: float = 300
    shutdown_grace: float = 30
    secret_key: str = ""
    encryption_key: str = ""
    admin_username: str = "admin"
    admin_password: str = ""
    admin_token: str = ""
    max_upload_mb: int = 20
    result_retention_days: float = 7
    demo_platform: bool = True
    log_level: str = "INFO"
    summary_interval: float = 30
    server_threads: int = 16
    public_url: str = ""
    demo_url: str = ""
    zhihu_base_url: str = "https://zhuanlan.zhihu.com"
    zhihu_api_url: str = "https://www.zhihu.com"
    zhihu_min_interval: float = 30
    testing: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        """Read the settings SPEC.md lists from ``env`` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        c = cls()
        c.host = env.get("HOST", c.host).strip() or c.host
        c.port = _int(env, "PORT", c.port)
        c.instance_path = env.get("INSTANCE_PATH", "").strip() or str(Path(__file__).resolve().parent / "instance")
        c.database_url = env.get("DATABASE_URL", "").strip()
        c.max_concurrent_jobs = _int(env, "MAX_CONCURRENT_JOBS", c.max_concurrent_jobs)
        c.driver_pool_size = _int(env, "DRIVER_POOL_SIZE", 0)
        c.driver_idle_timeout = _float(env, "DRIVER_IDLE_TIMEOUT", c.driver_idle_timeout)
        c.driver_max_uses = _int(env, "DRIVER_MAX_USES", c.driver_max_uses)
        c.driver_remote_url = env.get("DRIVER_REMOTE_URL", "").strip()
        c.driver_prewarm = _bool(env, "DRIVER_PREWARM", c.driver_prewarm)
        c.chrome_binary = env.get("CHROME_BINARY", "").strip()
        c.chromedriver = env.get("CHROMEDRIVER", "").strip()
        c.page_load_timeout = _float(env, "PAGE_LOAD_TIMEOUT", c.page_load_timeout)
        c.max_queue_size = _int(env, "MAX_QUEUE_SIZE", c.max_queue_size)
        c.user_max_active = _int(env, "USER_MAX_ACTIVE", c.user_max_active)
        c.user_rate_limit = env.get("USER_RATE_LIMIT", c.user_rate_limit).strip()
        c.job_timeout = _float(env, "JOB_TIMEOUT", c.job_timeout)
        c.max_retries = _int(env, "MAX_RETRIES", c.max_retries)
        c.retry_base_delay = _float(env, "RETRY_BASE_DELAY", c.retry_base_delay)
        c.retry_max_delay = _float(env, "RETRY_MAX_DELAY", c.retry_max_delay)
        c.shutdown_grace = _float(env, "SHUTDOWN_GRACE", c.shutdown_grace)
        c.secret_key = env.get("SECRET_KEY", "")
        c.encryption_key = env.get("ENCRYPTION_KEY", "")
        c.admin_username = env.get("ADMIN_USERNAME", c.admin_username).strip() or "admin"
        c.admin_password = env.get("ADMIN_PASSWORD", "")
        c.admin_token = env.get("ADMIN_TOKEN", "")
        c.max_upload_mb = _int(env, "MAX_UPLOAD_MB", c.max_upload_mb)
        c.result_retention_days = _float(env, "RESULT_RETENTION_DAYS", c.result_retention_days)
        c.demo_platform = _bool(env, "DEMO_PLATFORM", c.demo_platform)
        c.log_level = env.get("LOG_LEVEL", c.log_level).strip().upper() or "INFO"
        c.summary_interval = _float(env, "SUMMARY_INTERVAL", c.summary_interval)
        c.server_threads = _int(env, "SERVER_THREADS", c.server_threads)
        c.public_url = env.get("PUBLIC_URL", "").strip().rstrip("/")
        c.demo_url = env.get("DEMO_URL", "").strip().rstrip("/")
        c.zhihu_base_url = env.get("ZHIHU_BASE_URL", c.zhihu_base_url).strip().rstrip("/") or c.zhihu_base_url
        c.zhihu_api_url = env.get("ZHIHU_API_URL", c.zhihu_api_url).strip().rstrip("/") or c.zhihu_api_url
        c.zhihu_min_interval = _float(env, "ZHIHU_MIN_INTERVAL", c.zhihu_min_interval)
        return c

    def validate(self) -> Config:
        """Fill derived defaults and raise :class:`ConfigError` on an impossible value."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"{f.name.upper()} must not be negative, got {value}")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"PORT must be between 1 and 65535, got {self.port}")
        if self.max_concurrent_jobs < 1:
            raise ConfigError(f"MAX_CONCURRENT_JOBS must be at least 1, got {self.max_concurrent_jobs}")
        if self.driver_pool_size == 0:
            self.driver_pool_size = self.max_concurrent_jobs
        if self.driver_pool_size < self.max_concurrent_jobs:
            raise ConfigError(
                f"DRIVER_POOL_SIZE ({self.driver_pool_size}) must not be smaller than "
                f"MAX_CONCURRENT_JOBS ({self.max_concurrent_jobs})"
            )
        for name in ("max_queue_size", "user_max_active", "driver_max_uses", "max_upload_mb"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.upper()} must be at least 1, got {getattr(self, name)}")
        if self.job_timeout < 1:
            raise ConfigError(f"JOB_TIMEOUT must be at least 1 second, got {self.job_timeout}")
        parse_rate(self.user_rate_limit)
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {self.log_level!r}")
        if not self.database_url:
            self.database_url = f"sqlite:///{Path(self.instance_path) / 'examgen.db'}"
        scheme = self.database_url.split(":", 1)[0].split("+", 1)[0].lower()
        if scheme not in _DB_SCHEMES:
            raise ConfigError(f"DATABASE_URL has an unknown scheme {scheme!r}: use sqlite, postgresql or mysql")
        if self.driver_remote_url and not self.driver_remote_url.startswith(("http://", "https://")):
            raise ConfigError(f"DRIVER_REMOTE_URL must be an http(s) URL, got {self.driver_remote_url!r}")
        if not self.driver_remote_url:
            self.chrome_binary = self.chrome_binary or _which("chromium", "chromium-browser", "google-chrome")
            self.chromedriver = self.chromedriver or _which("chromedriver")
        if not self.public_url:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            host = f"[{host}]" if ":" in host else host
            self.public_url = f"http://{host}:{self.port}"
        if self.demo_url and not self.demo_url.startswith(("http://", "https://")):
            raise ConfigError(f"DEMO_URL must be an http(s) URL, got {self.demo_url!r}")
        return self

    @property
    def rate_limit(self) -> tuple[int, int]:
        """``USER_RATE_LIMIT`` as (count, window seconds)."""
        return parse_rate(self.user_rate_limit)

    @property
    def max_body_bytes(self) -> int:
        """The largest request body the app reads (an upload plus form overhead)."""
        return (self.max_upload_mb + 2) * 1024 * 1024

    @property
    def server_body_cap(self) -> int:
        """waitress's outer cap: bodies up to it are spooled to disk and refused by the app with a
        readable 413; larger ones are cut off unread (a client still sending sees a reset)."""
        return max(64 * 1024 * 1024, 3 * self.max_body_bytes)


def _which(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return ""


class TestConfig(Config):
    """A configuration for tests: its own instance folder, fast timings."""

    __test__ = False  # not a pytest test class

    @classmethod
    def for_dir(cls, instance: str | Path, **overrides: object) -> Config:
        """A validated config whose files all live below ``instance``."""
        c = cls.from_env({})
        c.instance_path = str(instance)
        c.testing = True
        c.secret_key = secrets.token_hex(16)
        c.summary_interval = 3600
        c.driver_prewarm = False  # most tests never need a browser: start them on demand
        c.retry_base_delay = 0.2
        c.retry_max_delay = 1
        c.shutdown_grace = 5
        for key, value in overrides.items():
            if not hasattr(c, key):
                raise AttributeError(key)
            setattr(c, key, value)
        return c.validate()
