#!/usr/bin/env python3
"""Stress the launcher's sqs-atomic and dynamodb-atomic patches.

    python3 localstack/launcher/tests/test_atomic.py [--quick] [--messages N] [--rounds N]
        [--only sqs|redrive|longpoll|dynamodb] [--disable-patch NAME]

(a) SQS, one queue with VisibilityTimeout 30: a producer sends the messages in
batches of 10 while 5 consumers receive (MaxNumberOfMessages 10,
WaitTimeSeconds 1) and delete with DeleteMessageBatch. Every message must be
deleted exactly once and received once, and the queue must end empty.

(a') The same with a redrive policy (maxReceiveCount 2): consumers fail about
10% of receives by setting the visibility to 0. Every message must end
either deleted once or in the DLQ, never both, never lost, never received
while another consumer holds it.

(a'') Long polling does not hold the queue's lock: while a ReceiveMessage
waits on an empty queue, a SendMessage to it returns at once and the waiting
receive gets the message.

(b) DynamoDB: rounds of 8 threads racing PutItem with attribute_not_exists
on one key: exactly one winner per round.

--disable-patch sqs-atomic (or dynamodb-atomic) runs the launcher without the
patch, to show the failure it fixes. Exits 1 when a check fails.
"""

import argparse
import collections
import random
import sys
import threading
import time

from botocore.exceptions import ClientError

from launcher_process import Launcher

CONSUMERS = 5
RACERS = 8


class Ledger:
    """What happened to every message, recorded by producer and consumers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = set()
        self.received = collections.Counter()
        self.deleted = collections.Counter()
        self.state = {}  # message id -> "held", "free" or "deleted"
        self.received_while_held = 0
        self.received_after_delete = 0
        self.errors = []

    def on_receive(self, message_id):
        with self.lock:
            self.received[message_id] += 1
            state = self.state.get(message_id)
            if state == "held":
                self.received_while_held += 1
            elif state == "deleted":
                self.received_after_delete += 1
            self.state[message_id] = "held"

    def on_release(self, message_id):
        # Called before the ChangeMessageVisibility that makes it visible, so
        # a receive racing with the call is not counted as a duplicate.
        with self.lock:
            self.state[message_id] = "free"

    def on_delete(self, message_id):
        with self.lock:
            self.deleted[message_id] += 1
            self.state[message_id] = "deleted"

    def error(self, what, err):
        with self.lock:
            self.errors.append("%s: %s" % (what, err))


def produce(sqs, url, count, ledger):
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": "m-%d" % (start + i)} for i in range(min(10, count - start))]
        try:
            resp = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        except Exception as err:
            ledger.error("send_message_batch", err)
            continue
        with ledger.lock:
            ledger.sent.update(entry["MessageId"] for entry in resp.get("Successful", []))
        for failed in resp.get("Failed", []):
            ledger.error("send_message_batch entry", failed)


def consume(sqs, url, ledger, producing, fail_rate, seed):
    rng = random.Random(seed)
    empty = 0
    while empty < 3 or producing.is_set():
        try:
            resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        except Exception as err:
            ledger.error("receive_message", err)
            continue
        messages = resp.get("Messages", [])
        empty = 0 if messages else empty + 1
        for message in messages:
            ledger.on_receive(message["MessageId"])
        failing = [m for m in messages if rng.random() < fail_rate]
        done = [m for m in messages if m not in failing]
        if failing:
            for message in failing:
                ledger.on_release(message["MessageId"])
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(failing)
            ]
            try:
                resp = sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
                for failed in resp.get("Failed", []):
                    ledger.error("change_message_visibility_batch entry", failed)
            except Exception as err:
                ledger.error("change_message_visibility_batch", err)
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            try:
                resp = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            except Exception as err:
                ledger.error("delete_message_batch", err)
                continue
            for ok in resp.get("Successful", []):
                ledger.on_delete(done[int(ok["Id"])]["MessageId"])
            for failed in resp.get("Failed", []):
                ledger.error("delete_message_batch entry", failed)


def queue_depth(sqs, url):
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return sum(
        int(attrs[name])
        for name in (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
    )


def drain(sqs, url):
    """Receive and delete everything visible in url; return the message ids and attributes."""
    found = {}
    empty = 0
    while empty < 2:
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"])
        messages = resp.get("Messages", [])
        empty = 0 if messages else empty + 1
        for message in messages:
            found.setdefault(message["MessageId"], []).append(message.get("Attributes", {}))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def run_sqs(launcher, count, redrive):
    name = "stress-redrive" if redrive else "stress"
    admin = launcher.client("sqs")
    attributes = {"VisibilityTimeout": "30"}
    dlq_url = None
    if redrive:
        dlq_url = admin.create_queue(QueueName=name + "-dlq")["QueueUrl"]
        dlq_arn = admin.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = '{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}' % dlq_arn
    url = admin.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    source_arn = admin.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    ledger = Ledger()
    producing = threading.Event()
    producing.set()
    clients = [launcher.client("sqs") for _ in range(CONSUMERS + 1)]
    started = time.monotonic()
    consumers = [
        threading.Thread(target=consume, args=(clients[i], url, ledger, producing, 0.1 if redrive else 0.0, i))
        for i in range(CONSUMERS)
    ]
    for thread in consumers:
        thread.start()
    produce(clients[CONSUMERS], url, count, ledger)
    producing.clear()
    for thread in consumers:
        thread.join()
    elapsed = time.monotonic() - started

    in_dlq = drain(admin, dlq_url) if redrive else {}
    left = queue_depth(admin, url)
    deleted = set(ledger.deleted)
    lost = ledger.sent - deleted - set(in_dlq)
    report = collections.OrderedDict(
        [
            ("sent", len(ledger.sent)),
            ("deleted", len(deleted)),
            ("deleted twice", sum(1 for n in ledger.deleted.values() if n > 1)),
            ("lost", len(lost)),
            ("left in queue", left),
            ("errors", len(ledger.errors)),
        ]
    )
    if redrive:
        report["in DLQ"] = len(in_dlq)
        report["deleted and in DLQ"] = len(deleted & set(in_dlq))
        report["in DLQ twice"] = sum(1 for seen in in_dlq.values() if len(seen) > 1)
        report["received while held"] = ledger.received_while_held
        report["DLQ without source ARN"] = sum(
            1 for seen in in_dlq.values() if seen[0].get("DeadLetterQueueSourceArn") != source_arn
        )
    else:
        report["received twice"] = sum(1 for n in ledger.received.values() if n > 1)
    report["received after delete"] = ledger.received_after_delete
    ok = report["sent"] == count and all(v == 0 for k, v in report.items() if k not in ("sent", "deleted", "in DLQ"))
    ok = ok and report["deleted"] + report.get("in DLQ", 0) == count
    for err in ledger.errors[:5]:
        print("    error:", err)
    return ok, report, elapsed


def run_long_poll(launcher):
    admin, poller = launcher.client("sqs"), launcher.client("sqs")
    url = admin.create_queue(QueueName="long-poll")["QueueUrl"]
    got = {}

    def poll():
        started = time.monotonic()
        got["messages"] = poller.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
        got["seconds"] = time.monotonic() - started

    started = time.monotonic()
    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(1)
    send_started = time.monotonic()
    admin.send_message(QueueUrl=url, MessageBody="wake up")
    send_seconds = time.monotonic() - send_started
    thread.join()
    report = collections.OrderedDict(
        [
            ("send took s", round(send_seconds, 2)),
            ("receive took s", round(got["seconds"], 2)),
            ("received", len(got["messages"])),
        ]
    )
    ok = send_seconds < 0.5 and got["seconds"] < 3 and len(got["messages"]) == 1
    return ok, report, time.monotonic() - started


def run_dynamodb(launcher, rounds):
    admin = launcher.client("dynamodb")
    admin.create_table(
        TableName="race",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clients = [launcher.client("dynamodb") for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    wins = collections.Counter()
    errors = []
    lock = threading.Lock()

    def racer(index):
        for r in range(rounds):
            barrier.wait()
            try:
                clients[index].put_item(
                    TableName="race",
                    Item={"pk": {"S": "round-%d" % r}, "owner": {"N": str(index)}},
                    ConditionExpression="attribute_not_exists(pk)",
                )
                with lock:
                    wins[r] += 1
            except ClientError as err:
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    with lock:
                        errors.append(str(err))
            except Exception as err:
                with lock:
                    errors.append(str(err))

    started = time.monotonic()
    threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    report = collections.OrderedDict(
        [
            ("rounds", rounds),
            ("one winner", sum(1 for r in range(rounds) if wins[r] == 1)),
            ("two or more winners", sum(1 for r in range(rounds) if wins[r] > 1)),
            ("no winner", sum(1 for r in range(rounds) if wins[r] == 0)),
            ("errors", len(errors)),
        ]
    )
    for err in errors[:5]:
        print("    error:", err)
    return report["one winner"] == rounds and not errors, report, elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="2,000 messages and 100 rounds")
    p.add_argument("--messages", type=int, help="messages per SQS run (default 10,000)")
    p.add_argument("--rounds", type=int, help="DynamoDB rounds (default 200)")
    p.add_argument("--only", choices=("sqs", "redrive", "longpoll", "dynamodb"), action="append")
    p.add_argument("--disable-patch", action="append", default=[], metavar="NAME")
    args = p.parse_args()
    messages = args.messages or (2000 if args.quick else 10000)
    rounds = args.rounds or (100 if args.quick else 200)
    only = set(args.only or ("sqs", "redrive", "longpoll", "dynamodb"))

    launcher_args = []
    for name in args.disable_patch:
        launcher_args += ["--disable-patch", name]
    failures = 0
    with Launcher(*launcher_args) as launcher:
        print(
            "launcher: moto %s, sqs-atomic %s, dynamodb-atomic %s"
            % (launcher.ready["moto"], launcher.patch_status("sqs-atomic"), launcher.patch_status("dynamodb-atomic"))
        )
        runs = [
            ("sqs", "SQS %d messages, %d consumers" % (messages, CONSUMERS), lambda: run_sqs(launcher, messages, False)),
            (
                "redrive",
                "SQS redrive %d messages, %d consumers, 10%% fail" % (messages, CONSUMERS),
                lambda: run_sqs(launcher, messages, True),
            ),
            ("longpoll", "SQS long poll while a send arrives", lambda: run_long_poll(launcher)),
            (
                "dynamodb",
                "DynamoDB %d rounds of %d racing PutItem" % (rounds, RACERS),
                lambda: run_dynamodb(launcher, rounds),
            ),
        ]
        for key, title, run in runs:
            if key not in only:
                continue
            ok, report, elapsed = run()
            failures += not ok
            print(
                "%s %s (%.1f s): %s"
                % ("PASS" if ok else "FAIL", title, elapsed, ", ".join("%s %s" % kv for kv in report.items()))
            )
            for error, n in collections.Counter(launcher.server_errors()).most_common():
                print("    launcher traceback (%d so far): %s" % (n, error))
    print("test_atomic: %s" % ("ok" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
