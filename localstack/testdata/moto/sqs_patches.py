"""SQS fixes for moto 5.2.1, proposed for launcher/moto_launcher.py.

The event-source mapping tests found two SQS bugs in moto 5.2.1. Both functions below follow the launcher's
pattern (patch only what is installed, record the patch name in ``applied``); call them from main() next to the
other patches. serve_patched.py in this folder applies them to a plain moto server, which is how they were tested.

sqs-fifo-redelivery
    ReceiveMessage releases a FIFO message whose visibility timeout expired one message at a time while it walks
    the queue, and checks the group of each message against the groups still pending at that moment. When two
    messages of a group (A3, A4) come back together, A3 is skipped because A4 is still marked pending, and later
    messages of the group (A4, A5...) are delivered before it: FIFO order breaks on every retry of a batch with
    more than one message of a group. The fix releases every expired message first and then computes the pending
    groups, fresh on each pass of the long-poll loop.

sqs-receive-cost
    is_message_valid_based_on_retention_period() calls get_queue_attributes(), which computes every queue
    attribute (including ApproximateNumberOfMessages*, a walk over all messages with a clock read per message)
    for each message received. A receive from a queue of 1,000 messages then costs about 0.5 s; the fix reads
    the retention period directly.

sqs-fast-clock
    See patch_sqs_fast_clock: sending to a deep queue is O(depth) per message through a slow clock.
"""


def patch_sqs_fifo_redelivery(applied):
    from moto.sqs import models

    def receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names=None):
        from copy import deepcopy

        from moto.core.utils import unix_time

        if message_attribute_names is None:
            message_attribute_names = []
        queue = self.get_queue(queue_name)
        result = []
        polling_end = unix_time() + wait_seconds_timeout
        while True:
            if result or (wait_seconds_timeout and unix_time() > polling_end):
                break
            visible = queue.messages
            # Release every message whose visibility timeout has expired before looking at groups, so that a group
            # is blocked exactly while one of its messages is really in flight.
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
    from moto.core.utils import unix_time_millis
    from moto.sqs import models

    def is_message_valid_based_on_retention_period(self, queue_name, message):
        queue = self.get_queue(queue_name)
        retention = int(queue.message_retention_period)
        return message.sent_timestamp + retention * 1000 > unix_time_millis()

    models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period
    applied.append("sqs-receive-cost")


def patch_sqs_fast_clock(applied):
    """sqs-fast-clock: SendMessage reads queue.attributes, which walks every message and asks each whether it is
    visible and delayed through moto's datetime-based clock (about 10 us per call). Sending to a queue of 1,000
    messages then costs 20 ms per message. Reading time.time() instead makes the walk ten times cheaper; it
    ignores moto's time-travel API (/moto-api/time), which the embedded emulator does not use."""
    import time

    from moto.sqs import models

    models.Message.visible = property(lambda self: time.time() * 1000 > self.visible_at)
    models.Message.delayed = property(lambda self: time.time() * 1000 < self.delayed_until)
    applied.append("sqs-fast-clock")
