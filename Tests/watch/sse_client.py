"""Reads a taskbox watch stream with PyPI's httpx-sse and prints each event as a JSON line
{"event", "id", "data"}; exits 0 after a `log` event whose content is --until, 2 on time-out."""
import argparse
import json
import sys

import httpx
from httpx_sse import connect_sse


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--last-event-id")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    headers = {"Coder-Session-Token": args.token}
    if args.last_event_id:
        headers["Last-Event-ID"] = args.last_event_id
    timeout = httpx.Timeout(args.timeout, connect=10)
    try:
        with httpx.Client(timeout=timeout) as client:
            with connect_sse(client, "GET", args.url, headers=headers) as source:
                source.response.raise_for_status()
                for event in source.iter_sse():
                    print(json.dumps({"event": event.event, "id": event.id, "data": event.data}), flush=True)
                    if event.event == "log" and json.loads(event.data).get("content") == args.until:
                        return 0
    except httpx.ReadTimeout:
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
