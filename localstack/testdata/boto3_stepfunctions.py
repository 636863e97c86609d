"""Drive the test bed's Step Functions with boto3, as a user's Python tool would.

    python3 boto3_stepfunctions.py ENDPOINT

Prints one JSON line with what it saw; the Go test checks it.
"""

import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
sfn = boto3.client(
    "stepfunctions", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
)
seen = {}
try:
    sfn.create_state_machine(name="boto3-bad", roleArn="arn:aws:iam::123456789012:role/r",
                             definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}}))
except ClientError as err:
    seen["invalid"] = err.response["Error"]["Code"]
arn = sfn.create_state_machine(
    name="boto3-%d" % time.time_ns(), roleArn="arn:aws:iam::123456789012:role/r",
    definition=json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
                                                      "P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": True}}}),
)["stateMachineArn"]
names = []
for _ in range(2):
    ex = sfn.start_execution(stateMachineArn=arn, input='{"n": 41}')
    names.append(ex["executionArn"].rsplit(":", 1)[1])
while True:
    d = sfn.describe_execution(executionArn=ex["executionArn"])
    if d["status"] != "RUNNING":
        break
    time.sleep(0.02)
seen["status"] = d["status"]
seen["output"] = json.loads(d["output"])
seen["stopIsDate"] = hasattr(d["stopDate"], "year")
seen["names"] = names
h = sfn.get_execution_history(executionArn=ex["executionArn"], reverseOrder=True, maxResults=1)
seen["last"] = h["events"][0]["type"]
seen["more"] = "nextToken" in h
try:
    sfn.describe_execution(executionArn=ex["executionArn"] + "x")
except ClientError as err:
    seen["missing"] = err.response["Error"]["Code"]
# StartSyncExecution: boto3 prefixes the host with "sync-", which does not
# resolve for a local endpoint; inject_host_prefix=False keeps one host.
sync = boto3.client(
    "stepfunctions", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
    config=Config(inject_host_prefix=False),
)
express = sync.create_state_machine(
    name="boto3-express-%d" % time.time_ns(), roleArn="arn:aws:iam::123456789012:role/r", type="EXPRESS",
    definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": True}}}),
)["stateMachineArn"]
r = sync.start_sync_execution(stateMachineArn=express, input='{"n": 1}')
seen["sync"] = [r["status"], json.loads(r["output"])["n"]]
print(json.dumps(seen))
