#!/usr/bin/env python3
"""integration.broker_outage with processing.guarantee = exactly_once: the broker stopped
mid-stream and started again; the service recovers by itself and a read_committed
consumer sees every transition of the replay exactly once. /readyz may take a little
longer to turn 503 (the loop waits in the transaction's commit, serving the producer's
events once a second)."""
import sys

from test_broker_outage import main

if __name__ == "__main__":
    sys.exit(main("exactly_once", unready_within=10))
