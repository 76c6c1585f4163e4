"""A private redis-server for the Redis figures: loopback only, a free port, a password, a
temporary directory, no persistence; stopped (and waited for) when the benchmark ends."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

START_SECONDS = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_version() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "not installed"
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    version = next((part for part in out.split() if part.startswith("v=")), "v=?")
    return version[2:]


@contextmanager
def private_redis(directory: Path) -> Iterator[str]:
    """Yield the URL of a redis-server started for this run alone."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed (apt-get install redis-server); ./dev bench installs it"
        )
    port, password = _free_port(), secrets.token_hex(8)
    args = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--requirepass", password,
        "--dir", str(directory),
        "--save", "",
        "--appendonly", "no",
        "--logfile", str(directory / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=5)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if client.ping():
                    break
            except redis.exceptions.RedisError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.02)
        client.close()
        yield f"redis://:{password}@127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
