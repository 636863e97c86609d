#!/usr/bin/env python3
"""Check that a Lambda invoked by moto inside a locked write can call back.

    python3 localstack/launcher/tests/test_lambda_locks.py

moto invokes Lambda synchronously inside SendMessage (its own SQS
event-source mappings) and inside DynamoDB writes (stream mappings). With
sqs-atomic and dynamodb-atomic the invoking thread holds the queue's or the
backend's lock, so a handler that calls the same queue or table back would
wait for it until the invocation times out. The forwarder releases the locks
while it waits for the function host (locks_released); this script plays the
function host and calls back into the same queue and table from the handler.
Exits 1 when a check fails.
"""

import http.server
import io
import json
import sys
import threading
import time
import zipfile

from launcher_process import Launcher

# A call that waited for a lock held by its own invocation would take the
# forwarder's timeout (the function's 3 s + 30 s).
MAX_SECONDS = 10


class FunctionHost(http.server.ThreadingHTTPServer):
    """Answers the launcher's POST /invoke/NAME; the handler calls back into the emulator."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen = []
        self.errors = []
        # moto's stream mapping sends every record since the last delivery
        # that succeeded, so the nested write sees "first" again: call back
        # once per source.
        self.called_back = set()
        self.sqs = self.dynamodb = None

    def handle_event(self, event):
        for record in event.get("Records", []):
            if record.get("eventSource") == "aws:sqs":
                self.seen.append(("sqs", record["body"]))
                if record["body"] == "first" and "sqs" not in self.called_back:
                    self.called_back.add("sqs")
                    url = self.sqs.get_queue_url(QueueName="callback")["QueueUrl"]
                    self.sqs.send_message(QueueUrl=url, MessageBody="second")
                    self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            elif record.get("eventSource") == "aws:dynamodb":
                key = record["dynamodb"]["Keys"]["pk"]["S"]
                self.seen.append(("dynamodb", key))
                if key == "first" and "dynamodb" not in self.called_back:
                    self.called_back.add("dynamodb")
                    self.dynamodb.put_item(TableName="callback", Item={"pk": {"S": "second"}})
                    self.dynamodb.get_item(TableName="callback", Key={"pk": {"S": "first"}})


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            self.server.handle_event(json.loads(body or b"{}"))
        except Exception as err:
            self.server.errors.append("%s: %s" % (type(err).__name__, err))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def function_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    return buf.getvalue()


def timed(call):
    started = time.monotonic()
    call()
    return time.monotonic() - started


def main():
    host = FunctionHost()
    threading.Thread(target=host.serve_forever, daemon=True).start()
    failures = 0
    with Launcher("--invoke-url", "http://127.0.0.1:%d" % host.server_address[1]) as launcher:
        host.sqs, host.dynamodb = launcher.client("sqs"), launcher.client("dynamodb")
        role = launcher.client("iam").create_role(
            RoleName="callback",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
        )["Role"]["Arn"]
        awslambda = launcher.client("lambda")
        awslambda.create_function(
            FunctionName="callback",
            Runtime="provided.al2023",
            Role=role,
            Handler="bootstrap",
            Code={"ZipFile": function_zip()},
        )

        sqs = launcher.client("sqs")
        url = sqs.create_queue(QueueName="callback")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        awslambda.create_event_source_mapping(EventSourceArn=arn, FunctionName="callback", BatchSize=1)
        seconds = timed(lambda: sqs.send_message(QueueUrl=url, MessageBody="first"))
        got = sorted(body for kind, body in host.seen if kind == "sqs")
        ok = seconds < MAX_SECONDS and got == ["first", "second"]
        failures += not ok
        print(
            "%s SQS mapping, handler sends to its own queue: SendMessage took %.1f s, handler saw %r"
            % ("PASS" if ok else "FAIL", seconds, got)
        )

        dynamodb = launcher.client("dynamodb")
        stream = dynamodb.create_table(
            TableName="callback",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )["TableDescription"]["LatestStreamArn"]
        awslambda.create_event_source_mapping(
            EventSourceArn=stream, FunctionName="callback", StartingPosition="LATEST", BatchSize=1
        )
        seconds = timed(lambda: dynamodb.put_item(TableName="callback", Item={"pk": {"S": "first"}}))
        got = sorted(key for kind, key in host.seen if kind == "dynamodb")
        ok = seconds < MAX_SECONDS and set(got) == {"first", "second"}
        failures += not ok
        print(
            "%s DynamoDB stream mapping, handler writes its own table: PutItem took %.1f s, handler saw %r"
            % ("PASS" if ok else "FAIL", seconds, got)
        )
        for error in host.errors:
            failures += 1
            print("    handler error:", error)
    host.shutdown()
    print("test_lambda_locks: %s" % ("ok" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
