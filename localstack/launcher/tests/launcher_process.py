"""Start moto_launcher.py as a subprocess for the test scripts next to this file.

Only the standard library and boto3. The launcher runs on port 0 with
--watch-stdin, so it exits when this process closes its stdin or dies.
"""

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading

import boto3
from botocore.config import Config

LAUNCHER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "moto_launcher.py")
READY_PREFIX = "LAMBDAKIT_MOTO_READY "
REGION = "us-east-1"


class Launcher:
    """A running launcher: its ready line, endpoint and boto3 clients."""

    def __init__(self, *args, timeout=60):
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, LAUNCHER, "--port", "0", "--watch-stdin", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.proc.stdout], daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            line = ""
        if not line.startswith(READY_PREFIX):
            self.close()
            self.stderr.seek(0)
            raise RuntimeError("launcher did not get ready: %r\n%s" % (line, self.stderr.read()))
        self.ready = json.loads(line[len(READY_PREFIX):])
        self.endpoint = "http://127.0.0.1:%d" % self.ready["port"]

    def patch_status(self, name):
        """Return the ready line's status of one patch."""
        for patch in self.ready["patches"]:
            if patch["name"] == name:
                return patch["status"]
        return None

    def server_errors(self):
        """Return the last line of every traceback the launcher logged so far (moto's HTTP 500s)."""
        self.stderr.flush()
        self.stderr.seek(0)
        errors, in_traceback = [], False
        for line in self.stderr.read().splitlines():
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                errors.append(line)
                in_traceback = False
        self.stderr.seek(0, 2)
        return errors

    def client(self, service, pool=10):
        """Return a boto3 client of the emulator that never retries (a retry would hide or make duplicates)."""
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}, max_pool_connections=pool, read_timeout=60),
        )

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
