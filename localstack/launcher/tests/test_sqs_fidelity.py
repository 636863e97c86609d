#!/usr/bin/env python3
"""Check that the launcher's SQS answers what AWS answers, with boto3.

    python3 localstack/launcher/tests/test_sqs_fidelity.py [--disable-patch NAME]

One check per patch: sqs-dlq-source-arn, sqs-fifo-sequence-number,
sqs-message-body, sqs-fifo-queue-name, sqs-purge-in-progress. Run with
--disable-patch NAME to see moto's own answer fail the check. Exits 1 when a
check fails.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from launcher_process import Launcher


def error_of(call):
    """Run call; return (code, message, response) of the ClientError it raised, or None."""
    try:
        call()
    except ClientError as err:
        return err.response["Error"]["Code"], err.response["Error"].get("Message", ""), err.response
    return None


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def check_dlq_source_arn(sqs):
    """A message moved by the redrive policy carries DeadLetterQueueSourceArn."""
    problems = []
    dlq = sqs.create_queue(QueueName="fid-dlq")["QueueUrl"]
    src = sqs.create_queue(
        QueueName="fid-src",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 1})},
    )["QueueUrl"]
    src_arn = queue_arn(sqs, src)
    sqs.send_message(QueueUrl=src, MessageBody="moved")
    sqs.send_message(QueueUrl=dlq, MessageBody="sent to the DLQ directly")
    first = sqs.receive_message(QueueUrl=src, VisibilityTimeout=0).get("Messages", [])
    again = sqs.receive_message(QueueUrl=src, WaitTimeSeconds=0).get("Messages", [])
    if len(first) != 1 or again:
        problems.append("expected one receive, then a move to the DLQ: got %d then %d" % (len(first), len(again)))
    for names in ({"AttributeNames": ["All"]}, {"MessageSystemAttributeNames": ["DeadLetterQueueSourceArn"]}):
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, **names).get(
            "Messages", []
        )
        by_body = {m["Body"]: m.get("Attributes", {}) for m in got}
        if by_body.get("moved", {}).get("DeadLetterQueueSourceArn") != src_arn:
            problems.append("%s: moved message has %r, want %s" % (names, by_body.get("moved"), src_arn))
        if "DeadLetterQueueSourceArn" in by_body.get("sent to the DLQ directly", {}):
            problems.append("%s: a message sent to the DLQ directly has DeadLetterQueueSourceArn" % names)
    plain = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    if any("DeadLetterQueueSourceArn" in m.get("Attributes", {}) for m in plain):
        problems.append("DeadLetterQueueSourceArn returned without being asked for")
    return problems


def check_fifo_sequence_number(sqs):
    """FIFO sends return, and receives carry, an increasing SequenceNumber of digits."""
    problems = []
    url = sqs.create_queue(
        QueueName="fid-seq.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sent = [sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g").get("SequenceNumber")]
    sent.append(
        sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g", MessageDeduplicationId="b-1").get(
            "SequenceNumber"
        )
    )
    batch = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": "c%d" % i, "MessageGroupId": "g"} for i in range(3)],
    )
    sent += [entry.get("SequenceNumber") for entry in batch["Successful"]]
    if not all(isinstance(s, str) and s.isdigit() and len(s) >= 20 for s in sent):
        problems.append("SendMessage/SendMessageBatch SequenceNumber not a string of 20 digits: %r" % sent)
    elif [int(s) for s in sent] != sorted(int(s) for s in sent) or len(set(sent)) != len(sent):
        problems.append("SequenceNumber not increasing: %r" % sent)
    received = []
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        ):
            received.append(m["Attributes"].get("SequenceNumber"))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    if received != sent:
        problems.append("received SequenceNumbers %r, sent %r" % (received, sent))
    return problems


def check_message_body(sqs):
    """Empty bodies fail with MissingParameter, bodies outside the character set with InvalidMessageContents."""
    problems = []
    url = sqs.create_queue(QueueName="fid-body")["QueueUrl"]
    bad = [
        ("", "MissingParameter", "The request must contain the parameter MessageBody."),
        ("a\x00b", "InvalidMessageContents", None),
        ("\x0b", "InvalidMessageContents", None),
        ("\ufffe", "InvalidMessageContents", None),
        ("\ud800", "InvalidMessageContents", None),  # a lone surrogate
    ]
    for body, code, message in bad:
        got = error_of(lambda: sqs.send_message(QueueUrl=url, MessageBody=body))
        if got is None or got[0] != code or (message and got[1] != message):
            problems.append("SendMessage %r: want %s, got %r" % (body, code, got and got[:2]))
    good = ["\t\n\r ok", "\ud7ff\ue000\ufffd", "\U0001f600 \U0010ffff"]
    for body in good:
        got = error_of(lambda: sqs.send_message(QueueUrl=url, MessageBody=body))
        if got is not None:
            problems.append("SendMessage %r refused: %r" % (body, got[:2]))
    resp = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok1", "MessageBody": "fine"},
            {"Id": "empty", "MessageBody": ""},
            {"Id": "nul", "MessageBody": "\x00"},
            {"Id": "ok2", "MessageBody": "also fine"},
        ],
    )
    ok = sorted(e["Id"] for e in resp.get("Successful", []))
    failed = {e["Id"]: (e["Code"], e["SenderFault"]) for e in resp.get("Failed", [])}
    if ok != ["ok1", "ok2"] or failed != {
        "empty": ("MissingParameter", True),
        "nul": ("InvalidMessageContents", True),
    }:
        problems.append("SendMessageBatch: Successful %r, Failed %r" % (ok, failed))
    bodies = set()

    def receive():
        for _ in range(3):
            bodies.update(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))

    got = error_of(receive)
    if got:
        problems.append("ReceiveMessage failed: %r" % (got[:2],))
    elif bodies != set(good) | {"fine", "also fine"}:
        problems.append("queue holds %r" % sorted(bodies))
    return problems


def check_fifo_queue_name(sqs):
    """A .fifo name needs FifoQueue=true, and FifoQueue=true needs a .fifo name."""
    problems = []
    want = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    for attributes in ({}, {"FifoQueue": "false"}):
        got = error_of(lambda: sqs.create_queue(QueueName="fid-name.fifo", Attributes=attributes))
        if got is None or got[:2] != ("InvalidParameterValue", want):
            problems.append("CreateQueue fid-name.fifo %r: got %r" % (attributes, got and got[:2]))
    got = error_of(lambda: sqs.create_queue(QueueName="fid-name", Attributes={"FifoQueue": "true"}))
    if got is None or got[0] != "InvalidParameterValue":
        problems.append("CreateQueue fid-name FifoQueue=true: got %r" % (got and got[:2],))
    if error_of(lambda: sqs.create_queue(QueueName="fid-ok.fifo", Attributes={"FifoQueue": "true"})):
        problems.append("CreateQueue fid-ok.fifo FifoQueue=true refused")
    return problems


def raw_purge(endpoint, url):
    """POST PurgeQueue in the JSON protocol; return (status, headers, body)."""
    req = urllib.request.Request(
        endpoint + "/",
        data=json.dumps({"QueueUrl": url}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.PurgeQueue",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def check_purge_in_progress(sqs, endpoint):
    """A second PurgeQueue within 60 s fails with PurgeQueueInProgress, in AWS's JSON error shape."""
    problems = []
    url = sqs.create_queue(QueueName="fid-purge")["QueueUrl"]
    other = sqs.create_queue(QueueName="fid-purge-other")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    if error_of(lambda: sqs.purge_queue(QueueUrl=url)):
        problems.append("first PurgeQueue failed")
    if sqs.receive_message(QueueUrl=url).get("Messages"):
        problems.append("first PurgeQueue left a message")
    got = error_of(lambda: sqs.purge_queue(QueueUrl=url))
    if got is None or got[0] != "AWS.SimpleQueueService.PurgeQueueInProgress":
        problems.append("second PurgeQueue: got %r" % (got and got[:2],))
    if error_of(lambda: sqs.purge_queue(QueueUrl=other)):
        problems.append("PurgeQueue of another queue failed")
    status, headers, body = raw_purge(endpoint, url)
    headers = {k.lower(): v for k, v in headers.items()}
    try:
        doc = json.loads(body)
    except ValueError:
        doc = {}
    if doc.get("__type") != "com.amazonaws.sqs#PurgeQueueInProgress":
        problems.append("raw __type %r" % doc.get("__type"))
    if headers.get("x-amzn-query-error") != "AWS.SimpleQueueService.PurgeQueueInProgress;Sender":
        problems.append("raw x-amzn-query-error %r" % headers.get("x-amzn-query-error"))
    if status not in (400, 403):
        problems.append("raw status %d" % status)
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--disable-patch", action="append", default=[], metavar="NAME")
    args = p.parse_args()
    launcher_args = []
    for name in args.disable_patch:
        launcher_args += ["--disable-patch", name]
    failures = 0
    with Launcher(*launcher_args) as launcher:
        sqs = launcher.client("sqs")
        checks = [
            ("sqs-dlq-source-arn", lambda: check_dlq_source_arn(sqs)),
            ("sqs-fifo-sequence-number", lambda: check_fifo_sequence_number(sqs)),
            ("sqs-message-body", lambda: check_message_body(sqs)),
            ("sqs-fifo-queue-name", lambda: check_fifo_queue_name(sqs)),
            ("sqs-purge-in-progress", lambda: check_purge_in_progress(sqs, launcher.endpoint)),
        ]
        for name, check in checks:
            try:
                problems = check()
            except Exception as err:  # moto answering HTTP 500 is a failed check too
                problems = ["raised %s: %s" % (type(err).__name__, str(err).splitlines()[0])]
            failures += bool(problems)
            print("%s %s (patch %s)" % ("FAIL" if problems else "PASS", name, launcher.patch_status(name)))
            for problem in problems:
                print("    " + problem)
    print("test_sqs_fidelity: %s" % ("ok" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
