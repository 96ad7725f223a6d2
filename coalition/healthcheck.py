"""Docker HEALTHCHECK: ask the running app's /healthz, as a client behind the proxy would."""

import os
import sys
import urllib.error
import urllib.request


def main():
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip() and h.strip() != "*"]
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        # A permitted Host, and the proxy's header so the HTTPS redirect does not apply.
        headers={"Host": hosts[0].lstrip(".") if hosts else "localhost", "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
