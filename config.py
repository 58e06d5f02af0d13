"""Configuration from the environment (one line per setting), validated once at start."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")
_DB_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")
_ACCOUNT_POLICY_RE = re.compile(r"^([A-Z][A-Z0-9]*)_(ACCOUNT_CONCURRENCY|MIN_INTERVAL)$")
_HERE = Path(__file__).resolve().parent


class ConfigError(ValueError):
    """An impossible configuration value; the message is one line for the operator."""


def _whole(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(f"{str(info.field_name).upper()} must be a whole number, got {value!r}") from None


def _number(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return float(value.strip())
    except ValueError:
        raise ConfigError(f"{str(info.field_name).upper()} must be a number, got {value!r}") from None


def _flag(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{str(info.field_name).upper()} must be 1 or 0, got {value!r}")


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _url(value: Any) -> Any:
    return value.strip().rstrip("/") if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


Int = Annotated[int, BeforeValidator(_whole)]
Num = Annotated[float, BeforeValidator(_number)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Text = Annotated[str, BeforeValidator(_text)]  # surrounding blanks dropped
Url = Annotated[str, BeforeValidator(_url)]  # and no trailing slash
Raw = str  # secrets: taken exactly as given

# Settings never read from the environment (set by code only).
_NOT_FROM_ENV = frozenset({"testing", "account_policy"})
# The mapping Config.from_env reads, when it is not the process environment.
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("examgen_environ", default=None)


class _Environment(EnvSettingsSource):
    """The process environment, or the mapping given to :meth:`Config.from_env`; blank means default."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        env = _ENVIRON.get()
        env = os.environ if env is None else env
        return {k.lower(): v for k, v in env.items() if v.strip() != "" and k.lower() not in _NOT_FROM_ENV}


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


@contextmanager
def _reading(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(env)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


class Config(BaseSettings):
    """Every setting of the server, read from the variable of the same name in upper case.

    Build with :meth:`from_env`, then :meth:`validate`.
    """

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # fmt: off
    host: Text = Field("127.0.0.1", description="where waitress listens")
    port: Int = Field(8000, description="the port waitress listens on")
    instance_path: Text = Field(str(_HERE / "instance"), description="database, keys, profiles, uploads, results")
    database_url: Text = Field("", description="any SQLAlchemy URL (default: SQLite in the instance folder)")
    max_concurrent_jobs: Int = Field(5, description="jobs running at once")
    driver_pool_size: Int = Field(0, description="most browsers alive at once (0: = MAX_CONCURRENT_JOBS)")
    driver_idle_timeout: Num = Field(300, description="seconds an idle browser lives")
    driver_max_uses: Int = Field(200, description="jobs a browser serves before it is recycled")
    driver_remote_url: Text = Field("", description="a remote WebDriver instead of local Chromium")
    driver_prewarm: Flag = Field(True, description="start MAX_CONCURRENT_JOBS browsers at start")
    browser_kept_contexts: Int = Field(
        8, description="per browser: users (and accounts) whose context is kept for their next job; 0: none"
    )
    chrome_binary: Text = Field("", description="the local browser (found on PATH when empty)")
    chromedriver: Text = Field("", description="the local driver (found on PATH when empty)")
    page_load_timeout: Num = Field(30, description="seconds a page may take to load")
    max_queue_size: Int = Field(1000, description="most unfinished jobs in the server")
    user_max_active: Int = Field(200, description="most unfinished jobs per user (429 beyond)")
    user_max_running: Int = Field(10, description="most jobs of one user running at once; more wait")
    user_rate_limit: Text = Field("20/minute", description="jobs a user may create in a moving window")
    job_timeout: Num = Field(300, description="seconds one attempt may run")
    max_retries: Int = Field(3, description="retries of a transient failure")
    retry_base_delay: Num = Field(5, description="first retry delay in seconds; doubles, with jitter")
    retry_max_delay: Num = Field(300, description="longest retry delay in seconds")
    shutdown_grace: Num = Field(30, description="seconds running jobs get to finish on SIGTERM")
    secret_key: Raw = Field("", description="session signing key (generated into the instance folder)")
    encryption_key: Raw = Field("", description="Fernet key of stored cookies (generated into the instance folder)")
    admin_username: Text = Field("admin", description="the first admin, created when there are no users")
    admin_password: Raw = Field("", description="the first admin's password (generated and logged once)")
    admin_token: Raw = Field("", description="the first admin's API token (generated and logged once)")
    max_upload_mb: Int = Field(20, description="largest PDF upload in MB")
    result_retention_days: Num = Field(7, description="days uploads, results and screenshots are kept")
    job_retention_days: Num = Field(90, description="days finished job rows and idempotency keys are kept (0: ever)")
    demo_platform: Flag = Field(True, description="mount the demo platform at /demo")
    demo_knobs: Flag = Field(False, description="mount the demo platform's fault-injection endpoints")
    demo_delay_ms: Int = Field(0, description="every demo editor load and publish is this much slower")
    session_idle_hours: Num = Field(12, description="a web session ends after this long unused")
    session_max_days: Num = Field(7, description="a web session ends this long after login")
    trusted_proxies: Int = Field(0, description="reverse proxies whose X-Forwarded-For is believed")
    max_pdf_pages: Int = Field(500, description="most pages of an uploaded PDF")
    pdf_extract_seconds: Num = Field(60, description="CPU seconds of the child that reads an upload")
    pdf_extract_memory_mb: Int = Field(1024, description="memory of the child that reads an upload")
    log_level: Annotated[str, BeforeValidator(_upper)] = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    summary_interval: Num = Field(30, description="seconds between 'Queue size' summaries")
    webhook_allowed_networks: Text = Field("", description="networks webhooks may reach besides public addresses")
    login_check_hours: Num = Field(6, description="each account's login is checked this often (+ up to 10 %); 0: never")
    server_threads: Int = Field(16, description="waitress worker threads")
    public_url: Url = Field("", description="how browsers reach this server (default http://HOST:PORT)")
    demo_url: Url = Field("", description="publish to the demo platform of another examgen at this URL")
    zhihu_base_url: Url = Field("https://zhuanlan.zhihu.com", description="Zhihu's column site")
    zhihu_api_url: Url = Field("https://www.zhihu.com", description="Zhihu's API host")
    zhihu_min_interval: Num = Field(30, description="least seconds between two publishes of a Zhihu account")
    # platform -> {"concurrency", "min_interval"}, from <PLATFORM>_ACCOUNT_CONCURRENCY / _MIN_INTERVAL
    account_policy: dict[str, dict[str, float]] = Field(default_factory=dict, description="per-platform pacing")
    testing: bool = Field(False, description="set by tests only, never from the environment")
    # fmt: on

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then the environment; no .env file, no secrets folder."""
        return init_settings, _Environment(settings_cls)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Read the settings SPEC.md lists from ``env`` (default: the process environment)."""
        values = dict(os.environ if env is None else env)
        with _reading(values):
            try:
                config = cls()
            except ValidationError as exc:
                raise ConfigError(_one_line(exc)) from None
        config.account_policy = _account_policy(values)
        return config

    def webhook_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """WEBHOOK_ALLOWED_NETWORKS as networks ("10.0.0.0/8, 192.168.1.20"); ConfigError on a bad entry."""
        networks = []
        for part in (p.strip() for p in self.webhook_allowed_networks.split(",")):
            if part:
                try:
                    networks.append(ipaddress.ip_network(part, strict=False))
                except ValueError:
                    raise ConfigError(f"WEBHOOK_ALLOWED_NETWORKS: {part!r} is not an address or a network") from None
        return networks

    def validate(self) -> Config:  # type: ignore[override]
        """Fill derived defaults and raise :class:`ConfigError` on an impossible value."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"{name.upper()} must not be negative, got {value}")
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
        names = ("max_queue_size", "user_max_active", "user_max_running", "driver_max_uses", "max_upload_mb")
        for name in (*names, "max_pdf_pages"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.upper()} must be at least 1, got {getattr(self, name)}")
        if self.job_timeout < 1:
            raise ConfigError(f"JOB_TIMEOUT must be at least 1 second, got {self.job_timeout}")
        if self.browser_kept_contexts < 0:
            raise ConfigError(f"BROWSER_KEPT_CONTEXTS must be 0 or more, got {self.browser_kept_contexts}")
        parse_rate(self.user_rate_limit)
        if self.admin_password and len(self.admin_password) < 8:
            raise ConfigError("ADMIN_PASSWORD must have at least 8 characters")
        if self.session_idle_hours <= 0 or self.session_max_days <= 0:
            raise ConfigError("SESSION_IDLE_HOURS and SESSION_MAX_DAYS must be above 0")
        if self.pdf_extract_seconds < 1 or self.pdf_extract_memory_mb < 128:
            raise ConfigError("PDF_EXTRACT_SECONDS must be at least 1 and PDF_EXTRACT_MEMORY_MB at least 128")
        self.webhook_networks()
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


def _account_policy(env: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """Per-platform account pacing: ``ZHIHU_ACCOUNT_CONCURRENCY=2``, ``DEMO_MIN_INTERVAL=3`` (0: no limit)."""
    policy: dict[str, dict[str, float]] = {}
    for name in sorted(env):
        m = _ACCOUNT_POLICY_RE.match(name)
        if not m or env[name].strip() == "":
            continue
        platform, setting = m.group(1).lower(), m.group(2)
        text = env[name].strip()
        try:
            value = float(int(text)) if setting == "ACCOUNT_CONCURRENCY" else float(text)
        except ValueError:
            kind = "a whole number" if setting == "ACCOUNT_CONCURRENCY" else "a number"
            raise ConfigError(f"{name} must be {kind}, got {text!r}") from None
        key = "concurrency" if setting == "ACCOUNT_CONCURRENCY" else "min_interval"
        if value < 0:
            raise ConfigError(f"{name} must not be negative, got {value}")
        policy.setdefault(platform, {})[key] = value
    return policy


def _one_line(exc: ValidationError) -> str:
    """The first problem of a failed read, as one line naming the variable."""
    err = exc.errors(include_url=False)[0]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigError):
        return str(cause)
    name = ".".join(str(p) for p in err["loc"]).upper()
    return f"{name}: {err['msg']}, got {err.get('input')!r}"


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
