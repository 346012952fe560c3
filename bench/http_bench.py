#!/usr/bin/python3
"""http_bench: the configuration API under wrk, beside a bare Boost.Beast server.

Measures, with wrk (1 thread, 64 connections, Lua scripts) on this machine in this run,
once with 1 HTTP I/O thread on both servers and once with 2 (dialtone's default):
  bare        GET / of bench/bare_http_server (Beast, a fixed JSON body)
  read        GET /v1/schedules/{id} with an API key (auth, tenancy, the config view)
  write_64    POST /v1/schedules, durable (fsync before the answer), 64 tenants in turn
  write_1     the same, all on one tenant (one account actor: its writes are serial)
Each case runs `--rounds` times, interleaved with the baseline, and the best round
counts (the machine is shared; the best round is the least disturbed). The last line is
one JSON object with every figure and ratio.

  bench/http_bench.py --build build [--seconds 5] [--rounds 3] [--quick]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ADMIN_KEY = "dta_http_bench_0123456789abcdef01"
TENANTS = 64


def run_wrk(url, seconds, script=None, connections=64):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = None
    if p99:
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
        p99_ms = round(float(p99.group(1)) * scale, 3)
    return {"rps": rps, "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(0) if socket_errors else "", "p99_ms": p99_ms}


def start(command, env=None):
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=dict(os.environ, **(env or {})))
    for line in process.stdout:
        match = re.search(r"listening on (?:http://)?127\.0\.0\.1:(\d+)", line)
        if match:
            return process, int(match.group(1))
    raise SystemExit("did not start: " + " ".join(command))


def stop(process):
    process.terminate()
    process.wait(timeout=60)


def request(port, method, path, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"x-api-key": key, "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def setup(dialtone, work, name, http_threads):
    """A dialtone server on its own data folder with TENANTS tenants, a key each, and a
    schedule to read; the Lua scripts that drive it."""
    folder = os.path.join(work, name)
    os.makedirs(folder)
    server, port = start([dialtone, "serve", "--data", os.path.join(folder, "data"), "--http", "127.0.0.1:0",
                          "--http-threads", str(http_threads), "--durability", "sync"], {"DIALTONE_ADMIN_KEY": ADMIN_KEY})
    keys = []
    for i in range(TENANTS):
        account = request(port, "POST", "/v1/accounts", ADMIN_KEY, {"name": f"bench {i}"})
        keys.append(request(port, "POST", f"/v1/accounts/{account['id']}/api-keys", ADMIN_KEY, {})["key"])
    schedule = request(port, "POST", "/v1/schedules", keys[0], {"name": "office", "timezone": "Europe/Paris"})
    with open(os.path.join(folder, "keys.txt"), "w") as f:
        f.write("\n".join(keys) + "\n")
    scripts = {}
    scripts["read"] = os.path.join(folder, "read.lua")
    with open(scripts["read"], "w") as f:
        f.write(f'wrk.headers["x-api-key"] = "{keys[0]}"\n')
    scripts["write_64"] = os.path.join(folder, "write.lua")
    with open(scripts["write_64"], "w") as f:
        f.write(f"""local keys = {{}}
for line in io.lines("{os.path.join(folder, 'keys.txt')}") do keys[#keys + 1] = line end
local n = 0
local body = '{{"name":"bench schedule","timezone":"UTC"}}'
request = function()
  n = n + 1
  local key = keys[(n % #keys) + 1]
  return wrk.format("POST", "/v1/schedules", {{["content-type"] = "application/json", ["x-api-key"] = key}}, body)
end
""")
    scripts["write_1"] = os.path.join(folder, "write_one.lua")
    with open(scripts["write_1"], "w") as f:
        f.write(f"""wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "{keys[0]}"
wrk.body = '{{"name":"bench schedule","timezone":"UTC"}}'
""")
    urls = {"read": f"http://127.0.0.1:{port}/v1/schedules/{schedule['id']}",
            "write_64": f"http://127.0.0.1:{port}/",
            "write_1": f"http://127.0.0.1:{port}/v1/schedules"}
    return server, urls, scripts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 s, 1 round; figures meaningless")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 1, 1
    seconds = max(1, int(args.seconds))
    dialtone = os.path.join(args.build, "app", "dialtone")
    bare = os.path.join(args.build, "bench", "bare_http_server")
    work = tempfile.mkdtemp(prefix="dialtone-http-bench-")
    results = {}
    try:
        # The same number of I/O threads on both sides: 1 (the baseline DESIGN.md quotes),
        # and 2 (dialtone's default; on 2 cores it shares them with wrk).
        for threads in (1, 2):
            server, urls, scripts = setup(dialtone, work, f"t{threads}", threads)
            baseline, bare_port = start([bare, "--port", "0", "--threads", str(threads)])
            bare_url = f"http://127.0.0.1:{bare_port}/"
            run_wrk(bare_url, 1)  # warm up both servers (connections, caches)
            run_wrk(urls["read"], 1, scripts["read"])
            for _ in range(args.rounds):
                results.setdefault(f"bare_{threads}t", []).append(run_wrk(bare_url, seconds))
                for case in ("read", "write_64", "write_1"):
                    results.setdefault(f"{case}_{threads}t", []).append(run_wrk(urls[case], seconds, scripts[case]))
            stop(baseline)
            stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    best = {name: max(rounds, key=lambda r: r["rps"]) for name, rounds in results.items()}
    for name, r in best.items():
        others = ", ".join(f"{x['rps']:.0f}" for x in results[name])
        print(f"{name:12s} {r['rps']:>10.0f} req/s   p99 {r['p99_ms']} ms   non-2xx {r['non_2xx']}   (rounds: {others})"
              + (f"   {r['socket_errors']}" if r["socket_errors"] else ""))
    figures = {"seconds_per_case": seconds, "rounds": args.rounds, "quick": args.quick, "connections": 64}
    for t in (1, 2):
        bare_rps = best[f"bare_{t}t"]["rps"]
        figures[f"bare_{t}t_rps"] = round(bare_rps)
        figures[f"read_{t}t_rps"] = round(best[f"read_{t}t"]["rps"])
        figures[f"ratio_read_{t}t"] = round(best[f"read_{t}t"]["rps"] / bare_rps, 3)
        figures[f"read_{t}t_p99_ms"] = best[f"read_{t}t"]["p99_ms"]
        figures[f"write_64_tenants_{t}t_rps"] = round(best[f"write_64_{t}t"]["rps"])
        figures[f"write_64_{t}t_p99_ms"] = best[f"write_64_{t}t"]["p99_ms"]
        figures[f"write_1_tenant_{t}t_rps"] = round(best[f"write_1_{t}t"]["rps"])
    figures["non_2xx"] = sum(r["non_2xx"] for rounds in results.values() for r in rounds)
    figures["meets_read_target_1t"] = figures["ratio_read_1t"] >= 0.7
    figures["meets_read_target_2t"] = figures["ratio_read_2t"] >= 0.7
    figures["meets_write_target"] = max(figures["write_64_tenants_1t_rps"], figures["write_64_tenants_2t_rps"]) >= 20000
    print(json.dumps(figures))
    return 0 if figures["non_2xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
