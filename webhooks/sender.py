"""Sending deliveries (webhooks, alerts) from one event loop per worker process.

A task hands its deliveries to the process's sender and waits for them only while
they keep finishing (the first within WEBHOOK_TASK_FIRST_WAIT seconds, each next
within SLOW_GAP of the one before); once they stop, the task records
what finished and returns, and the slow ones finish on the sender's loop and are
recorded by its recorder thread. A slow or hanging receiver therefore ties up a
coroutine, not a worker process, and the process goes on with other tasks.

Every address connected to passes the address guard (at connect time, names and
literals alike); redirects are not followed (a 3xx is a failure). Email goes through
Django's mail settings, on a thread, under the same deadline.
"""

import asyncio
import atexit
import logging
import os
import queue
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import close_old_connections, connection
from yarl import URL

from outbound.errors import describe_client_error
from outbound.guard import GuardedResolver, check_host_literal
from outbound.tls import default_ssl_context

from .channels.message import AppriseNotice, Email, Request

logger = logging.getLogger(__name__)

USER_AGENT = "StatusApp-Webhooks/1.0"
HEAD_BYTES = 500  # of the response body, kept with the attempt
SLOW_GAP = 0.02
IDLE_DISCONNECT = 1.0  # seconds without late outcomes before the recorder disconnects


@dataclass(frozen=True, slots=True)
class Job:
    queue: str  # the name of the delivery's queue (webhooks, alerts)
    delivery_id: str
    lease_token: str  # the send's lease: its outcome counts only while the delivery still holds it
    attempt: int  # 1 for the first attempt
    target_id: str  # the endpoint or channel: its concurrency cap and its health
    request: Request | Email


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    attempted_at: datetime
    duration_ms: int
    delivered: bool
    status_code: int | None = None
    error: str = ""
    response_head: str = ""
    retry_after: float | None = None  # seconds, from the response's Retry-After


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    except ValueError:
        return None
    return max(0.0, (when - now).total_seconds())


async def send(job: Job, session: aiohttp.ClientSession, *, timeout: float, allow_private: bool) -> Outcome:
    """One attempt under a wall-clock deadline. Never raises."""
    if not isinstance(job.request, Request):
        return await _send_on_thread(job, timeout)
    request = job.request
    attempted_at = datetime.now(UTC)
    started = time.monotonic()
    status_code, head, retry_after, error = None, "", None, ""
    try:
        async with asyncio.timeout(timeout):
            url = URL(request.url)
            if url.scheme not in ("http", "https") or not url.raw_host:
                raise aiohttp.InvalidURL("invalid URL")
            check_host_literal(url.raw_host, allow_private=allow_private)
            async with session.request(
                request.method, url, data=request.body, headers=request.headers, allow_redirects=False
            ) as response:
                status_code = response.status
                retry_after = parse_retry_after(response.headers.get("Retry-After"), attempted_at)
                # NUL cannot be stored in a text column.
                head = (await response.content.read(HEAD_BYTES)).decode("utf-8", "replace").replace("\x00", "\ufffd")
    except TimeoutError:
        error = f"timed out after {timeout:g} s"
    except Exception as exc:  # noqa: BLE001 - every failure is an outcome, described without echoing data
        error = describe_client_error(exc)
    if status_code is not None and not 200 <= status_code < 300:
        error = f"HTTP {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    return Outcome(
        job=job,
        attempted_at=attempted_at,
        duration_ms=round((time.monotonic() - started) * 1000),
        delivered=status_code is not None and 200 <= status_code < 300,
        status_code=status_code,
        error=error[:200],
        response_head=head,
        retry_after=retry_after,
    )


async def _send_on_thread(job: Job, timeout: float) -> Outcome:
    """An email (through Django's mail settings) or an Apprise notice, on a thread: both block."""
    attempted_at = datetime.now(UTC)
    started = time.monotonic()
    error = ""
    sending = send_email if isinstance(job.request, Email) else send_apprise
    try:
        async with asyncio.timeout(timeout):
            await asyncio.to_thread(sending, job.request, timeout)
    except TimeoutError:
        error = f"timed out after {timeout:g} s"
    except smtplib.SMTPResponseException as exc:
        error = f"SMTP {exc.smtp_code}"
    except smtplib.SMTPRecipientsRefused:
        error = "the mail server refused every recipient"
    except AppriseFailed as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - every failure is an outcome, described without echoing data
        error = describe_client_error(exc)
    return Outcome(
        job=job,
        attempted_at=attempted_at,
        duration_ms=round((time.monotonic() - started) * 1000),
        delivered=not error,
        error=error[:200],
        response_head="" if error else "accepted",
    )


class AppriseFailed(Exception):
    pass


def send_apprise(notice: AppriseNotice, timeout: float) -> None:
    import apprise  # only installs that enable Apprise channels load it

    sender = apprise.Apprise()
    if not sender.add(notice.url):
        raise AppriseFailed("Apprise does not know this URL")
    if not sender.notify(title=notice.title, body=notice.body, notify_type=notice.notify_type):
        # Apprise logs why itself; its reasons can quote the service's answer.
        raise AppriseFailed("Apprise could not deliver the notification")


def send_email(email: Email, timeout: float) -> None:
    message = EmailMultiAlternatives(email.subject, email.text, to=list(email.to))
    message.attach_alternative(email.html, "text/html")
    with get_connection(timeout=timeout) as smtp:
        smtp.send_messages([message])


class Batch:
    """The outcomes of one task's jobs: collected by the task while they keep coming,
    then handed to `late` (the recorder) as they finish."""

    def __init__(self, size: int, late) -> None:
        self._late = late
        self._remaining = size
        self._finished: list[Outcome] = []
        self._detached = False
        self._changed = threading.Condition()

    def add(self, outcome: Outcome) -> None:
        with self._changed:
            if self._detached:
                self._late(outcome)
                return
            self._finished.append(outcome)
            self._remaining -= 1
            self._changed.notify()

    def collect(self, first_wait: float, gap: float) -> list[Outcome]:
        """Wait up to `first_wait` for a first outcome, then while they keep arriving at
        most `gap` apart; return those that did."""
        with self._changed:
            if self._changed.wait_for(lambda: self._finished or not self._remaining, first_wait):
                while self._remaining and self._changed.wait(gap):
                    pass
            self._detached = True
            finished, self._finished = self._finished, []
            return finished

    def detach(self) -> None:
        """Nobody waits: every outcome, already in or still to come, goes to `late`."""
        for outcome in self.collect(0, 0):
            self._late(outcome)


class Sender:
    """The process's event loop (on a daemon thread) and its HTTP sessions."""

    def __init__(self, record) -> None:
        self.pid = os.getpid()
        self._recorder = Recorder(record)
        self._in_flight = 0  # requests started and not yet answered (or timed out)
        self._settled = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._sessions: dict[bool, aiohttp.ClientSession] = {}
        threading.Thread(target=self._loop.run_forever, name="webhook-sender", daemon=True).start()
        atexit.register(self.close)

    def close(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}

        async def close_all() -> None:
            for session in sessions:
                await session.close()

        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(timeout=5)

    def start(self, jobs: list[Job], *, timeout: float, allow_private: bool) -> Batch:
        batch = Batch(len(jobs), self._recorder.put)
        with self._settled:
            self._in_flight += len(jobs)
        asyncio.run_coroutine_threadsafe(self._send_all(jobs, batch, timeout, allow_private), self._loop)
        return batch

    async def _send_all(self, jobs: list[Job], batch: Batch, timeout: float, allow_private: bool) -> None:
        session = self._session(allow_private)

        async def one(job: Job) -> None:
            try:
                batch.add(await send(job, session, timeout=timeout, allow_private=allow_private))
            finally:
                with self._settled:
                    self._in_flight -= 1
                    self._settled.notify_all()

        await asyncio.gather(*(one(job) for job in jobs))

    def _session(self, allow_private: bool) -> aiohttp.ClientSession:
        session = self._sessions.get(allow_private)
        if session is None:
            # Connections are kept alive between deliveries (each was guarded when it
            # was opened); DNS is not cached, so every new connection is guarded afresh.
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=allow_private),
                ssl=default_ssl_context(),
                limit=0,
                use_dns_cache=False,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
            self._sessions[allow_private] = session
        return session

    def wait_idle(self, timeout: float) -> bool:
        """Whether, within `timeout`, every request started has its answer and every outcome is recorded."""
        deadline = time.monotonic() + timeout
        with self._settled:
            if not self._settled.wait_for(lambda: not self._in_flight, timeout):
                return False
        return self._recorder.wait_idle(max(0.0, deadline - time.monotonic()))


class Recorder:
    """Records late outcomes, many at a time, on a thread of its own (with its own
    database connection)."""

    def __init__(self, record) -> None:
        self._record = record
        self._queue: queue.Queue[Outcome] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        threading.Thread(target=self._run, name="webhook-recorder", daemon=True).start()

    def put(self, outcome: Outcome) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(outcome)

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    def _run(self) -> None:
        while True:
            try:
                outcomes = [self._queue.get(timeout=IDLE_DISCONNECT)]
            except queue.Empty:
                # Late outcomes come in bursts with pauses between: no connection is
                # held open through a pause (nor left behind at shutdown).
                connection.close()
                continue
            while len(outcomes) < 500:
                try:
                    outcomes.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            close_old_connections()
            try:
                self._record(outcomes)
            except Exception:
                # Their leases run out and the sweeper sends them again.
                logger.exception("could not record %d webhook attempts", len(outcomes))
            with self._idle:
                self._pending -= len(outcomes)
                self._idle.notify_all()


_sender: Sender | None = None
_sender_lock = threading.Lock()


def sender(record) -> Sender:
    """This process's sender (a forked worker process starts its own)."""
    global _sender
    with _sender_lock:
        if _sender is None or _sender.pid != os.getpid():
            _sender = Sender(record)
        return _sender
