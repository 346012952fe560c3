#!/usr/bin/python3
"""Checks both OpenAPI documents of a running `dialtone serve` against its real answers.

Starts the server on a fresh data folder, reads GET /v1/openapi.json and
GET /est/v1/openapi.json, checks that each is a well-formed OpenAPI 3.1 document (every
$ref resolves, every schema is a valid JSON Schema 2020-12, every path parameter is
declared), then drives every documented operation of both dialects (bodies from
tests/v1/samples.json) and validates every answer: its status must be one the operation
documents, and a JSON body must validate against that status's schema (python3-jsonschema,
an implementation independent of the server's). Finally every documented operation must
have answered a success at least once: the documents promise nothing the server does not do.

  check_openapi.py --binary build/app/dialtone --samples tests/v1/samples.json
Exit status 0 when everything holds; otherwise the failures are listed.
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.parse

import jsonschema
from jsonschema import Draft202012Validator

ADMIN_KEY = "dta_openapi_check_0123456789abcdef"
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message, file=sys.stderr)


# ---------------------------------------------------------------------------------------
# The documents


class Document:
    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        self.resolver = jsonschema.RefResolver.from_schema(doc)
        self.operations = {}  # (method, template) -> operation
        for template, item in doc.get("paths", {}).items():
            for method, op in item.items():
                self.operations[(method.upper(), template)] = op
        self.covered = {}  # (method, template) -> set of statuses seen
        self.patterns = []
        for (method, template) in self.operations:
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            self.patterns.append((method, template, re.compile(regex), template.count("{")))

    def check_structure(self):
        doc = self.doc
        if doc.get("openapi") != "3.1.0":
            fail(f"{self.name}: openapi is {doc.get('openapi')!r}, not 3.1.0")
        for key in ("title", "version"):
            if not doc.get("info", {}).get(key):
                fail(f"{self.name}: info.{key} is missing")
        if not self.operations:
            fail(f"{self.name}: no operations")
        schemas = doc.get("components", {}).get("schemas", {})
        for name, schema in schemas.items():
            try:
                Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as e:
                fail(f"{self.name}: schema {name} is not valid JSON Schema 2020-12: {e.message}")
        for ref in find_refs(doc):
            try:
                self.resolver.resolve(ref)
            except jsonschema.RefResolutionError:
                fail(f"{self.name}: $ref {ref} does not resolve")
        seen_ids = set()
        for (method, template), op in self.operations.items():
            where = f"{self.name}: {method} {template}"
            op_id = op.get("operationId")
            if not op_id:
                fail(f"{where}: no operationId")
            elif op_id in seen_ids:
                fail(f"{where}: operationId {op_id} is used twice")
            seen_ids.add(op_id)
            responses = op.get("responses", {})
            if not any(code.startswith("2") for code in responses):
                fail(f"{where}: documents no success response")
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            for param in re.findall(r"\{([^}]+)\}", template):
                if param not in declared:
                    fail(f"{where}: path parameter {param} is not declared")

    def match(self, method, path):
        candidates = [(params, template) for (m, template, regex, params) in self.patterns
                      if m == method and regex.match(path)]
        if not candidates:
            return None
        candidates.sort()
        return candidates[0][1]

    def validate(self, method, path, status, content_type, body):
        template = self.match(method, path)
        if template is None:
            fail(f"{self.name}: {method} {path} answered {status} but the document has no such operation")
            return
        op = self.operations[(method, template)]
        self.covered.setdefault((method, template), set()).add(status)
        responses = op.get("responses", {})
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            fail(f"{self.name}: {method} {template} answered {status}, which it does not document "
                 f"(documented: {', '.join(sorted(responses))}); body: {body[:300]!r}")
            return
        content = response.get("content")
        if not content:
            if body:
                fail(f"{self.name}: {method} {template} {status} documents no body but sent {len(body)} bytes")
            return
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in content:
            wildcard = media.split("/")[0] + "/*"
            if wildcard not in content:
                fail(f"{self.name}: {method} {template} {status} answered {media!r}, documented {sorted(content)}")
                return
            media = wildcard
        if media != "application/json":
            return
        try:
            value = json.loads(body)
        except ValueError:
            fail(f"{self.name}: {method} {template} {status} sent a body that is not JSON: {body[:200]!r}")
            return
        schema = content[media].get("schema", {})
        validator = Draft202012Validator(schema, resolver=self.resolver)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        for e in errors[:5]:
            fail(f"{self.name}: {method} {template} {status}: {'/'.join(str(p) for p in e.path) or '(body)'}: "
                 f"{e.message}")

    def check_coverage(self):
        for (method, template), op in sorted(self.operations.items()):
            statuses = self.covered.get((method, template), set())
            successes = {int(c) for c in op.get("responses", {}) if c.startswith("2")}
            if not statuses & successes:
                fail(f"{self.name}: {method} {template} never answered a success "
                     f"(seen: {sorted(statuses) or 'not called'})")


def find_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from find_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from find_refs(item)


# ---------------------------------------------------------------------------------------
# The server and a client that checks every answer


class Server:
    def __init__(self, binary):
        self.folder = tempfile.mkdtemp(prefix="dialtone-openapi-")
        env = dict(os.environ, DIALTONE_ADMIN_KEY=ADMIN_KEY)
        self.process = subprocess.Popen(
            [binary, "serve", "--data", os.path.join(self.folder, "data"), "--http", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        self.port = None
        for line in self.process.stdout:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            raise SystemExit("dialtone serve did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


class Client:
    def __init__(self, port, documents):
        self.port = port
        self.documents = documents  # prefix -> Document

    def call(self, method, path, headers=None, body=None, raw=None, content_type=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        elif raw is not None:
            data = raw
            if content_type:
                headers["content-type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        bare = urllib.parse.urlsplit(path).path
        document = self.documents["/est/" if bare.startswith("/est/") else "/v1/"]
        document.validate(method, bare, response.status, response.getheader("content-type"),
                          payload.decode("utf-8", "replace"))
        return response.status, (json.loads(payload) if payload and
                                  (response.getheader("content-type") or "").startswith("application/json")
                                  else payload)


def expect(result, status, what):
    if result[0] != status:
        fail(f"{what}: expected {status}, got {result[0]}: {str(result[1])[:300]}")
    return result[1]


# ---------------------------------------------------------------------------------------
# Scenarios


class Placeholders:
    counter = 0

    def __init__(self, ids):
        self.ids = ids

    def resolve(self, value):
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        if "{unique}" in value:
            Placeholders.counter += 1
            return value.replace("{unique}", f"o{os.getpid()}n{Placeholders.counter}")
        if value.startswith("{e164:"):
            Placeholders.counter += 1
            return f"1415556{Placeholders.counter:04d}"
        if len(value) > 2 and value[0] == "{" and value[-1] == "}":
            return self.ids[value[1:-1]][0]
        return value


def pcm_wav(frames, rate=8000):
    data = b"".join(struct.pack("<h", (i * 37) % 30000) for i in range(frames))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def collection_of(sample, kinds, ids):
    """The collection path of a sample's kind: its create operation's path, with the
    parent's id in place of {parent_id}."""
    template = kinds[sample["kind"]]
    if sample.get("parent"):
        return template.replace("{parent_id}", ids[sample["parent"]][0])
    return template


def v1_scenario(client, samples, receiver_url):
    admin = {"x-api-key": ADMIN_KEY}
    expect(client.call("GET", "/v1/whoami", admin), 200, "whoami (admin)")
    account = expect(client.call("POST", "/v1/accounts", admin, {"name": "OpenAPI", "max_in": 5}), 201, "create account")
    account_id = account["id"]
    minted = expect(client.call("POST", f"/v1/accounts/{account_id}/api-keys", admin, {"label": "check"}), 201, "mint")
    key = {"x-api-key": minted["key"]}
    expect(client.call("GET", "/v1/whoami", key), 200, "whoami")
    expect(client.call("GET", "/v1/account", key), 200, "own account")
    expect(client.call("GET", "/v1/accounts", admin), 200, "list accounts")
    expect(client.call("GET", f"/v1/accounts/{account_id}", key), 200, "get account")
    expect(client.call("PATCH", f"/v1/accounts/{account_id}", key, {"brand_name": "Check"}), 200, "patch account")
    expect(client.call("PUT", f"/v1/accounts/{account_id}", admin, {"name": "OpenAPI check", "max_in": None}), 200, "put account")
    expect(client.call("GET", f"/v1/accounts/{account_id}/api-keys", admin), 200, "list keys")
    expect(client.call("GET", f"/v1/accounts/{account_id}/api-keys/{minted['key_id']}", admin), 200, "get key")
    expect(client.call("GET", "/v1/events?limit=5", admin), 200, "events")

    # Error answers, each in the documented shape.
    expect(client.call("GET", "/v1/users/usr_missing", key), 404, "missing user")
    expect(client.call("GET", "/v1/users", {"x-api-key": "dtk_0000000000000000_" + "0" * 64}), 401, "bad key")
    expect(client.call("POST", "/v1/users", key, {"username": "x", "colour": "red"}), 400, "unknown field")
    expect(client.call("POST", "/v1/users", key, raw=b"{}", content_type="text/plain"), 415, "wrong content type")

    kinds = {}
    ids = {}
    refs = Placeholders(ids)
    # kind -> the path of its create operation, from the document
    for (method, template), op in client.documents["/v1/"].operations.items():
        if method == "POST" and op.get("operationId", "").startswith("create_"):
            kinds[op["operationId"][len("create_"):]] = template
    created = []
    for sample in samples:
        collection = collection_of(sample, kinds, ids)
        body = refs.resolve(sample["create"])
        doc = expect(client.call("POST", collection, key, body), 201, f"create {sample['kind']}")
        if not isinstance(doc, dict):
            continue
        ids[sample["kind"]] = (doc["id"], collection)
        created.append((sample, collection, doc["id"], body))
        item = f"{collection}/{doc['id']}"
        expect(client.call("GET", item, key), 200, f"get {sample['kind']}")
        expect(client.call("GET", collection + "?limit=10", key), 200, f"list {sample['kind']}")
        expect(client.call("PATCH", item, key, refs.resolve(sample["change"])), 200, f"patch {sample['kind']}")
        expect(client.call("PUT", item, key, body), 200, f"put {sample['kind']}")

    user = ids["user"][0]
    expect(client.call("DELETE", f"/v1/users/{user}", key), 409, "delete a referenced user")
    expect(client.call("PATCH", f"/v1/users/{user}", dict(key, **{"if-match": '"1"'}), {"display_name": "x"}), 412,
           "stale If-Match")
    flow = ids["flow"][0]
    graph = {"nodes": [{"id": "s", "type": "start"}, {"id": "h", "type": "hangup"}], "edges": [{"from": "s", "to": "h"}]}
    expect(client.call("PATCH", f"/v1/flows/{flow}", key, {"graph": graph}), 200, "flow graph")
    expect(client.call("POST", f"/v1/flows/{flow}/publish", key), 200, "publish flow")
    expect(client.call("POST", "/v1/dnc", key, {"e164": "14155557001"}), 201, "dnc add")
    expect(client.call("POST", "/v1/dnc", key, {"e164": "14155557001"}), 200, "dnc add again")
    expect(client.call("GET", "/v1/dnc/+14155557001", key), 200, "dnc by number")
    expect(client.call("DELETE", "/v1/dnc?e164=14155557001", key), 204, "dnc delete by number")

    hook = expect(client.call("POST", "/v1/webhooks", key, {"url": receiver_url, "secret": "whsec-openapi-0123456789"}),
                  201, "webhook")
    expect(client.call("POST", "/v1/webhooks/test", key, {"webhook_id": hook["id"]}), 200, "webhook test")
    expect(client.call("GET", f"/v1/webhooks/{hook['id']}/deliveries", key), 200, "webhook deliveries")
    expect(client.call("DELETE", f"/v1/webhooks/{hook['id']}", key), 204, "webhook delete")

    media = ids["media_file"][0]
    expect(client.call("PUT", f"/v1/media/{media}/content", key, raw=pcm_wav(8000), content_type="audio/wav"), 200,
           "upload media")
    expect(client.call("GET", f"/v1/media/{media}/content", key), 200, "download media")
    expect(client.call("GET", "/v1/calls", key), 200, "calls")
    expect(client.call("GET", "/v1/calls?format=csv", key), 200, "calls csv")

    for sample, collection, resource_id, _ in reversed(created):
        expect(client.call("DELETE", f"{collection}/{resource_id}", key), 204, f"delete {sample['kind']}")
    expect(client.call("DELETE", f"/v1/accounts/{account_id}/api-keys/{minted['key_id']}", admin), 204, "revoke")
    expect(client.call("DELETE", f"/v1/accounts/{account_id}", admin), 204, "close")
    expect(client.call("GET", "/v1/openapi.json"), 200, "v1 document")


def est_scenario(client):
    admin = {"x-api-key": ADMIN_KEY}
    account = expect(client.call("POST", "/v1/accounts", admin, {"name": "EST check"}), 201, "create project")
    project = account["id"]
    minted = expect(client.call("POST", f"/v1/accounts/{project}/api-keys", admin, {}), 201, "mint")
    key_id, secret = minted["key"][len("dtk_"):].split("_", 1)
    auth = {"authorization": "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()}
    base = f"/est/v1/projects/{project}"

    expect(client.call("GET", f"{base}/trunks/trk_missing", auth), 404, "missing trunk")
    expect(client.call("POST", f"{base}/trunks", auth, {"name": "x"}), 400, "trunk without hostName")
    expect(client.call("GET", f"{base}/trunks", {}), 401, "no credentials")
    trunk = expect(client.call("POST", f"{base}/trunks", auth, {"name": "main", "hostName": f"est{os.getpid()}"}), 201, "trunk")
    t = trunk["id"]
    expect(client.call("GET", f"{base}/trunks", auth), 200, "list trunks")
    expect(client.call("GET", f"{base}/trunks/{t}", auth), 200, "get trunk")
    expect(client.call("PUT", f"{base}/trunks/{t}", auth, {"name": "main", "hostName": f"est{os.getpid()}",
                                                           "enableCallerName": True}), 200, "put trunk")
    endpoint = expect(client.call("POST", f"{base}/trunks/{t}/endpoints", auth,
                                  {"name": "pbx", "address": "192.0.2.5", "priority": 1}), 201, "static endpoint")
    expect(client.call("POST", f"{base}/trunks/{t}/endpoints", auth,
                       {"name": "phone", "isRegistered": True, "credentialUsername": "pbx1", "priority": 2}), 201,
           "registered endpoint")
    e = endpoint["id"]
    expect(client.call("GET", f"{base}/trunks/{t}/endpoints", auth), 200, "list endpoints")
    expect(client.call("GET", f"{base}/trunks/{t}/endpoints/{e}", auth), 200, "get endpoint")
    expect(client.call("PUT", f"{base}/trunks/{t}/endpoints/{e}", auth,
                       {"name": "pbx", "address": "192.0.2.6", "priority": 1}), 200, "put endpoint")

    acl = expect(client.call("POST", f"{base}/accessControlLists", auth,
                             {"name": "office", "ipRanges": [{"ipAddress": "192.0.2.0", "range": 24}]}), 200, "acl")
    a = acl["id"]
    expect(client.call("GET", f"{base}/accessControlLists", auth), 200, "list acls")
    expect(client.call("GET", f"{base}/accessControlLists/{a}", auth), 200, "get acl")
    expect(client.call("PUT", f"{base}/accessControlLists/{a}", auth, {"name": "office", "enabled": True}), 200, "put acl")
    rng = expect(client.call("POST", f"{base}/accessControlLists/{a}/ipRanges", auth, {"ipAddress": "198.51.100.7"}), 200,
                 "range")
    expect(client.call("GET", f"{base}/accessControlLists/{a}/ipRanges", auth), 200, "list ranges")
    expect(client.call("PUT", f"{base}/accessControlLists/{a}/ipRanges/{rng['id']}", auth,
                       {"ipAddress": "198.51.100.8", "description": "moved"}), 200, "put range")
    expect(client.call("DELETE", f"{base}/accessControlLists/{a}/ipRanges/{rng['id']}", auth), 204, "delete range")

    cl = expect(client.call("POST", f"{base}/credentialLists", auth,
                            {"name": "users", "credentials": [{"username": "pbx1", "password": "correct horse battery"}]}),
                201, "credential list")
    c = cl["id"]
    expect(client.call("GET", f"{base}/credentialLists", auth), 200, "list credential lists")
    expect(client.call("GET", f"{base}/credentialLists/{c}", auth), 200, "get credential list")
    expect(client.call("PUT", f"{base}/credentialLists/{c}", auth, {"name": "users"}), 200, "put credential list")
    expect(client.call("PUT", f"{base}/credentialLists/{c}/credentials/pbx2", auth, {"password": "another horse battery"}),
           200, "put credential")
    expect(client.call("DELETE", f"{base}/credentialLists/{c}/credentials/pbx2", auth), 204, "delete credential")

    for kind, list_id, ids_key in (("accessControlLists", a, "accessControlListIds"),
                                   ("credentialLists", c, "credentialListIds")):
        expect(client.call("POST", f"{base}/trunks/{t}/{kind}", auth, {ids_key: [list_id]}), 200, f"add {kind}")
        expect(client.call("PUT", f"{base}/trunks/{t}/{kind}", auth, [list_id]), 200, f"replace {kind}")
        expect(client.call("GET", f"{base}/trunks/{t}/{kind}", auth), 200, f"list trunk {kind}")
        expect(client.call("GET", f"{base}/{kind}/{list_id}/trunks", auth), 200, f"trunks of {kind}")
        expect(client.call("DELETE", f"{base}/trunks/{t}/{kind}/{list_id}", auth), 204, f"remove {kind}")

    rule = expect(client.call("POST", f"{base}/callBlockingRules", auth, {"calleeMatch": "+1900", "name": "premium", "direction": "OUTBOUND"}), 201,
                  "rule")
    r = rule["id"]
    expect(client.call("GET", f"{base}/callBlockingRules", auth), 200, "list rules")
    expect(client.call("GET", f"{base}/callBlockingRules/{r}", auth), 200, "get rule")
    expect(client.call("PUT", f"{base}/callBlockingRules/{r}", auth, {"callerMatch": "+1976", "callerCountry": "US", "direction": "INBOUND"}), 200,
           "put rule")
    expect(client.call("DELETE", f"{base}/callBlockingRules/{r}", auth), 204, "delete rule")

    expect(client.call("GET", f"{base}/countryPermissions?pageSize=5", auth), 200, "countries")
    expect(client.call("GET", f"{base}/countryPermissions/SE", auth), 200, "country")
    expect(client.call("PUT", f"{base}/countryPermissions/SE", auth, {"enabled": False}), 200, "put country")
    expect(client.call("PUT", f"{base}/countryPermissions", auth, [{"isoCode": "US"}, {"isoCode": "GB"}]), 200,
           "bulk countries")

    key = {"x-api-key": minted["key"]}
    expect(client.call("POST", "/v1/numbers", key, {"e164": "14155557777", "trunk_id": t}), 201, "did")
    expect(client.call("GET", f"{base}/phoneNumbers", auth), 200, "numbers")
    expect(client.call("GET", f"{base}/phoneNumbers/+14155557777", auth), 200, "number")
    expect(client.call("GET", f"{base}/calls", auth), 200, "calls")
    expect(client.call("GET", f"{base}/calls?createTime=2024-03", auth), 200, "calls in a month")
    expect(client.call("GET", f"{base}/calls/export?fileName=march", auth), 200, "calls export")
    expect(client.call("POST", f"{base}/addProjects", auth, {"projectIds": []}), 200, "add projects")

    expect(client.call("DELETE", f"{base}/trunks/{t}/endpoints/{e}", auth), 204, "delete endpoint")
    expect(client.call("DELETE", f"{base}/accessControlLists/{a}", auth), 204, "delete acl")
    expect(client.call("DELETE", f"{base}/credentialLists/{c}", auth), 204, "delete credential list")
    expect(client.call("DELETE", f"{base}/trunks/{t}", auth), 204, "delete trunk")
    expect(client.call("GET", "/est/v1/openapi.json"), 200, "est document")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--samples", required=True)
    args = parser.parse_args()
    with open(args.samples) as f:
        samples = json.load(f)["samples"]

    receiver = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server = Server(args.binary)
    try:
        documents = {}
        for prefix, path in (("/v1/", "/v1/openapi.json"), ("/est/", "/est/v1/openapi.json")):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            if response.status != 200:
                raise SystemExit(f"GET {path} answered {response.status}")
            documents[prefix] = Document(path, json.loads(response.read()))
            documents[prefix].check_structure()
        client = Client(server.port, documents)
        v1_scenario(client, samples, f"http://127.0.0.1:{receiver.server_address[1]}/hook")
        est_scenario(client)
        for document in documents.values():
            document.check_coverage()
        operations = sum(len(d.operations) for d in documents.values())
        checked = sum(len(s) for d in documents.values() for s in d.covered.values())
        print(f"openapi: {operations} documented operations, {checked} (operation, status) pairs answered and checked")
    finally:
        server.stop()
        receiver.shutdown()
    if FAILURES:
        print(f"openapi: {len(FAILURES)} failure(s)", file=sys.stderr)
        sys.exit(1)
    print("openapi: both documents match the server")


if __name__ == "__main__":
    main()
