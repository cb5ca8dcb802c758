"""bulletin_board/config.py: ``verivote board serve`` hands its whole configuration to each
uvicorn worker through the environment, and every worker reads back exactly what was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin_board.config import (
    ENV_DB,
    ENV_KEY,
    ENV_RATE_FILE,
    ENV_WRITE_RATE,
    ServeConfig,
    ServiceSettings,
)


def test_the_configuration_round_trips_through_the_environment() -> None:
    settings = ServiceSettings(
        max_body_bytes=4096, max_large_body_bytes=2**20, large_bodies=3, write_rate=2.5,
        write_burst=7, cors_origins=("https://a.example", "https://b.example"),
    )  # fmt: skip
    config = ServeConfig(
        "sqlite:///board.db", Path("/keys/board.key"), "generic", settings, Path("/run/rate")
    )
    env = config.to_env()
    assert env[ENV_DB] == "sqlite:///board.db"
    assert env[ENV_KEY] == "/keys/board.key"
    assert env[ENV_RATE_FILE] == "/run/rate"
    back = ServeConfig.from_env(env)
    assert back == config
    assert back.settings.max_page == ServiceSettings().max_page  # not configurable: the default


def test_unset_limits_take_the_defaults() -> None:
    config = ServeConfig.from_env({ENV_DB: "postgresql://db", ENV_KEY: "board.key"})
    assert config.rules == "election"
    assert config.rate_file is None  # each worker its own table
    assert config.settings == ServiceSettings()
    assert ServeConfig.from_env({**config.to_env(), "VERIVOTE_BOARD_CORS_ORIGINS": ""}) == config


def test_a_worker_without_database_or_key_fails() -> None:
    with pytest.raises(KeyError, match=ENV_DB):
        ServeConfig.from_env({ENV_KEY: "board.key"})
    with pytest.raises(KeyError, match=ENV_KEY):
        ServeConfig.from_env({ENV_DB: "sqlite:///x.db"})
    with pytest.raises(ValueError, match="could not convert"):
        ServeConfig.from_env({ENV_DB: "sqlite:///x.db", ENV_KEY: "k", ENV_WRITE_RATE: "fast"})
