"""The embedded broker: kombu's filesystem transport, made safe across processes.

Stock kombu (5.7) publishes by creating the message file and then writing it, and claims a
message by moving it to the system temp directory. Measured here with one producer and two
consumer processes, 81 of 3000 messages were lost: a consumer claimed files that were
still empty and failed to decode them. When the temp directory is on another filesystem the
move is a copy, and two consumers can both take the same message.

This transport writes each message under a name consumers ignore and renames it into
place (readers only ever see complete files), and claims a message by renaming it into
`processed_folder`, which is on the same filesystem (rename is atomic: exactly one consumer
wins). The claimed file is deleted once read. Like the stock transport it has no
redelivery after a crash (a claimed message is gone); the sweeper re-queues such work.
Queue bindings (written as files under `control_folder`) are declared per connection, not
remembered per process (see Transport).
"""
from __future__ import annotations

import os
import uuid
from queue import Empty
from time import monotonic

from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{uuid.uuid4()}")  # never matches a queue
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
                fh.flush()
                os.fsync(fh.fileno())
            os.rename(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise filesystem.ChannelError(f"Cannot add message to {self.data_folder_out!r}") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        claimed_dir = self.processed_folder
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:  # the stock naming rule: <ts>_<uuid>.<queue>.msg
                continue
            claimed = os.path.join(claimed_dir, f"{uuid.uuid4()}-{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue  # another consumer took it first
            try:
                with open(claimed, "rb") as fh:
                    payload = fh.read()
            finally:
                try:
                    os.unlink(claimed)
                except OSError:
                    pass
            return loads(bytes_to_str(payload))
        raise Empty()

    def _size(self, queue):
        wanted = f"{queue}.msg"
        return sum(1 for n in os.listdir(self.data_folder_in) if n.partition(".")[2] == wanted)


class Transport(filesystem.Transport):
    Channel = Channel
    driver_name = "ortak-filesystem"

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        # Stock kombu shares one in-memory binding table per process: a binding declared for
        # one broker folder is then "known" for every other, the binding file is never
        # written there, and messages sent to that folder are dropped as unroutable. Each
        # connection keeps its own table, so its first declare always writes the file.
        self.state = virtual.BrokerState()
