#!/usr/bin/env python3
"""Convert the CDNOW purchase histories into segmentd input events (JSON Lines).

Usage: cdnow_to_jsonl.py INPUT [OUTPUT]

INPUT is CDNOW_master.txt (whitespace-separated columns: customer id, date
YYYYMMDD, number of CDs, dollar value; an optional header line). Each purchase
line becomes one event, in file order (the file is grouped by customer):

  {"event_id":"cdnow-<line>","member_id":"cdnow-<customer id>",
   "ts":"YYYY-MM-DDT00:00:00Z","amount":"<dollar value>",
   "items":[{"sku":"cd","qty":<number of CDs>}]}

<line> is the 1-based line number in INPUT (so `sed -n <line>p INPUT` shows the
source), the customer id and the amount are kept exactly as written in the file,
and "items" is left out when the number of CDs is 0. OUTPUT defaults to stdout.
A malformed line stops the conversion with its line number (exit status 1).
Python 3 standard library only.
"""

import datetime
import json
import os
import re
import sys

AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
DIGITS = re.compile(r"[0-9]+")


class InputError(Exception):
    """A line of INPUT that is not a CDNOW purchase."""


def is_header(fields):
    return bool(fields) and not DIGITS.fullmatch(fields[0])


def parse_date(text):
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InputError(f"invalid date {text!r}") from None


def to_event(line_number, fields):
    if len(fields) != 4:
        raise InputError(f"expected 4 columns (customer id, date, CDs, dollars), got {len(fields)}")
    customer, date_text, qty_text, amount = fields
    if not DIGITS.fullmatch(customer):
        raise InputError(f"invalid customer id {customer!r}")
    if not DIGITS.fullmatch(qty_text):
        raise InputError(f"invalid number of CDs {qty_text!r}")
    if not AMOUNT.fullmatch(amount):
        raise InputError(f"invalid dollar value {amount!r}")
    event = {
        "event_id": f"cdnow-{line_number}",
        "member_id": f"cdnow-{customer}",
        "ts": parse_date(date_text).isoformat() + "T00:00:00Z",
        "amount": amount,
    }
    qty = int(qty_text)
    if qty > 0:
        event["items"] = [{"sku": "cd", "qty": qty}]
    return event


def convert(source, sink):
    """Writes one event line per purchase line of `source`; returns the count."""
    events = 0
    for line_number, line in enumerate(source, start=1):
        fields = line.split()
        if not fields or (events == 0 and is_header(fields)):
            continue
        try:
            event = to_event(line_number, fields)
        except InputError as error:
            raise InputError(f"line {line_number}: {error}") from None
        sink.write(json.dumps(event, separators=(",", ":")) + "\n")
        events += 1
    return events


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    try:
        with open(argv[1], encoding="ascii", newline=None) as source:
            if len(argv) == 3:
                with open(argv[2], "w", encoding="utf-8", newline="\n") as sink:
                    events = convert(source, sink)
            else:
                events = convert(source, sys.stdout)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (OSError, InputError, UnicodeDecodeError) as error:
        print(f"cdnow_to_jsonl: {error}", file=sys.stderr)
        return 1
    print(f"cdnow_to_jsonl: {events} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
