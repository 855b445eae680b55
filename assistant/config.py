"""Settings: built once by a front end and passed down, never global.

Sources, first wins: arguments, environment (``NOTES_CHAT_*``), then the TOML
file at ``NOTES_CHAT_CONFIG`` or the user config dir's ``config.toml``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from index import ConfigError

APP_NAME = "notes-chat"


def config_path() -> Path:
    """Where the config file is read from (it need not exist)."""
    if explicit := os.environ.get("NOTES_CHAT_CONFIG"):
        return Path(explicit).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_home() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTES_CHAT_", frozen=True, extra="forbid")

    home: Path = Field(default_factory=default_home, description="data directory")
    embedder: str = "e5-small"
    chunk_size: int = Field(700, ge=50, le=4000)
    chunk_overlap: int = Field(120, ge=0, le=1000)
    top_k: int = Field(5, ge=1, le=100)
    chroma_url: str = ""
    chroma_token: str = ""
    ollama_host: str = ""  # empty: OLLAMA_HOST, else http://127.0.0.1:11434
    model: str = "qwen2.5:3b"
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    context_window: int = Field(4096, ge=512, le=131072)
    answer_tokens: int = Field(512, ge=32, le=8192)
    # The sentences sent stop at a fifth of the best one's score (focus.py);
    # 1000 is a ceiling for the questions whose evidence is long
    # (docs/benchmarks.md).
    context_tokens: int = Field(1000, ge=0, le=131072)  # 0: whole passages
    # The chat app has the model read the instructions as it starts, so the
    # first question's prompt is read from there on.
    warm_up: bool = True
    request_timeout: float = Field(300.0, gt=0)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @property
    def index_dir(self) -> Path:
        return self.home.expanduser() / "index"

    @property
    def conversations_dir(self) -> Path:
        return self.home.expanduser() / "conversations"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    """The settings, or a ``ConfigError`` naming the file and the bad key."""
    path = config_path()
    if path.is_dir():
        raise ConfigError(f"The config file {path} is a folder; name a TOML file.")
    try:
        return Settings(**overrides)
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text (TOML).") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{_source(key, path)}: {error['msg']}"
            for error in exc.errors()
            for key in [".".join(str(p) for p in error["loc"]) or "value"]
        )
        raise ConfigError(f"Bad setting: {problems}") from exc


def _source(key: str, path: Path) -> str:
    """Where the bad value of ``key`` came from: its environment variable
    (which wins over the file), else the config file."""
    variable = f"NOTES_CHAT_{key.upper()}"
    if any(name.upper() == variable for name in os.environ):
        return f"{key} (from {variable})"
    return f"{key} (in {path})" if path.exists() else key
