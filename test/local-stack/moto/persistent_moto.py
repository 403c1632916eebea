"""moto's server for Strongroom's local stack, with optional persistence of its state.

moto keeps every resource in memory and has no persistence of its own. With --state-file, this
launcher pickles the state of the services Strongroom uses (KMS, SQS, S3, SES) into that file,
and loads it back on start, so keys, queues, messages and objects survive a restart of
`npm start`. Without --state-file it is moto's plain in-memory server (the tests' mode).

When state is written:
  * every --snapshot-seconds (5 by default), if a request arrived since the last snapshot and the
    pickled bytes differ from what is already on disk;
  * on SIGTERM or SIGINT, and when standard input reaches end-of-file (--exit-on-stdin-eof:
    the Node parent keeps that pipe open for its whole life, so even a parent killed with SIGKILL
    leaves no orphaned server behind, and the last changes are still saved).
Each write goes to a temporary file that is fsynced and renamed over the old one, so a crash
mid-write never leaves a truncated state file.

Consistency: requests are applied one at a time under a lock that snapshots also take, so a
snapshot never sees half of a request. The one exception is SQS ReceiveMessage, which may
long-poll for up to 20 seconds and would otherwise stall every other request; it runs beside
the lock, and a snapshot that races with it is simply retried.

Test support, read-only: GET /strongroom-api/ses/sent-emails lists the e-mails SES (v1 or v2)
accepted, as JSON. moto keeps a single body per message (the HTML part when there is one), so
the launcher also notes the text and HTML parts of each accepted SES v2 SendEmail request, by
message id, and adds them to the list; those notes live in memory only (after a restart from a
state file, the older messages list only the body moto kept). Nothing of moto's is changed.

If the state file cannot be loaded (another moto version, a corrupt file), the launcher says so
on stderr, keeps the file aside as `<name>.unreadable-<time>` and starts empty instead of failing.

Only moto's own state is pickled, service by service, as (account, region, backend) triples plus
the service's cross-account bookkeeping (S3's bucket-to-account index). moto objects that hold
locks or `cryptography` private keys (KMS keeps an RSA key even on symmetric keys) are made
picklable by a custom Pickler rather than by patching moto.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import pickle
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable

import moto
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from moto.backends import get_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

# Services whose state persists. SES v2 keeps its messages in the SES (v1) backend, so it is
# covered too; STS has no state worth keeping.
PERSISTED_SERVICES = ("kms", "sqs", "s3", "ses")

STATE_FORMAT = 1

# Attributes every moto BackendDict has; anything else on one is service bookkeeping to persist.
_BACKEND_DICT_OWN_ATTRIBUTES = {
    "backend",
    "service_name",
    "_use_boto3_regions",
    "_additional_regions",
    "_id",
}

_LOCK_TYPE = type(threading.Lock())
_RLOCK_TYPE = type(threading.RLock())
_PRIVATE_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
)


def log(message: str) -> None:
    print(f"persistent-moto: {message}", file=sys.stderr, flush=True)


class StatePickler(pickle.Pickler):
    """Pickles moto state, replacing what the standard pickler refuses.

    Locks and conditions come back as new, unlocked ones (no request is in flight in a loaded
    state); private keys travel as unencrypted PKCS#8 PEM, which is no worse than the pickle
    file itself holding every KMS key's material in the clear: this is a local emulator.
    """

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPE):
            return threading.Lock, ()
        if isinstance(obj, _RLOCK_TYPE):
            return threading.RLock, ()
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, _PRIVATE_KEY_TYPES):
            pem = obj.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            return load_private_key, (pem,)
        return NotImplemented


def load_private_key(pem: bytes) -> Any:
    """Unpickles a private key (cryptography's own loader is a Rust builtin pickle cannot name)."""
    return load_pem_private_key(pem, None)


def pickle_bytes(value: Any) -> bytes:
    buffer = io.BytesIO()
    StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def capture_service(service: str) -> bytes:
    backend_dict = get_backend(service)
    backends = [
        (account_id, region_name, backend)
        for account_id, region_name, backend in backend_dict.iter_backends()
    ]
    bookkeeping = {
        name: value
        for name, value in vars(backend_dict).items()
        if name not in _BACKEND_DICT_OWN_ATTRIBUTES
    }
    return pickle_bytes({"backends": backends, "bookkeeping": bookkeeping})


def restore_service(service: str, pickled: bytes) -> int:
    captured = pickle.loads(pickled)
    backend_dict = get_backend(service)
    for name, value in captured["bookkeeping"].items():
        setattr(backend_dict, name, value)
    for account_id, region_name, backend in captured["backends"]:
        # Indexing creates the account's (lazy) region map; the region's backend is then set
        # directly, bypassing the lazy creation of an empty one.
        dict.__setitem__(backend_dict[account_id], region_name, backend)
    return len(captured["backends"])


class StateStore:
    """The state file: load on start, write snapshots atomically, only when they changed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.last_written: dict[str, bytes] = {}
        self.write_lock = threading.Lock()

    def load(self) -> None:
        if not os.path.exists(self.path):
            log(f"no saved state at {self.path}: starting empty")
            return
        try:
            with open(self.path, "rb") as file:
                document = pickle.load(file)
            if document.get("format") != STATE_FORMAT:
                raise ValueError(f"state format {document.get('format')!r}, expected {STATE_FORMAT}")
            saved_version = document.get("moto_version")
            if saved_version != moto.__version__:
                log(f"state was saved by moto {saved_version}, this is {moto.__version__}: trying anyway")
        except Exception as error:  # noqa: BLE001 - any unreadable file means: start empty
            self.set_aside(f"could not read saved state ({type(error).__name__}: {error})")
            return
        restored = []
        for service, pickled in document.get("services", {}).items():
            try:
                count = restore_service(service, pickled)
                self.last_written[service] = pickled
                restored.append(f"{service} ({count} region backend{'s' if count != 1 else ''})")
            except Exception as error:  # noqa: BLE001 - one broken service must not lose the others
                log(f"could not restore {service} ({type(error).__name__}: {error}): it starts empty")
        log(f"restored state from {self.path}: {', '.join(restored) or 'nothing'}")

    def set_aside(self, reason: str) -> None:
        kept = f"{self.path}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}"
        try:
            os.replace(self.path, kept)
            log(f"{reason}; starting empty, the old file is kept as {kept}")
        except OSError:
            log(f"{reason}; starting empty")

    def snapshot(self, capture: Callable[[str], bytes]) -> None:
        """Writes the state if any service's pickled bytes changed since the last write."""
        with self.write_lock:
            services: dict[str, bytes] = {}
            for service in PERSISTED_SERVICES:
                try:
                    services[service] = capture(service)
                except Exception as error:  # noqa: BLE001
                    # Keep the service's last good state rather than dropping it from the file.
                    log(f"could not snapshot {service} ({type(error).__name__}: {error})")
                    if service in self.last_written:
                        services[service] = self.last_written[service]
            if services == self.last_written:
                return
            document = {
                "format": STATE_FORMAT,
                "moto_version": moto.__version__,
                "saved_at": time.time(),
                "services": services,
            }
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            temporary = f"{self.path}.tmp-{os.getpid()}"
            with open(temporary, "wb") as file:
                pickle.dump(document, file, protocol=pickle.HIGHEST_PROTOCOL)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
            self.last_written = services


SENT_EMAILS_PATH = "/strongroom-api/ses/sent-emails"
SESV2_SEND_EMAIL_PATH = "/v2/email/outbound-emails"


class SentEmails:
    """WSGI middleware: notes the simple content of accepted SES v2 SendEmail requests, and
    answers GET SENT_EMAILS_PATH with every message in moto's SES backends (see the module
    docstring). Runs inside SerializingApplication's lock, so the backends are read consistently.
    """

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application
        self.parts_by_message_id: dict[str, dict[str, str | None]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == SENT_EMAILS_PATH:
            if method != "GET":
                start_response("405 Method Not Allowed", [("Allow", "GET")])
                return [b""]
            body = json.dumps({"sentEmails": self.sent_emails()}).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if method != "POST" or path != SESV2_SEND_EMAIL_PATH or length <= 0:
            return self.application(environ, start_response)

        request_body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(request_body)
        status: list[str] = []

        def record_status(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(status_line)
            return start_response(status_line, headers, exc_info)

        result = self.application(environ, record_status)
        try:
            response_body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if status and status[0].startswith("200"):
            self.note(request_body, response_body)
        return [response_body]

    def note(self, request_body: bytes, response_body: bytes) -> None:
        try:
            message_id = json.loads(response_body)["MessageId"]
            body = (json.loads(request_body).get("Content") or {}).get("Simple", {}).get("Body", {})
        except (ValueError, KeyError, AttributeError, TypeError):
            return
        self.parts_by_message_id[message_id] = {
            "text": (body.get("Text") or {}).get("Data"),
            "html": (body.get("Html") or {}).get("Data"),
        }

    def sent_emails(self) -> list[dict[str, Any]]:
        from moto.ses.models import Message

        emails = []
        for account_id, region_name, backend in get_backend("ses").iter_backends():
            for message in getattr(backend, "sent_messages", []):
                if not isinstance(message, Message):
                    continue  # raw and templated messages: not used by Strongroom
                destinations = message.destinations or {}
                parts = self.parts_by_message_id.get(message.id, {"text": None, "html": None})
                emails.append(
                    {
                        "messageId": message.id,
                        "accountId": account_id,
                        "region": region_name,
                        "from": message.source,
                        "to": list(destinations.get("ToAddresses", [])),
                        "cc": list(destinations.get("CcAddresses", [])),
                        "bcc": list(destinations.get("BccAddresses", [])),
                        "subject": message.subject,
                        "body": message.body,
                        "text": parts["text"],
                        "html": parts["html"],
                    }
                )
        return emails


class SerializingApplication:
    """WSGI middleware: one request at a time under `state_lock`, and a dirty flag for snapshots.

    The response body is produced inside the lock, because moto may build it lazily.
    """

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application
        self.state_lock = threading.RLock()
        self.dirty = threading.Event()

    @staticmethod
    def is_long_poll(environ: dict[str, Any]) -> bool:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        return target == "AmazonSQS.ReceiveMessage" or "Action=ReceiveMessage" in environ.get(
            "QUERY_STRING", ""
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        is_read_only = environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") in (
            "/moto-api/",
            SENT_EMAILS_PATH,
        )
        if not is_read_only:
            self.dirty.set()
        if self.is_long_poll(environ):
            return self.application(environ, start_response)
        with self.state_lock:
            result = self.application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return [body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: any free port)")
    parser.add_argument("--state-file", help="persist state in this file (default: memory only)")
    parser.add_argument("--snapshot-seconds", type=float, default=5.0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    arguments = parser.parse_args()

    if not arguments.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    store = StateStore(arguments.state_file) if arguments.state_file else None
    if store is not None:
        # Before the server exists: moto creates empty backends lazily on first use.
        store.load()

    application = SerializingApplication(SentEmails(DomainDispatcherApplication(create_backend_app)))
    server = make_server(
        arguments.host,
        arguments.port,
        application,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    host, port = server.server_address[:2]
    # moto builds some URLs (SQS queue URLs among them) from this.
    os.environ["MOTO_PORT"] = str(port)

    stopping = threading.Event()

    def snapshot() -> None:
        if store is None or not application.dirty.is_set():
            return
        application.dirty.clear()

        def capture(service: str) -> bytes:
            # Retried: an unlocked long-poll ReceiveMessage may change a queue mid-pickle.
            for attempt in range(5):
                try:
                    with application.state_lock:
                        return capture_service(service)
                except RuntimeError:
                    if attempt == 4:
                        raise
                    time.sleep(0.05)
            raise AssertionError("unreachable")

        try:
            store.snapshot(capture)
        except Exception as error:  # noqa: BLE001 - a failed snapshot is retried next period
            application.dirty.set()
            log(f"snapshot failed ({type(error).__name__}: {error})")

    def snapshot_periodically() -> None:
        while not stopping.wait(arguments.snapshot_seconds):
            snapshot()

    def watch_stdin() -> None:
        # os.read, not sys.stdin: a thread blocked inside a buffered reader makes the
        # interpreter's shutdown abort.
        try:
            while os.read(sys.stdin.fileno(), 256):
                pass
        except OSError:
            pass
        stopping.set()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    if store is not None:
        threading.Thread(target=snapshot_periodically, name="moto-snapshots", daemon=True).start()
    if arguments.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, name="parent-watchdog", daemon=True).start()

    persistence = f", state in {arguments.state_file}" if store is not None else ", in memory"
    print(f"moto {moto.__version__} listening on http://{host}:{port}{persistence}", flush=True)

    # Woken by a signal (the handler runs on this thread) or by the watchdog thread.
    while not stopping.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    snapshot()
    log("stopped")
    # Skips interpreter finalisation, which would wait on (or abort over) daemon threads still
    # blocked in a request or in reading standard input.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
