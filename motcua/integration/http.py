"""One small HTTP client for the outbox (standard library only): JSON POST with a timeout."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int  # 0 when no HTTP answer came (timeout, refused connection)
    body: str
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


def post_json(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http(s) only, checked
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("Accept", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read(65536).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(65536).decode("utf-8", "replace"), f"HTTP {exc.code}")
    except TimeoutError:
        return Answer(0, "", f"timeout after {timeout:g} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return Answer(0, "", f"timeout after {timeout:g} s")
        return Answer(0, "", f"connection failed: {reason}")
    except OSError as exc:
        return Answer(0, "", f"connection failed: {exc}")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
