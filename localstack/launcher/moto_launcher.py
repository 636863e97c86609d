#!/usr/bin/env python3
"""Run moto server as lambdakit's embedded AWS emulator.

The Go package github.com/lambdakit/lambdakit/localstack starts this script as
a child process. It configures moto the way the lambdakit tests need it, binds
a free loopback port, prints one ready line on stdout and serves until its
parent goes away. The moto it expects is pinned in requirements.txt next to
this file (moto[server]==5.2.1).

Step Functions does not run here: the Go side serves it with lambdakit's
own engine (package localstack/states) on the endpoint in front of this
server. Configuration: Batch never uses Docker.

Everything else the launcher changes in moto is a patch in the registry
(build_registry), applied in its order. Each patch has a check that tells
whether the installed moto has the problem: True when it does, False or a
reason string when it does not. A patch whose check says so is applied;
one whose check raises is "unknown" and is not applied (an exception is
never taken for "bug present"); one whose apply step raises is "failed"; the others are
"skipped" with a reason. ``--disable-patch NAME`` (or
LAMBDAKIT_DISABLE_PATCHES=NAME,NAME) skips a patch on purpose, which is how
the stress tests in tests/ show a bug the patch fixes. The patches, in
short (each function's docstring says why):

* no-docker, lambda-invoke-forwarder: Docker is never started; Lambda
  invocations are POSTed to the Go test process (``--invoke-url``).
* sqs-fifo-redelivery, sqs-receive-cost, sqs-fast-clock: FIFO order on
  redelivery and the O(queue depth) cost of SendMessage and ReceiveMessage.
  Each replaces a function only when its source is byte-for-byte moto
  5.2.1's (a SHA-256 prefix of inspect.getsource).
* sqs-atomic, dynamodb-atomic: moto serves requests on concurrent threads
  but SQS queues and DynamoDB tables have no lock, so concurrent consumers
  lose and duplicate messages and two conditional writes can both win.
  sqs-atomic needs sqs-fifo-redelivery's receive, whose long poll waits on
  the queue's Condition instead of spinning.
* sqs-dlq-source-arn, sqs-fifo-sequence-number, sqs-message-body,
  sqs-fifo-queue-name, sqs-purge-in-progress: SQS answers that differ from
  AWS's.

The ready line is ``LAMBDAKIT_MOTO_READY {json}``:
{"port": N, "moto": "5.2.1", "patches": [{"name", "status", "reason",
"detail"}, ...]} with the patches in registry order, status one of applied,
skipped, unknown, failed, a reason for all but applied, and a detail
where a patch reports one. stderr gets one line per patch as well. Errors
before the ready line go to stderr and exit with a non-zero status.
"""

import argparse
import collections
import contextlib
import functools
import inspect
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

READY_PREFIX = "LAMBDAKIT_MOTO_READY "
# EXIT_MOTO_MISSING tells the Go side that moto is not installed, as opposed
# to installed but failing.
EXIT_MOTO_MISSING = 3
# EXIT_USAGE is argparse's status for a bad command line.
EXIT_USAGE = 2

# The reasons a check gives most often.
ALREADY_FIXED = "moto already has the fix"
SOURCE_DIFFERS = "source differs from moto 5.2.1's"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1", help="address to bind")
    p.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    p.add_argument(
        "--invoke-url",
        default=os.environ.get("LAMBDAKIT_INVOKE_URL", ""),
        help="base URL of the Go function host; Lambda invocations are POSTed to URL/invoke/NAME",
    )
    p.add_argument(
        "--disable-patch",
        action="append",
        metavar="NAME",
        default=[n for n in os.environ.get("LAMBDAKIT_DISABLE_PATCHES", "").split(",") if n],
        help="do not apply this patch (repeatable; also LAMBDAKIT_DISABLE_PATCHES=NAME,NAME)",
    )
    p.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches EOF")
    p.add_argument("--verbose", action="store_true", help="log every request (werkzeug access log)")
    return p.parse_args(argv)


def watch_parent(parent_pid, watch_stdin):
    """Exit the whole process as soon as the parent is gone.

    stdin EOF is immediate when the parent dies (the kernel closes its end of
    the pipe); the pid watch covers a parent that handed us another stdin.
    """

    def stdin_watch():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        os._exit(0)

    # An interpreter shim (pyenv, asdf) may sit between the Go process and
    # this one, so the watch checks both that the Go process is alive and
    # that this process has not been re-parented since it started.
    initial_ppid = os.getppid()

    def parent_alive():
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def pid_watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != initial_ppid or not parent_alive():
                os._exit(0)

    if watch_stdin:
        threading.Thread(target=stdin_watch, name="stdin-watch", daemon=True).start()
    if parent_pid > 0:
        threading.Thread(target=pid_watch, name="parent-watch", daemon=True).start()


def configure_moto():
    from moto.core.config import default_user_config

    # Batch's Docker use is switched off outright; Lambda keeps its default
    # backend (use_docker True) because the no-Docker backend only echoes the
    # payload, and its invoke is replaced by the forwarder below.
    default_user_config["batch"]["use_docker"] = False


# ---------------------------------------------------------------------------
# The patch registry

Patch = collections.namedtuple("Patch", "name check apply")
Patch.__doc__ = """One registry entry.

check() returns True when the installed moto has the problem, else False or
a string saying why the patch is not needed. apply() patches moto and may
return a detail string (the value in use) for the ready line.
"""


def build_registry(args):
    """Return the patches in the order they are checked and applied.

    Order matters where patches touch the same function: sqs-fifo-redelivery
    replaces SQSBackend.receive_message, which sqs-atomic then wraps.
    """
    return [
        Patch("no-docker", docker_can_be_reached, forbid_docker),
        Patch("sqs-fifo-redelivery", sqs_receive_is_521, patch_sqs_fifo_redelivery),
        Patch("sqs-receive-cost", sqs_retention_check_is_521, patch_sqs_receive_cost),
        Patch("sqs-fast-clock", sqs_clock_is_521, patch_sqs_fast_clock),
        Patch("sqs-atomic", sqs_is_not_atomic, patch_sqs_atomic),
        Patch("sqs-dlq-source-arn", sqs_lacks_dlq_source_arn, patch_sqs_dlq_source_arn),
        Patch("sqs-fifo-sequence-number", sqs_fifo_sequence_is_missing, patch_sqs_fifo_sequence_number),
        Patch("sqs-message-body", sqs_accepts_bad_bodies, patch_sqs_message_body),
        Patch("sqs-fifo-queue-name", sqs_accepts_fifo_name_for_standard_queue, patch_sqs_fifo_queue_name),
        Patch("sqs-purge-in-progress", sqs_purges_without_limit, patch_sqs_purge_in_progress),
        Patch("dynamodb-atomic", dynamodb_is_not_atomic, patch_dynamodb_atomic),
        configured("lambda-invoke-forwarder", invoke_url_given, install_invoke_forwarder, args.invoke_url),
    ]


def configured(name, check, apply, setting):
    """Return a patch whose check and apply step both take a command-line setting."""
    return Patch(name, functools.partial(check, setting), functools.partial(apply, setting))


def run_patch(patch, disabled):
    """Check and apply one patch; return its ready-line entry."""
    entry = {"name": patch.name}
    if patch.name in disabled:
        entry.update(status="skipped", reason="disabled by --disable-patch")
        return entry
    try:
        found = patch.check()
    except Exception as err:  # a broken probe is not evidence of the bug
        entry.update(status="unknown", reason="check raised %s: %s" % (type(err).__name__, err))
        return entry
    if found is not True:
        entry.update(status="skipped", reason=found if isinstance(found, str) and found else ALREADY_FIXED)
        return entry
    try:
        detail = patch.apply()
    except Exception as err:
        entry.update(status="failed", reason="%s: %s" % (type(err).__name__, err))
        return entry
    entry["status"] = "applied"
    if detail:
        entry["detail"] = detail
    return entry


def apply_patches(registry, disabled):
    """Run every patch in order, log one line each to stderr, return the entries."""
    entries = []
    for patch in registry:
        entry = run_patch(patch, disabled)
        note = entry.get("reason") or entry.get("detail")
        sys.stderr.write(
            "lambdakit launcher: patch %s: %s%s\n" % (entry["name"], entry["status"], " (%s)" % note if note else "")
        )
        entries.append(entry)
    sys.stderr.flush()
    return entries


def source_digest(func):
    """Return a short SHA-256 of func's source, to recognise known code."""
    import hashlib

    try:
        return hashlib.sha256(inspect.getsource(func).encode("utf-8")).hexdigest()[:16]
    except (OSError, TypeError):
        return ""


# ---------------------------------------------------------------------------
# Locks held across moto calls

_HELD = threading.local()


def held_locks():
    """Return this thread's stack of locks taken through holding()."""
    stack = getattr(_HELD, "locks", None)
    if stack is None:
        stack = _HELD.locks = []
    return stack


@contextlib.contextmanager
def holding(lock):
    """Hold a reentrant lock (an RLock or a Condition over one), recording it.

    The record lets locks_released() give every held lock back while a
    Lambda invocation runs.
    """
    lock.acquire()
    stack = held_locks()
    stack.append(lock)
    try:
        yield
    finally:
        stack.pop()
        lock.release()


@contextlib.contextmanager
def locks_released():
    """Release every lock this thread holds through holding(), then retake them.

    moto invokes Lambda synchronously from inside some writes (an SQS or
    DynamoDB stream event-source mapping of moto's own, an SNS
    subscription). The function host may call back into this server on
    another thread, which would wait forever for a queue or table lock held
    by the invoking thread. AWS runs those invocations apart from the write
    anyway. The locks are retaken in the order they were first taken.
    """
    stack = held_locks()
    distinct = []
    for lock in stack:
        if not any(lock is seen for seen in distinct):
            distinct.append(lock)
    saved = [(lock, lock._release_save()) for lock in reversed(distinct)]
    _HELD.locks = []
    try:
        yield
    finally:
        for lock, state in reversed(saved):
            lock._acquire_restore(state)
        _HELD.locks = stack


# ---------------------------------------------------------------------------
# Docker and Lambda


class DockerDisabled(AttributeError):
    """Raised instead of connecting to Docker.

    It is an AttributeError on purpose: moto's /moto-api/data.json reads
    every attribute of every model and skips only AttributeError (and
    TypeError, ValueError), so any other exception from the docker_client
    property would turn that endpoint, used for readiness, into HTTP 500 as
    soon as a Lambda function exists.
    """


def docker_can_be_reached():
    """moto connects to Docker through DockerModel.docker_client."""
    from moto.utilities import docker_utilities

    if not hasattr(docker_utilities.DockerModel, "docker_client"):
        return "moto has no DockerModel.docker_client"
    return True


def forbid_docker():
    """Fail fast instead of hanging on a missing Docker daemon.

    Lambda invocations go to the Go test process (lambda-invoke-forwarder);
    any other attempt to reach Docker raises DockerDisabled.
    """
    from moto.utilities import docker_utilities

    def docker_client(self):
        raise DockerDisabled(
            "lambdakit launcher: Docker is disabled in the embedded emulator; "
            "Lambda invocations are forwarded to handlers registered in the Go test process"
        )

    docker_utilities.DockerModel.docker_client = property(docker_client)


def invoke_url_given(invoke_url):
    """The forwarder needs the Go function host's URL."""
    from moto.awslambda.models import LambdaFunction

    if not invoke_url:
        return "no --invoke-url given"
    if not callable(getattr(LambdaFunction, "invoke", None)):
        return "moto has no LambdaFunction.invoke"
    return True


def install_invoke_forwarder(invoke_url):
    """Replace LambdaFunction.invoke with a POST to the Go function host.

    Both lambda:Invoke calls and Step Functions lambda:invoke tasks end up in
    LambdaFunction.invoke, so this one patch covers both. A reply carrying
    X-Lambdakit-Function-Error is reported the way Lambda reports a function
    error: the x-amz-function-error header and the {"errorType",
    "errorMessage"} body, which Step Functions turns into the error name its
    Retry and Catch match on. A synchronous invocation gives back the queue
    and table locks of sqs-atomic and dynamodb-atomic while it waits (see
    locks_released).
    """
    from moto.awslambda.models import LambdaFunction

    base = invoke_url.rstrip("/")

    def forward(fn, body, request_id):
        if isinstance(body, str):
            data = body.encode("utf-8")
        elif body is None:
            data = b"{}"
        else:
            data = bytes(body)
        req = urllib.request.Request(
            "%s/invoke/%s" % (base, urllib.request.quote(fn.function_name, safe="")),
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Lambdakit-Request-Id": request_id,
                "X-Lambdakit-Function-Arn": fn.function_arn,
                "X-Lambdakit-Timeout-Seconds": str(fn.timeout),
            },
        )
        try:
            # The Go side enforces the function timeout; this bound only
            # protects moto from a host that stopped answering altogether.
            with urllib.request.urlopen(req, timeout=float(fn.timeout) + 30) as resp:
                return resp.read(), resp.headers.get("X-Lambdakit-Function-Error")
        except urllib.error.HTTPError as err:
            payload = err.read()
            function_error = err.headers.get("X-Lambdakit-Function-Error")
            if function_error:
                return payload, function_error
            message = "function host answered HTTP %d: %s" % (err.code, payload.decode("utf-8", "replace"))
        except Exception as err:  # connection refused, timeout
            message = "function host unreachable: %s" % err
        return (
            json.dumps({"errorType": "Lambdakit.FunctionHostError", "errorMessage": message}).encode("utf-8"),
            "Unhandled",
        )

    def invoke(self, body, request_headers, response_headers):
        request_id = str(uuid.uuid4())
        response_headers["x-amzn-RequestId"] = request_id
        inv_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
        if inv_type == "DryRun":
            return b""
        if inv_type == "Event":
            threading.Thread(target=forward, args=(self, body, request_id), daemon=True).start()
            return b""
        with locks_released():
            payload, function_error = forward(self, body, request_id)
        if function_error:
            response_headers["x-amz-function-error"] = function_error
        return payload

    LambdaFunction.invoke = invoke


# ---------------------------------------------------------------------------
# SQS

# Digests of moto 5.2.1's SQS functions that have the problems patched below.
SQS_RECEIVE_MESSAGE_521 = "065f3e5e7d214408"
SQS_RETENTION_CHECK_521 = "cca23b94a5f3af9d"
SQS_MESSAGE_VISIBLE_521 = "5129b573308de62a"
SQS_MESSAGE_DELAYED_521 = "e2fd48abf582683a"

PROBE_ACCOUNT = "123456789012"
PROBE_REGION = "us-east-1"


def probe_sqs_backend():
    """Return an SQSBackend of its own, registered nowhere, for behaviour checks."""
    from moto.sqs.models import SQSBackend

    return SQSBackend(PROBE_REGION, PROBE_ACCOUNT)


def sqs_receive_is_521():
    """sqs-fifo-redelivery replaces moto 5.2.1's receive_message only."""
    from moto.sqs import models

    return source_digest(models.SQSBackend.receive_message) == SQS_RECEIVE_MESSAGE_521 or SOURCE_DIFFERS


def patch_sqs_fifo_redelivery():
    """Keep FIFO order when a batch of one message group is redelivered.

    moto 5.2.1's ReceiveMessage releases expired in-flight messages one at a
    time while walking the queue and checks each message's group against the
    groups pending at that moment: with A3 and A4 both back, A3 is skipped
    because A4 still counts as pending, and A4 is delivered first. This
    version releases every expired message before computing the pending
    groups, on each pass of the long-poll loop; the rest is moto's logic
    (DLQ redrive, retention, attribute filtering, long polling).
    """
    from copy import deepcopy

    from moto.core.utils import unix_time
    from moto.sqs import models

    def receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names=None):
        if message_attribute_names is None:
            message_attribute_names = []
        queue = self.get_queue(queue_name)
        result = []
        polling_end = unix_time() + wait_seconds_timeout
        while True:
            if result or (wait_seconds_timeout and unix_time() > polling_end):
                break
            visible = queue.messages  # visible and not delayed
            for message in visible:
                queue.pending_messages.discard(message)
            pending_groups = queue.pending_message_groups
            messages_to_dlq = []
            for message in visible:
                if queue.fifo_queue and message.group_id and message.group_id in pending_groups:
                    continue
                if (
                    queue.dead_letter_queue is not None
                    and queue.redrive_policy
                    and message.approximate_receive_count >= queue.redrive_policy["maxReceiveCount"]
                ):
                    messages_to_dlq.append(message)
                    continue
                if not self.is_message_valid_based_on_retention_period(queue_name, message):
                    break
                queue.pending_messages.add(message)
                message.mark_received(visibility_timeout=visibility_timeout)
                message_copy = deepcopy(message)
                models._filter_message_attributes(message_copy, message_attribute_names)
                result.append(message_copy)
                if len(result) >= count:
                    break
            for message in messages_to_dlq:
                queue._messages.remove(message)
                queue.dead_letter_queue.add_message(message)
            if result or wait_seconds_timeout == 0:
                break
            wait_for_change(queue, polling_end)
        return result

    models.SQSBackend.receive_message = receive_message


# The longest a long-polling receive sleeps between two scans of its queue.
SQS_POLL_NAP = 0.25
# How close together, in seconds, messages come due to be waited for as one.
SQS_DUE_TOGETHER = 0.05


def wait_for_change(queue, polling_end):
    """Sleep until queue may have a message to give, giving its lock back meanwhile.

    moto 5.2.1 calls wait_for_messages(1), which returns at once while any
    message is visible, even one whose group is in flight, so a long poll
    spins through its whole wait; under sqs-atomic it would spin holding the
    queue's lock and stall every delete. This waits on the queue's
    Condition, which a send, a delete and a visibility change notify, until
    the next in-flight or delayed message is due, the poll ends, or
    SQS_POLL_NAP has passed. Messages that come due within SQS_DUE_TOGETHER
    of the first (those received by one call are marked a few microseconds
    apart) are waited for together, so a batch that times out comes back as
    one rather than split over two receives.
    """
    now_ms = time.time() * 1000
    due = [m.visible_at for m in queue._messages if m.visible_at > now_ms]
    due += [m.delayed_until for m in queue._messages if m.delayed_until > now_ms]
    wake_ms = []
    if due:
        first = min(due)
        wake_ms = [max(t for t in due if t <= first + SQS_DUE_TOGETHER * 1000) + 1]
    timeout = min([SQS_POLL_NAP, polling_end - now_ms / 1000] + [(t - now_ms) / 1000 for t in wake_ms])
    if timeout > 0:
        with queue._messages_lock:
            queue._messages_lock.wait(timeout)


def sqs_retention_check_is_521():
    """sqs-receive-cost replaces moto 5.2.1's retention check only."""
    from moto.sqs import models

    digest = source_digest(models.SQSBackend.is_message_valid_based_on_retention_period)
    return digest == SQS_RETENTION_CHECK_521 or SOURCE_DIFFERS


def patch_sqs_receive_cost():
    """Read the retention period directly when receiving.

    moto 5.2.1 computes every queue attribute, including the approximate
    message counts (a walk over all messages), for each message received, so
    a receive from a queue of 1,000 messages costs about 0.5 s.
    """
    from moto.core.utils import unix_time_millis
    from moto.sqs import models

    def is_message_valid_based_on_retention_period(self, queue_name, message):
        queue = self.get_queue(queue_name)
        return message.sent_timestamp + int(queue.message_retention_period) * 1000 > unix_time_millis()

    models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


def sqs_clock_is_521():
    """sqs-fast-clock replaces moto 5.2.1's Message.visible and .delayed only."""
    from moto.sqs import models

    known = (
        source_digest(models.Message.visible.fget) == SQS_MESSAGE_VISIBLE_521
        and source_digest(models.Message.delayed.fget) == SQS_MESSAGE_DELAYED_521
    )
    return known or SOURCE_DIFFERS


def patch_sqs_fast_clock():
    """Use time.time() for message visibility and delay.

    SendMessage reads queue attributes, which ask every message whether it
    is visible or delayed through moto's datetime-based clock (about 10 us a
    call), making a send to a queue of 1,000 messages cost 20 ms. This gives
    up moto's time-travel API (/moto-api/time), which the embedded emulator
    does not use.
    """
    from moto.sqs import models

    models.Message.visible = property(lambda self: time.time() * 1000 > self.visible_at)
    models.Message.delayed = property(lambda self: time.time() * 1000 < self.delayed_until)


# Methods that read and then write a queue's messages (_messages,
# pending_messages, deleted_messages, the purge and sequence state). The
# Queue ones are also what other services (SNS, EventBridge, S3, the DLQ
# redrive) reach.
SQS_QUEUE_METHODS = ("add_message", "delete_message")
SQS_BACKEND_METHODS = (
    "send_message",
    "send_message_batch",
    "receive_message",
    "delete_message",
    "delete_message_batch",
    "change_message_visibility",
    "change_message_visibility_batch",
    "purge_queue",
    "get_queue_attributes",
)

# The ones after which a long-polling receive may find a message to give (a
# message group freed, a message made visible): they wake it.
SQS_FREEING_METHODS = (
    "delete_message",
    "delete_message_batch",
    "change_message_visibility",
    "change_message_visibility_batch",
)


def sqs_is_not_atomic():
    """Report whether moto's queues change without a lock.

    moto 5.2.1's Queue.delete_message rebuilds the message list without a
    lock, and ReceiveMessage scans and marks messages without one. The patch
    needs the methods above and the queue's own _messages_lock, a Condition
    over a reentrant lock (moto waits on it in long polling).
    """
    from moto.sqs import models

    missing = [
        "Queue." + name for name in SQS_QUEUE_METHODS if not callable(getattr(models.Queue, name, None))
    ] + ["SQSBackend." + name for name in SQS_BACKEND_METHODS if not callable(getattr(models.SQSBackend, name, None))]
    if missing:
        return "moto has no " + ", ".join(missing)
    lock = models.Queue("probe", region=PROBE_REGION, account_id=PROBE_ACCOUNT)._messages_lock
    if not isinstance(lock, threading.Condition) or not hasattr(lock, "_release_save"):
        return "Queue._messages_lock is not a Condition"
    lock.acquire()
    try:
        reentrant = lock.acquire(blocking=False)
        if reentrant:
            lock.release()
    finally:
        lock.release()
    if not reentrant:
        return "Queue._messages_lock is not reentrant"
    if "_messages_lock" in inspect.getsource(models.Queue.delete_message):
        return "moto already locks Queue.delete_message"
    if "wait_for_change" not in inspect.getsource(models.SQSBackend.receive_message):
        # moto's own long poll spins while a message of a busy group is
        # visible; under the lock it would stall every delete.
        return "needs sqs-fifo-redelivery's receive_message, which waits without spinning"
    return True


def patch_sqs_atomic():
    """Run every read-then-write of a queue's messages under the queue's lock.

    Without it, 5 concurrent boto3 consumers of one moto 5.2.1 queue lose
    messages (delete_message rebuilds the message list from a snapshot,
    dropping messages appended or deleted meanwhile), get and delete some
    twice (two receives mark the same visible message, or a deleted one comes
    back) and hit HTTP 500s ("list.remove(x): x not in list" in the DLQ move);
    tests/test_atomic.py measures it. The lock is moto's own
    queue._messages_lock, a Condition over an RLock: a receive's long poll
    waits on that Condition, which gives the lock back while it waits, so
    each pass of the receive loop scans under the lock and waits outside it.
    A receive that moves messages to the DLQ takes the DLQ's lock inside the
    source queue's. A Lambda invocation made by moto inside one of these
    calls runs with the locks released (see locks_released).
    """
    from moto.sqs import models

    def queue_method(method):
        @functools.wraps(method)
        def locked(self, *args, **kwargs):
            with holding(self._messages_lock):
                return method(self, *args, **kwargs)

        return locked

    def backend_method(method):
        @functools.wraps(method)
        def locked(self, *args, **kwargs):
            queue_name = kwargs["queue_name"] if "queue_name" in kwargs else args[0]
            lock = self.get_queue(queue_name)._messages_lock
            with holding(lock):
                result = method(self, *args, **kwargs)
                if method.__name__ in SQS_FREEING_METHODS:
                    lock.notify_all()
                return result

        return locked

    wrapped_queue = {name: queue_method(getattr(models.Queue, name)) for name in SQS_QUEUE_METHODS}
    wrapped_backend = {name: backend_method(getattr(models.SQSBackend, name)) for name in SQS_BACKEND_METHODS}
    for name, method in wrapped_queue.items():
        setattr(models.Queue, name, method)
    for name, method in wrapped_backend.items():
        setattr(models.SQSBackend, name, method)


# The DLQ source ARN of each message the current thread's last receives
# returned, by message id.
_RECEIVED = threading.local()


def sqs_lacks_dlq_source_arn():
    """moto 5.2.1's ReceiveMessage never returns DeadLetterQueueSourceArn."""
    from moto.sqs.responses import SQSResponse

    return "DeadLetterQueueSourceArn" not in inspect.getsource(SQSResponse.receive_message)


def patch_sqs_dlq_source_arn():
    """Return DeadLetterQueueSourceArn for messages the redrive policy moved.

    AWS adds the system attribute (the ARN of the queue the message came
    from) to a message moved to a dead-letter queue; receivers of the DLQ use
    it to find where to redrive. Every queue a message enters records its
    ARN on the message, so entering a second queue means a move from the
    first; ReceiveMessage then adds the attribute when AttributeNames or
    MessageSystemAttributeNames ask for it or for All.
    """
    from moto.sqs import models
    from moto.sqs.responses import SQSResponse

    original_add = models.Queue.add_message
    original_receive = models.SQSBackend.receive_message
    original_response = SQSResponse.receive_message

    @functools.wraps(original_add)
    def add_message(self, message):
        origin = getattr(message, "_lambdakit_queue_arn", None)
        if origin is not None and origin != self.queue_arn:
            message.dead_letter_queue_source_arn = origin
        message._lambdakit_queue_arn = self.queue_arn
        return original_add(self, message)

    @functools.wraps(original_receive)
    def receive_message(self, *args, **kwargs):
        messages = original_receive(self, *args, **kwargs)
        sources = getattr(_RECEIVED, "sources", None)
        if sources is not None:
            for message in messages:
                source = getattr(message, "dead_letter_queue_source_arn", None)
                if source:
                    sources[message.id] = source
        return messages

    @functools.wraps(original_response)
    def receive_message_response(self):
        _RECEIVED.sources = {}
        try:
            result = original_response(self)
            sources = _RECEIVED.sources
        finally:
            _RECEIVED.sources = None
        names = (self._get_param("AttributeNames", []) or []) + (
            self._get_param("MessageSystemAttributeNames", []) or []
        )
        body = result.result if isinstance(result.result, dict) else {}
        if sources and ("All" in names or "DeadLetterQueueSourceArn" in names):
            for msg in body.get("Messages", []):
                if msg["MessageId"] in sources:
                    msg.setdefault("Attributes", {})["DeadLetterQueueSourceArn"] = sources[msg["MessageId"]]
        return result

    models.Queue.add_message = add_message
    models.SQSBackend.receive_message = receive_message
    SQSResponse.receive_message = receive_message_response


def sqs_fifo_sequence_is_missing():
    """Send two messages of one group to a probe FIFO queue and look at their SequenceNumber.

    moto 5.2.1 gives one only with an explicit MessageDeduplicationId, and a
    random one at that.
    """
    backend = probe_sqs_backend()
    backend.create_queue("probe.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    first = backend.send_message("probe.fifo", "first", group_id="g").sequence_number
    second = backend.send_message("probe.fifo", "second", group_id="g").sequence_number
    if not (first and second and first.isdigit() and second.isdigit()):
        return True
    return int(second) <= int(first) or "moto already numbers FIFO messages in order"


def patch_sqs_fifo_sequence_number():
    """Give every message sent to a FIFO queue an increasing SequenceNumber.

    AWS returns it from SendMessage and SendMessageBatch and as a system
    attribute of received messages: a large number, as a string of 20
    digits, that grows within a message group (here within the whole
    queue). Each number is at least the send time in units of 0.1 ns, so
    they are not consecutive. A message the redrive policy moves to a FIFO
    DLQ keeps its number.
    """
    from moto.sqs import models

    original = models.Queue.add_message

    @functools.wraps(original)
    def add_message(self, message):
        if not self.fifo_queue or getattr(message, "_lambdakit_sequenced", False):
            return original(self, message)
        with holding(self._messages_lock):
            number = max(getattr(self, "_lambdakit_last_sequence", 0) + 1, time.time_ns() * 10)
            self._lambdakit_last_sequence = number
            message.sequence_number = str(number)
            message._lambdakit_sequenced = True
            return original(self, message)

    models.Queue.add_message = add_message


# Characters AWS refuses in a message body: everything outside
# #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
SQS_INVALID_BODY_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def sqs_body_error(body):
    """Return AWS's error for an unacceptable message body, or None."""
    from moto.sqs.exceptions import MissingParameter, SQSException

    if not body:
        return MissingParameter("MessageBody")
    bad = SQS_INVALID_BODY_CHARACTER.search(body)
    if bad:
        return SQSException(
            "InvalidMessageContents",
            "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is "
            "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]." % ord(bad.group()),
        )
    return None


def sqs_accepts_bad_bodies():
    """Send an empty body and a NUL to a probe queue; moto 5.2.1 takes both."""
    from moto.sqs.exceptions import SQSException

    backend = probe_sqs_backend()
    backend.create_queue("probe")
    for body in ("", "\x00"):
        try:
            backend.send_message("probe", body)
            return True
        except SQSException:
            pass
    return "moto already refuses empty and invalid bodies"


def patch_sqs_message_body():
    """Refuse empty message bodies and characters outside SQS's set, as AWS does.

    SendMessage fails with MissingParameter ("The request must contain the
    parameter MessageBody.") or InvalidMessageContents; SendMessageBatch
    reports such an entry in Failed (SenderFault true, the same code) and
    sends the others. moto's own batch checks (entry count, ids) still come
    first.
    """
    from moto.core.responses import ActionResult
    from moto.sqs.responses import SQSResponse

    original_send = SQSResponse.send_message
    original_batch = SQSResponse.send_message_batch

    @functools.wraps(original_send)
    def send_message(self):
        error = sqs_body_error(self._get_param("MessageBody"))
        if error is not None:
            raise error
        return original_send(self)

    @functools.wraps(original_batch)
    def send_message_batch(self):
        entries = self._get_param("Entries", []) or []
        ids = [entry.get("Id") for entry in entries]
        if len(entries) > 10 or len(set(ids)) != len(ids):
            return original_batch(self)
        kept, failed = [], []
        for entry in entries:
            error = sqs_body_error(entry.get("MessageBody"))
            if error is None:
                kept.append(entry)
            else:
                failed.append({"Id": entry["Id"], "SenderFault": True, "Code": error.code, "Message": error.message})
        if not failed:
            return original_batch(self)
        if not kept:
            return ActionResult({"Successful": [], "Failed": failed})
        self.params["Entries"] = kept
        result = original_batch(self)
        result.result["Failed"] = result.result.get("Failed", []) + failed
        return result

    SQSResponse.send_message = send_message
    SQSResponse.send_message_batch = send_message_batch


def sqs_accepts_fifo_name_for_standard_queue():
    """Create a standard queue named probe.fifo on a probe backend; moto 5.2.1 does."""
    from moto.sqs.exceptions import SQSException

    try:
        probe_sqs_backend().create_queue("probe.fifo")
    except SQSException:
        return "moto already refuses a .fifo name without FifoQueue"
    return True


def patch_sqs_fifo_queue_name():
    """Refuse a queue name ending in .fifo without FifoQueue=true.

    AWS answers InvalidParameterValue "Can only include alphanumeric
    characters, hyphens, or underscores. 1 to 80 in length" (a standard
    queue's name cannot contain a dot); moto 5.2.1 creates a standard queue.
    The other direction, FifoQueue=true without the suffix, moto already
    refuses.
    """
    from moto.sqs import models
    from moto.sqs.exceptions import InvalidParameterValue

    original = models.SQSBackend.create_queue

    @functools.wraps(original)
    def create_queue(self, name, tags=None, **kwargs):
        if name.endswith(".fifo") and str(kwargs.get("FifoQueue", "false")).lower() != "true":
            raise InvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            )
        return original(self, name, tags, **kwargs)

    models.SQSBackend.create_queue = create_queue


# AWS accepts one PurgeQueue per queue every 60 seconds.
SQS_PURGE_INTERVAL = 60.0


def sqs_purges_without_limit():
    """Purge a probe queue twice; moto 5.2.1 accepts both."""
    from moto.sqs.exceptions import SQSException

    backend = probe_sqs_backend()
    backend.create_queue("probe")
    backend.purge_queue("probe")
    try:
        backend.purge_queue("probe")
    except SQSException:
        return "moto already limits PurgeQueue"
    return True


def patch_sqs_purge_in_progress():
    """Refuse a second PurgeQueue on a queue within 60 seconds, as AWS does.

    The error is PurgeQueueInProgress, raised the way moto raises its other
    SQS errors, so the JSON protocol answers __type
    com.amazonaws.sqs#PurgeQueueInProgress and x-amzn-query-error
    AWS.SimpleQueueService.PurgeQueueInProgress;Sender (HTTP 403, the status
    of moto's service model). Only a purge that succeeded starts the 60 s.
    """
    from moto.sqs import models
    from moto.sqs.exceptions import SQSException

    original = models.SQSBackend.purge_queue

    @functools.wraps(original)
    def purge_queue(self, queue_name):
        queue = self.get_queue(queue_name)
        with holding(queue._messages_lock):
            now = time.monotonic()
            last = getattr(queue, "_lambdakit_purged_at", None)
            if last is not None and now - last < SQS_PURGE_INTERVAL:
                raise SQSException(
                    "AWS.SimpleQueueService.PurgeQueueInProgress",
                    "Only one PurgeQueue operation on %s is allowed every 60 seconds." % queue.name,
                )
            result = original(self, queue_name)
            queue._lambdakit_purged_at = now
            return result

    models.SQSBackend.purge_queue = purge_queue


# ---------------------------------------------------------------------------
# DynamoDB

# The handler methods that read or write items. Locking the handler rather
# than the backend also covers the conversion of the items read into the
# response, which update_item could otherwise change halfway.
DYNAMODB_HANDLER_METHODS = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_write_item",
    "batch_get_item",
    "transact_write_items",
    "transact_get_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)


def dynamodb_is_not_atomic():
    """Report whether moto's DynamoDB handlers run without a lock.

    moto 5.2.1's put_item evaluates its condition and then writes, with
    nothing between two requests on two threads: 8 threads racing PutItem
    with attribute_not_exists on one key can both win (seen in 1 of 200
    rounds).
    """
    from moto.dynamodb import models
    from moto.dynamodb.responses import DynamoHandler

    missing = [name for name in DYNAMODB_HANDLER_METHODS if not callable(getattr(DynamoHandler, name, None))]
    if missing:
        return "moto's DynamoHandler has no " + ", ".join(missing)
    if "Lock(" in inspect.getsource(models):
        return "moto's DynamoDB backend already has a lock"
    return True


def patch_dynamodb_atomic():
    """Run every DynamoDB item operation under its backend's lock.

    Condition checks and the writes they guard (PutItem, UpdateItem,
    DeleteItem, BatchWriteItem, TransactWriteItems and PartiQL) become
    atomic, reads never see a half-written item, and a transaction's
    rollback (moto restores deep copies of whole tables) cannot drop a
    concurrent write. One RLock per account and region: simple, and moto's
    work is serialised by the GIL anyway. A stream's Lambda invocation made
    by moto inside a write runs with the lock released (see locks_released).
    """
    from moto.dynamodb.responses import DynamoHandler

    def backend_lock(backend):
        # dict.setdefault is atomic, so two first requests get one lock.
        return backend.__dict__.setdefault("_lambdakit_lock", threading.RLock())

    def handler_method(method):
        @functools.wraps(method)
        def locked(self, *args, **kwargs):
            with holding(backend_lock(self.dynamodb_backend)):
                return method(self, *args, **kwargs)

        return locked

    wrapped = {name: handler_method(getattr(DynamoHandler, name)) for name in DYNAMODB_HANDLER_METHODS}
    for name, method in wrapped.items():
        setattr(DynamoHandler, name, method)


# ---------------------------------------------------------------------------


def main(argv):
    args = parse_args(argv)
    watch_parent(args.parent_pid, args.watch_stdin)
    # kill -USR1 <pid> dumps every thread's stack to stderr: the way to see
    # where a hung emulator is stuck.
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1, all_threads=True)

    try:
        import moto
        from werkzeug.serving import make_server
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    except ImportError as err:
        sys.stderr.write(
            "lambdakit launcher: %s: %s\n"
            "install the pinned moto with its server extras, from the lambdakit repository:\n"
            "    %s -m pip install -r localstack/launcher/requirements.txt\n" % (sys.executable, err, sys.executable)
        )
        sys.stderr.flush()
        # os._exit, not return: the stdin watcher thread holds stdin's lock,
        # and a normal interpreter shutdown would abort on it.
        os._exit(EXIT_MOTO_MISSING)

    registry = build_registry(args)
    unknown = sorted(set(args.disable_patch) - {patch.name for patch in registry})
    if unknown:
        sys.stderr.write(
            "lambdakit launcher: --disable-patch: unknown patch %s; patches: %s\n"
            % (", ".join(unknown), ", ".join(patch.name for patch in registry))
        )
        return EXIT_USAGE

    configure_moto()
    patches = apply_patches(registry, set(args.disable_patch))

    if not args.verbose:
        # One access-log line per SDK call drowns the useful lines (patches,
        # tracebacks) that the Go side quotes when something fails.
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True)
    # socketserver listens with a backlog of 5; the Go front opens a
    # connection per request, and bursts of them overflowed it under load.
    server.socket.listen(512)
    port = server.socket.getsockname()[1]
    # moto's own cross-service calls (an SNS subscription to SQS) use
    # localhost:$MOTO_PORT, so it must name the port actually bound.
    os.environ["MOTO_PORT"] = str(port)

    sys.stdout.write(
        READY_PREFIX
        + json.dumps({"port": port, "moto": moto.__version__, "patches": patches}, separators=(",", ":"))
        + "\n"
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except BaseException:  # noqa: BLE001 - report anything, then exit hard
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
