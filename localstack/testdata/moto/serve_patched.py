"""Run moto server with sqs_patches.py applied: python3 serve_patched.py PORT."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sqs_patches  # noqa: E402

applied = []
sqs_patches.patch_sqs_fifo_redelivery(applied)
sqs_patches.patch_sqs_receive_cost(applied)
sqs_patches.patch_sqs_fast_clock(applied)
sys.stderr.write("patches: %s\n" % applied)

from moto.server import main  # noqa: E402

main(["-p", sys.argv[1]])
