"""A local stand-in for the national portal's sync API (DVCQG-SYNC.md style A), without Django.

``python -m motcua.integration.standin --port 8010`` (``bin/serve-demo`` starts it) or, in tests,
``StandIn().start()`` on a free port. It answers like the portal as seen in practice:

* ``POST /auth`` ``{username, password}`` (header ``dstcode``) → ``{"error_code": "0", "session": …}``;
* ``POST /service`` with the envelope ``{session, madonvi, service, [isUpdating], data}`` for
  ``DongBoHoSoMC``, ``CapNhatTienDoHoSoMC`` and ``TraCuuHoSo`` → ``{"error_code", "message"}``;
* ``POST /share`` ``{session, madonvi, service: "LayThuTuc", maTTHC}`` (the sharing service, §3 step
  2) → ``{"error_code": "0", "result": [{MATTHC, TENTTHC, LINHVUCTHUCHIEN: [{MALINHVUC,
  TENLINHVUC}]}]}`` for the procedures of ``--catalogue`` (the national catalogue's records, JSON
  lines with ``ma_thu_tuc``, ``ten_thu_tuc``, ``linh_vuc``), an empty ``result`` for others. The
  crawl has field names but not the national field codes, so the stand-in makes up one per field
  name, ``SI-`` and six hex digits of its SHA-1: stable, unique, and plainly not a real code.

It validates every message against the §7 schemas and refuses what does not conform
(``error_code`` "-2" with the violations), refuses unknown sessions ("-1"), a create of a dossier it
already holds ("3", "Hồ sơ … đã tồn tại") and an update or trail entry for one it does not ("4").
It keeps what it accepted in memory (and appends every request to ``--log`` if given).

Test hooks: ``GET /_records`` (what was accepted), ``POST /_fail`` ``{"times": n, "status": 500}``
or ``{"times": n, "hang": seconds}`` (the next n service calls fail that way), ``POST
/_expire_sessions``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import dvcqg


class Portal:
    """The portal's state: accounts, sessions, dossiers, trail, and every request received."""

    def __init__(
        self,
        *,
        username: str = "motcua",
        password: str = "motcua-demo",  # noqa: S107 - the stand-in's demo account
        log: Path | None = None,
        units: set[str] | None = None,
        catalogue: dict[str, dict[str, str]] | None = None,
    ):
        self.username, self.password, self.log = username, password, log
        self.units = units  # unit codes (madonvi) allowed to sync; None: any
        self.catalogue = catalogue or {}  # maTTHC -> {"name", "field"}
        self.lock = threading.Lock()
        self.sessions: set[str] = set()
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.trail: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []

    def note(self, path: str, body: Any, answer: Any) -> None:
        entry = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "path": path, "body": body, "answer": answer}
        with self.lock:
            self.requests.append(entry)
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def auth(self, body: Any) -> dict[str, Any]:
        if (
            not isinstance(body, dict)
            or body.get("username") != self.username
            or body.get("password") != self.password
        ):
            return {"error_code": dvcqg.LOGIN_FAILED, "message": "Sai tên đăng nhập hoặc mật khẩu."}
        token = secrets.token_hex(16)
        with self.lock:
            self.sessions.add(token)
        return {"error_code": dvcqg.OK, "message": "Đăng nhập thành công", "session": token}

    def service(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {
                "error_code": dvcqg.INVALID_DATA,
                "message": "Dữ liệu không hợp lệ: cần một đối tượng JSON.",
            }
        with self.lock:
            known = body.get("session") in self.sessions
        if not known:
            return {
                "error_code": dvcqg.SESSION_INVALID,
                "message": "Phiên làm việc không hợp lệ hoặc đã hết hạn.",
            }
        service = body.get("service")
        if service == "TraCuuHoSo":
            code = str(body.get("mahoso", ""))
            with self.lock:
                found = [self.dossiers[code]] if code in self.dossiers else []
            return {"error_code": dvcqg.OK, "message": "Tra cứu thành công", "result": found}
        if service not in dvcqg.SCHEMA_FILES:
            return {"error_code": dvcqg.INVALID_DATA, "message": f"Dịch vụ không được hỗ trợ: {service!r}."}
        errors = dvcqg.schema_errors(service, body)
        if not errors and self.units is not None and body.get("madonvi") not in self.units:
            errors = [f"madonvi: đơn vị {body.get('madonvi')!r} chưa được cấp quyền đồng bộ"]
        if errors:
            return {
                "error_code": dvcqg.INVALID_DATA,
                "message": "Dữ liệu không hợp lệ: " + "; ".join(errors[:10]),
            }
        with self.lock:
            if service == dvcqg.DOSSIER_SERVICE:
                updating = body["isUpdating"] == "True"
                for record in body["data"]:
                    code = record["MaHoSo"]
                    if not updating and code in self.dossiers:
                        return {
                            "error_code": dvcqg.ALREADY_EXISTS,
                            "message": f"Hồ sơ {code} đã tồn tại trên hệ thống.",
                        }
                    if updating and code not in self.dossiers:
                        return {"error_code": dvcqg.NOT_FOUND, "message": f"Hồ sơ {code} không tồn tại."}
                for record in body["data"]:
                    self.dossiers[record["MaHoSo"]] = record
                return {"error_code": dvcqg.OK, "message": "Đồng bộ hồ sơ thành công"}
            for entry in body["data"]:
                if entry["MaHoSo"] not in self.dossiers:
                    return {
                        "error_code": dvcqg.NOT_FOUND,
                        "message": f"Hồ sơ {entry['MaHoSo']} không tồn tại.",
                    }
            for entry in body["data"]:
                self.trail.setdefault(entry["MaHoSo"], []).append(entry)
            return {"error_code": dvcqg.OK, "message": "Cập nhật tiến độ hồ sơ thành công"}

    def share(self, body: Any) -> dict[str, Any]:
        """The sharing service: ``LayThuTuc`` looks a procedure up in the national catalogue."""
        if not isinstance(body, dict):
            return {
                "error_code": dvcqg.INVALID_DATA,
                "message": "Dữ liệu không hợp lệ: cần một đối tượng JSON.",
            }
        with self.lock:
            known = body.get("session") in self.sessions
        if not known:
            return {
                "error_code": dvcqg.SESSION_INVALID,
                "message": "Phiên làm việc không hợp lệ hoặc đã hết hạn.",
            }
        if body.get("service") != "LayThuTuc":
            return {
                "error_code": dvcqg.INVALID_DATA,
                "message": f"Dịch vụ không được hỗ trợ: {body.get('service')!r}.",
            }
        code = str(body.get("maTTHC", ""))
        entry = self.catalogue.get(code)
        if entry is None:
            return {"error_code": dvcqg.OK, "message": "Không có dữ liệu", "result": []}
        field = {"MALINHVUC": field_code(entry["field"]), "TENLINHVUC": entry["field"]}
        found = {"MATTHC": code, "TENTTHC": entry["name"], "LINHVUCTHUCHIEN": [field]}
        return {"error_code": dvcqg.OK, "message": "Lấy dữ liệu thành công", "result": [found]}

    def records(self) -> dict[str, Any]:
        with self.lock:
            return {"dossiers": dict(self.dossiers), "trail": {k: list(v) for k, v in self.trail.items()}}

    def next_failure(self) -> dict[str, Any] | None:
        with self.lock:
            return self.failures.pop(0) if self.failures else None


def field_code(name: str) -> str:
    return "SI-" + hashlib.sha1(name.strip().encode("utf-8"), usedforsecurity=False).hexdigest()[:6].upper()


def load_catalogue(path: Path) -> dict[str, dict[str, str]]:
    """``ma_thu_tuc`` -> name and field name, from JSON lines of national catalogue records."""
    catalogue: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                if record.get("ma_thu_tuc") and record.get("linh_vuc"):
                    catalogue[str(record["ma_thu_tuc"])] = {
                        "name": str(record.get("ten_thu_tuc", "")),
                        "field": str(record["linh_vuc"]).strip(),
                    }
    return catalogue


def _handler(portal: Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return None

        def do_GET(self) -> None:
            if self.path == "/_records":
                self._send(200, portal.records())
            else:
                self._send(404, {"error_code": "404", "message": "Không tìm thấy."})

        def do_POST(self) -> None:
            body = self._body()
            if self.path == "/_fail":
                with portal.lock:
                    portal.failures.extend([dict(body)] * int(body.get("times", 1)))
                self._send(200, {"ok": True})
                return
            if self.path == "/_expire_sessions":
                with portal.lock:
                    portal.sessions.clear()
                self._send(200, {"ok": True})
                return
            if self.path == "/auth":
                answer = portal.auth(body)
            elif self.path == "/share":
                answer = portal.share(body)
            elif self.path == "/service":
                failure = portal.next_failure()
                if failure is not None and "hang" in failure:
                    time.sleep(float(failure["hang"]))
                if failure is not None and "status" in failure:
                    portal.note(self.path, body, {"http": failure["status"]})
                    self._send(int(failure["status"]), {"error_code": "500", "message": "Lỗi hệ thống."})
                    return
                answer = portal.service(body)
            else:
                self._send(404, {"error_code": "404", "message": "Không tìm thấy."})
                return
            portal.note(self.path, body, answer)
            self._send(200, answer)

    return Handler


class StandIn:
    """The stand-in as a background thread (tests) or in the foreground (``main``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **portal: Any) -> None:
        self.portal = Portal(**portal)
        self.server = ThreadingHTTPServer((host, port), _handler(self.portal))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def start(self) -> StandIn:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for the national portal's sync API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--username", default="motcua")
    parser.add_argument("--password", default="motcua-demo")
    parser.add_argument("--log", type=Path, default=None, help="append every request here (JSON lines)")
    parser.add_argument("--unit", action="append", help="a unit code (madonvi) allowed to sync; default: any")
    parser.add_argument(
        "--catalogue", type=Path, default=None, help="national catalogue records (JSON lines) for LayThuTuc"
    )
    args = parser.parse_args(argv)
    standin = StandIn(
        args.host,
        args.port,
        username=args.username,
        password=args.password,
        log=args.log,
        units=set(args.unit) if args.unit else None,
        catalogue=load_catalogue(args.catalogue) if args.catalogue else None,
    )
    print(f"national portal stand-in: {standin.url}/ (auth, service, share)", flush=True)
    try:
        standin.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin.server.server_close()


if __name__ == "__main__":
    main()
