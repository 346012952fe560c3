#!/usr/bin/python3
"""Runs the official Sinch Node SDK (tests/sdk, pinned by package-lock.json) against a real
`dialtone serve`.

Starts the server on a fresh data folder with an admin key, creates a reseller project with
two sub-projects and mints the reseller's access key over /v1, then runs drive.js: the SDK,
unmodified, authenticates by OAuth2 client credentials at POST /oauth2/token and calls every
Elastic SIP Trunking operation it has against /est. Each operation prints one JSON line.

  run_sdk_peer.py --binary build/app/dialtone
Exit status 0 iff every operation succeeded. The SDK is installed by scripts/install-deps.sh.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ADMIN_KEY = "dta_sdk_peer_0123456789abcdef"
HERE = os.path.dirname(os.path.abspath(__file__))


def call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"x-api-key": ADMIN_KEY}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read().decode()
    connection.close()
    if response.status // 100 != 2:
        raise SystemExit(f"{method} {path}: {response.status} {payload}")
    return json.loads(payload) if payload else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "@sinch", "sdk-core")):
        raise SystemExit("the Sinch SDK is not installed in tests/sdk: run scripts/install-deps.sh")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: run scripts/install-deps.sh")

    folder = tempfile.mkdtemp(prefix="dialtone-sdk-")
    env = dict(os.environ, DIALTONE_ADMIN_KEY=ADMIN_KEY)
    server = subprocess.Popen(
        [args.binary, "serve", "--data", os.path.join(folder, "data"), "--http", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        port = None
        for line in server.stdout:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        if port is None:
            raise SystemExit("dialtone serve did not start")

        reseller = call(port, "POST", "/v1/accounts", {"name": "SDK reseller", "is_reseller": 1})["id"]
        children = [call(port, "POST", "/v1/accounts", {"name": f"SDK child {n}", "parent_id": reseller})["id"]
                    for n in (1, 2)]
        key = call(port, "POST", f"/v1/accounts/{reseller}/api-keys", {"label": "sinch-sdk"})["key"]
        key_id, secret = key[len("dtk_"):].split("_", 1)

        drive_env = dict(os.environ, SINCH_BASE=f"http://127.0.0.1:{port}", SINCH_PROJECT_ID=reseller,
                         SINCH_KEY_ID=key_id, SINCH_KEY_SECRET=secret,
                         SINCH_ADD_PROJECT_IDS=",".join(children))
        outcome = 0
        # Both ways a user builds the client: SinchClient(...).elasticSipTrunking and the
        # service package's own ElasticSipTrunkingService.
        for client in ("core", "service"):
            print(f"--- drive.js with SINCH_CLIENT={client}", flush=True)
            run = subprocess.run([node, os.path.join(HERE, "drive.js")], cwd=HERE,
                                 env=dict(drive_env, SINCH_CLIENT=client), timeout=300)
            outcome = outcome or run.returncode
            if client == "core":  # the service run adds the same sub-projects again
                drive_env["SINCH_ADD_PROJECT_IDS"] = ",".join(
                    [call(port, "POST", "/v1/accounts", {"name": f"SDK child {n}", "parent_id": reseller})["id"]
                     for n in (3, 4)])
        return outcome
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
