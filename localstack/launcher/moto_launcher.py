#!/usr/bin/env python3
"""Run moto server as lambdakit's embedded AWS emulator.

The Go package github.com/lambdakit/lambdakit/localstack starts this script as
a child process. It configures moto the way the lambdakit tests need it, binds
a free loopback port, prints one ready line on stdout and serves until its
parent goes away.

What it changes in moto, and why:

* Step Functions executions are turned on (moto config
  ``stepfunctions.execute_state_machine``); by default moto only records them.
* Docker is never started: Lambda invocations are forwarded to the Go test
  process instead (``--invoke-url``), and any other attempt to reach Docker
  fails fast instead of hanging on a missing daemon.
* Known bugs are patched only when the installed moto has them, detected at
  start: StartExecution failing with "cannot pickle '_thread.RLock'" on every
  execution after the first (fixed upstream in 5.2.3 by a StateMachine
  __deepcopy__ that skips executions and the backend), SendTaskFailure
  dropping its ``cause``, DescribeExecution leaving out ``inputDetails``,
  the states:startExecution integration (plain, .sync, .sync:2) failing
  with States.Runtime because its requests and responses are not converted
  between Step Functions' and boto3's member names, a callback task with
  HeartbeatSeconds losing an answer or a heartbeat sent during its invoke,
  and a States.* error that ends a Map iteration or a Parallel branch
  turning into States.Runtime.
* SQS in moto 5.2.1 breaks FIFO order when a batch of one message group
  becomes visible again (messages after the first are delivered before it),
  and makes ReceiveMessage and SendMessage cost O(queue depth) through slow
  attribute and clock reads. These patches (found by the event-source
  mapping tests) replace a function only when its installed source is
  byte-for-byte the version known to have the problem (a SHA-256 prefix of
  inspect.getsource), so a fixed or changed moto is left alone.
* Wait states and Retry intervals are scaled by ``--wait-scale`` so that a
  test of a state machine with ``"Seconds": 10`` does not take ten seconds, and
  the waitForTaskToken condition poll (0.5 s in moto) is shortened.

The ready line is ``LAMBDAKIT_MOTO_READY {json}`` with the port, the moto
version and the list of applied patches. Errors before that line go to stderr
and exit with a non-zero status.
"""

import argparse
import copy
import inspect
import json
import os
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
        "--wait-scale",
        type=float,
        default=float(os.environ.get("LAMBDAKIT_WAIT_SCALE", "1")),
        help="factor applied to Wait state durations and Retry intervals (0 = no waiting)",
    )
    p.add_argument(
        "--callback-poll",
        type=float,
        default=0.02,
        help="seconds between checks of a waitForTaskToken task's outcome (moto uses 0.5)",
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

    default_user_config["stepfunctions"]["execute_state_machine"] = True
    # Batch's Docker use is switched off outright; Lambda keeps its default
    # backend (use_docker True) because the no-Docker backend only echoes the
    # payload, and its invoke is replaced by the forwarder below.
    default_user_config["batch"]["use_docker"] = False


class DockerDisabled(AttributeError):
    """Raised instead of connecting to Docker.

    It is an AttributeError on purpose: moto's /moto-api/data.json reads
    every attribute of every model and skips only AttributeError (and
    TypeError, ValueError), so any other exception from the docker_client
    property would turn that endpoint, used for readiness, into HTTP 500 as
    soon as a Lambda function exists.
    """


def forbid_docker(applied):
    from moto.utilities import docker_utilities

    def docker_client(self):
        raise DockerDisabled(
            "lambdakit launcher: Docker is disabled in the embedded emulator; "
            "Lambda invocations are forwarded to handlers registered in the Go test process"
        )

    docker_utilities.DockerModel.docker_client = property(docker_client)
    applied.append("no-docker")


def statemachine_deepcopy_is_broken():
    """Report whether deep-copying a StateMachine with an execution fails.

    moto 5.2.1's StepFunctionsParserBackend.start_execution deep-copies the
    state machine, whose executions hold thread locks; the copy raises
    TypeError once an execution exists, so every execution after the first
    fails. The check reproduces exactly that instead of trusting a version
    number, so a fixed moto is left alone.
    """
    from moto.stepfunctions.models import StateMachine

    class Holder:
        def __init__(self):
            self.lock = threading.RLock()

    sm = StateMachine(
        arn="arn:aws:states:us-east-1:123456789012:stateMachine:probe",
        name="probe",
        definition="{}",
        roleArn="arn:aws:iam::123456789012:role/probe",
        backend=Holder(),
    )
    sm.executions.append(Holder())
    try:
        copy.deepcopy(sm)
    except TypeError:
        return True
    return False


def patch_statemachine_deepcopy(applied):
    from moto.stepfunctions.models import StateMachine

    if not statemachine_deepcopy_is_broken():
        return

    def __deepcopy__(self, memo):
        # The clone is a snapshot of the definition for one execution: it
        # shares the backend and starts with no executions, as upstream does.
        cls = self.__class__
        clone = cls.__new__(cls)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key == "backend":
                setattr(clone, key, value)
            elif key == "executions":
                setattr(clone, key, [])
            else:
                setattr(clone, key, copy.deepcopy(value, memo))
        return clone

    StateMachine.__deepcopy__ = __deepcopy__
    applied.append("statemachine-deepcopy")


def patch_send_task_failure_cause(applied):
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    source = inspect.getsource(StepFunctionResponse.send_task_failure)
    if "cause" in source:
        return

    def send_task_failure(self):
        task_token = self._get_param("taskToken")
        error = self._get_param("error")
        cause = self._get_param("cause")
        backend = self.stepfunction_backend
        params = inspect.signature(backend.send_task_failure).parameters
        if "cause" in params:
            backend.send_task_failure(task_token, error=error, cause=cause)
        else:
            backend.send_task_failure(task_token, error=error)
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_task_failure
    applied.append("send-task-failure-cause")


def patch_waits(scale, callback_poll, applied):
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback,
    )

    if callback_poll > 0 and getattr(
        state_task_service_callback, "_DELAY_SECONDS_SYNC_CONDITION_CHECK", None
    ) is not None:
        state_task_service_callback._DELAY_SECONDS_SYNC_CONDITION_CHECK = callback_poll
        applied.append("callback-poll=%g" % callback_poll)

    if scale == 1:
        return

    def _eval_body(self, env):
        # moto's own _wait_interval rounds to whole seconds and would loop on
        # a fractional wait; this one waits the scaled time, still waking up
        # early when the execution is stopped.
        remaining = max(0.0, float(self._get_wait_seconds(env=env)) * scale)
        deadline = time.monotonic() + remaining
        while remaining > 0 and env.is_running():
            env.program_state_event.wait(remaining)
            remaining = deadline - time.monotonic()

    wait_function.WaitFunction._eval_body = _eval_body

    class ScaledTime:
        """Stands in for the time module inside retrier_decl only."""

        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            time.sleep(max(0.0, seconds * scale))

    retrier_decl.time = ScaledTime()
    applied.append("wait-scale=%g" % scale)


def patch_describe_execution_input_details(applied):
    """Add the inputDetails that moto 5.2.1's DescribeExecution leaves out.

    AWS always returns inputDetails ({"included": true}) next to input, and
    a .sync task's output carries it as InputDetails. The patch applies only
    when moto's handler never mentions the field.
    """
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.describe_execution
    if "inputDetails" in inspect.getsource(original):
        return

    def describe_execution(self):
        result = original(self)
        body = result.result if isinstance(result, ActionResult) else None
        if isinstance(body, dict) and "input" in body:
            body.setdefault("inputDetails", {"included": True})
        return result

    StepFunctionResponse.describe_execution = describe_execution
    applied.append("describe-execution-input-details")


def sfn_start_execution_is_broken():
    """Report whether moto's states:startExecution integration is broken.

    moto 5.2.1's StateTaskServiceSfn leaves the boto3 conversions of its
    LocalStack origin out (the base class's _normalise_parameters and
    _normalise_response are empty): the task's "StateMachineArn" reaches
    boto3, whose serializer wants "stateMachineArn" (KeyError, States.Runtime),
    and the .sync resolvers read "ExecutionArn" where boto3 returns
    "executionArn". The probe runs both conversions on a stand-in task and
    looks at the keys, instead of trusting a version number.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    task = sfn_probe_task(StateTaskServiceSfn)
    params = {"StateMachineArn": "arn", "Name": "probe", "Input": {}}
    response = {"executionArn": "arn"}
    try:
        task._normalise_parameters(params)
        task._normalise_response(response, service_action_name="start_execution")
    except Exception:
        return True
    return "stateMachineArn" not in params or "ExecutionArn" not in response


def sfn_probe_task(cls):
    """Return a StateTaskServiceSfn for startExecution, without parsing ASL."""

    class Resource:
        api_name = "states"
        api_action = "startExecution"
        condition = None

    task = cls.__new__(cls)
    task.resource = Resource()
    return task


def epoch_millis(value):
    """Turn the datetimes boto3 returns into AWS's epoch milliseconds.

    Step Functions reports StartDate and StopDate of a .sync child as
    numbers; moto would otherwise serialise them as ISO strings.
    """
    import datetime

    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: epoch_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [epoch_millis(v) for v in value]
    return value


def patch_sfn_start_execution(applied):
    """Make states:startExecution (plain, .sync, .sync:2) run.

    Requests are converted to boto3's member names and responses back to the
    Step Functions casing with moto's own shape-driven helpers
    (_to_boto_request, _from_boto_response, still present in 5.2.1), driven by
    botocore's model of the operation, so nested members (InputDetails ->
    {"Included": true}) are converted as on AWS. The .sync result carries the
    child's Input and Output as JSON strings, .sync:2 as parsed JSON (moto's
    _sync2_api_output_of already parses them before the conversion).
    """
    import functools

    import botocore.session

    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sfn
    from moto.stepfunctions.parser.utils import snake_to_camel_case

    if not sfn_start_execution_is_broken():
        return

    cls = state_task_service_sfn.StateTaskServiceSfn

    @functools.lru_cache(maxsize=None)
    def operation_model(service, operation):
        return botocore.session.get_session().get_service_model(service).operation_model(operation)

    def operation_of(task, boto_service_name, service_action_name):
        service = task._get_boto_service_name(boto_service_name=boto_service_name)
        action = task._get_boto_service_action(service_action_name=service_action_name)
        return operation_model(service, snake_to_camel_case(action))

    original_normalise_parameters = cls._normalise_parameters

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        # moto's version turns a JSON Input into the compact string AWS sends;
        # the shape conversion then renames the members for boto3.
        original_normalise_parameters(
            self, parameters, boto_service_name=boto_service_name, service_action_name=service_action_name
        )
        op = operation_of(self, boto_service_name, service_action_name)
        self._to_boto_request(parameters, op.input_shape)

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
        if not isinstance(response, dict):
            return
        op = operation_of(self, boto_service_name, service_action_name)
        self._from_boto_response(response, op.output_shape)
        for key, value in list(response.items()):
            response[key] = epoch_millis(value)

    cls._normalise_parameters = _normalise_parameters
    cls._normalise_response = _normalise_response
    applied.append("sfn-start-execution")


def patch_states_errors_in_branches(applied):
    """Let a States.* error leave a Map iteration or a Parallel branch.

    moto 5.2.1 wraps the error that ended an iteration or a branch in
    CustomErrorName, which refuses names starting with "States.": a task in
    a Map that fails with States.TaskFailed (a failed .sync child),
    States.Timeout or States.Runtime fails the whole execution with
    States.Runtime ("Custom Error Names MUST NOT begin with the prefix
    'States.'") instead, which no Catch on the Map can match. The patch hands
    those two modules a factory that keeps States.* names as StatesErrorName,
    applied only to a module whose CustomErrorName refuses them.
    """
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    class AnyErrorName(ErrorName):
        """A States.* name the grammar does not know, kept as it is."""

    def error_name_for(error_name):
        if error_name is None or not str(error_name).startswith("States."):
            return CustomErrorName(error_name=error_name)
        try:
            return StatesErrorName.from_name(str(error_name))
        except ValueError:
            return AnyErrorName(error_name=str(error_name))

    patched = False
    for module in (iteration_worker, branches_decl):
        factory = getattr(module, "CustomErrorName", None)
        if factory is None:
            continue
        try:
            factory(error_name="States.TaskFailed")
        except ValueError:
            module.CustomErrorName = error_name_for
            patched = True
    if patched:
        applied.append("states-errors-in-branches")


def heartbeat_bugs():
    """Report which heartbeat bugs moto's CallbackEndpoint has.

    A lambda:invoke.waitForTaskToken task with HeartbeatSeconds creates its
    heartbeat watch only after the invoke returns (as moto's callback tasks
    do for every integration). So a task token answered during the invoke,
    which is what a synchronous handler does, leaves the new watch unset and
    the task times out with States.Timeout after HeartbeatSeconds; and a
    SendTaskHeartbeat during the invoke finds no watch and fails with
    InvalidToken. Both are reproduced on a bare endpoint.
    """
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, CallbackOutcomeSuccess

    answered = CallbackEndpoint(callback_id="probe")
    answered.notify(CallbackOutcomeSuccess(callback_id="probe", output="{}"))
    outcome_lost = not answered.setup_heartbeat_endpoint(heartbeat_seconds=0.001).clear_and_wait()

    early = CallbackEndpoint(callback_id="probe")
    heartbeat_rejected = not early.notify_heartbeat()
    return outcome_lost, heartbeat_rejected


def patch_early_heartbeat(applied):
    """Keep what happened to a callback task before its heartbeat watch existed.

    An outcome already received wakes the new watch at once, and a heartbeat
    received before it is accepted and counts as the first beat. The watch
    still starts when the invoke returns, not when the task starts as on AWS,
    so a slow invoke without heartbeats is more lenient here than on AWS.
    """
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint

    outcome_lost, heartbeat_rejected = heartbeat_bugs()
    if not (outcome_lost or heartbeat_rejected):
        return

    original_setup = CallbackEndpoint.setup_heartbeat_endpoint
    original_notify_heartbeat = CallbackEndpoint.notify_heartbeat

    def setup_heartbeat_endpoint(self, heartbeat_seconds):
        endpoint = original_setup(self, heartbeat_seconds=heartbeat_seconds)
        if self.get_outcome() is not None or getattr(self, "_lambdakit_early_heartbeat", False):
            endpoint.notify()
        return endpoint

    def notify_heartbeat(self):
        if original_notify_heartbeat(self):
            return True
        # No watch yet: the task is still in its invoke. The token is live
        # (the pool found it), so the heartbeat is accepted as on AWS.
        self._lambdakit_early_heartbeat = True
        return True

    CallbackEndpoint.setup_heartbeat_endpoint = setup_heartbeat_endpoint
    if heartbeat_rejected:
        CallbackEndpoint.notify_heartbeat = notify_heartbeat
    applied.append("sfn-early-heartbeat")


def source_digest(func):
    """Return a short SHA-256 of func's source, to recognise known code."""
    import hashlib

    try:
        return hashlib.sha256(inspect.getsource(func).encode("utf-8")).hexdigest()[:16]
    except (OSError, TypeError):
        return ""


# Digests of moto 5.2.1's SQS functions that have the problems patched below.
SQS_RECEIVE_MESSAGE_521 = "065f3e5e7d214408"
SQS_RETENTION_CHECK_521 = "cca23b94a5f3af9d"
SQS_MESSAGE_VISIBLE_521 = "5129b573308de62a"
SQS_MESSAGE_DELAYED_521 = "e2fd48abf582683a"


def patch_sqs_fifo_redelivery(applied):
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

    if source_digest(models.SQSBackend.receive_message) != SQS_RECEIVE_MESSAGE_521:
        return

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
            queue.wait_for_messages(1)
        return result

    models.SQSBackend.receive_message = receive_message
    applied.append("sqs-fifo-redelivery")


def patch_sqs_receive_cost(applied):
    """Read the retention period directly when receiving.

    moto 5.2.1 computes every queue attribute, including the approximate
    message counts (a walk over all messages), for each message received, so
    a receive from a queue of 1,000 messages costs about 0.5 s.
    """
    from moto.core.utils import unix_time_millis
    from moto.sqs import models

    if source_digest(models.SQSBackend.is_message_valid_based_on_retention_period) != SQS_RETENTION_CHECK_521:
        return

    def is_message_valid_based_on_retention_period(self, queue_name, message):
        queue = self.get_queue(queue_name)
        return message.sent_timestamp + int(queue.message_retention_period) * 1000 > unix_time_millis()

    models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period
    applied.append("sqs-receive-cost")


def patch_sqs_fast_clock(applied):
    """Use time.time() for message visibility and delay.

    SendMessage reads queue attributes, which ask every message whether it
    is visible or delayed through moto's datetime-based clock (about 10 us a
    call), making a send to a queue of 1,000 messages cost 20 ms. This gives
    up moto's time-travel API (/moto-api/time), which the embedded emulator
    does not use.
    """
    from moto.sqs import models

    if (
        source_digest(models.Message.visible.fget) != SQS_MESSAGE_VISIBLE_521
        or source_digest(models.Message.delayed.fget) != SQS_MESSAGE_DELAYED_521
    ):
        return
    models.Message.visible = property(lambda self: time.time() * 1000 > self.visible_at)
    models.Message.delayed = property(lambda self: time.time() * 1000 < self.delayed_until)
    applied.append("sqs-fast-clock")


def install_invoke_forwarder(invoke_url, applied):
    """Replace LambdaFunction.invoke with a POST to the Go function host.

    Both lambda:Invoke calls and Step Functions lambda:invoke tasks end up in
    LambdaFunction.invoke, so this one patch covers both. A reply carrying
    X-Lambdakit-Function-Error is reported the way Lambda reports a function
    error: the x-amz-function-error header and the {"errorType",
    "errorMessage"} body, which Step Functions turns into the error name its
    Retry and Catch match on.
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
        payload, function_error = forward(self, body, request_id)
        if function_error:
            response_headers["x-amz-function-error"] = function_error
        return payload

    LambdaFunction.invoke = invoke
    applied.append("lambda-invoke-forwarder")


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
            'install moto with its server extras: %s -m pip install "moto[server]>=5.2.1"\n'
            % (sys.executable, err, sys.executable)
        )
        sys.stderr.flush()
        # os._exit, not return: the stdin watcher thread holds stdin's lock,
        # and a normal interpreter shutdown would abort on it.
        os._exit(EXIT_MOTO_MISSING)

    applied = []
    configure_moto()
    forbid_docker(applied)
    patch_statemachine_deepcopy(applied)
    patch_send_task_failure_cause(applied)
    patch_describe_execution_input_details(applied)
    patch_sfn_start_execution(applied)
    patch_early_heartbeat(applied)
    patch_states_errors_in_branches(applied)
    patch_sqs_fifo_redelivery(applied)
    patch_sqs_receive_cost(applied)
    patch_sqs_fast_clock(applied)
    patch_waits(args.wait_scale, args.callback_poll, applied)
    if args.invoke_url:
        install_invoke_forwarder(args.invoke_url, applied)

    if not args.verbose:
        # One access-log line per SDK call drowns the useful lines (patches,
        # tracebacks) that the Go side quotes when something fails.
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True)
    port = server.socket.getsockname()[1]
    # Step Functions service integrations call back into this server through
    # boto3 at localhost:$MOTO_PORT, so it must name the port actually bound.
    os.environ["MOTO_PORT"] = str(port)

    sys.stdout.write(
        READY_PREFIX
        + json.dumps({"port": port, "moto": moto.__version__, "patches": applied}, separators=(",", ":"))
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
