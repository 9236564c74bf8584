#!/usr/bin/env python3
"""integration.state_disk_full with processing.guarantee = exactly_once: the state dir
fills up mid-stream (each failed state write comes after its transaction committed), the
service holds and recovers by itself; then it fills up again, the service is killed with
SIGKILL while it is full and restarted on the same state dir with the space back. A
read_committed consumer sees every transition of the replay exactly once. Twice: with
the state changelog, and without it (state.changelog = false: the restart catches up
from the local state alone)."""
import sys

from test_state_disk_full import main

if __name__ == "__main__":
    sys.exit(main("exactly_once") or main("exactly_once", changelog=False))
