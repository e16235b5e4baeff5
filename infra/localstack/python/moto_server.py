"""moto's server with DynamoDB's item operations made atomic.

moto serves requests on threads and checks a conditional write's condition apart from the
write itself, so two racing claims can both win: a behaviour DynamoDB never has, which lets a
concurrency test send one email twice on the local stack and prove nothing. One lock around the
DynamoDB backend's item operations gives each request DynamoDB's atomicity. Everything else
(SNS, SQS long polls, EventBridge) stays concurrent.
"""

import sys
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_LOCK = threading.RLock()
_ITEM_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "transact_write_items",
    "transact_get_items",
    "batch_write_item",
    "batch_get_item",
)


def _serialised(method):
    def run(self, *args, **kwargs):
        with _LOCK:
            return method(self, *args, **kwargs)

    run.__name__ = method.__name__
    return run


for _name in _ITEM_OPERATIONS:
    if hasattr(DynamoDBBackend, _name):
        setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))

if __name__ == "__main__":
    main(sys.argv[1:])
