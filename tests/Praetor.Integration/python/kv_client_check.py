#!/usr/bin/python3
"""Drives a running Praetor agent's KV API with python-consul, a real Consul client.

Usage: /usr/bin/python3 -I kv_client_check.py HOST PORT

Each check prints "ok: <name>"; the first failure prints "FAIL: <name>: <why>"
and the script exits 1. A check the installed library cannot make prints
"skip: <name>: <why>". Exit 0 means every made check passed.
"""

import json
import sys
import threading
import time
import traceback

import consul
import consul.base


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_equal(actual, expected, what):
    expect(actual == expected, "%s: expected %r, got %r" % (what, expected, actual))


def index_of(index):
    """X-Consul-Index as python-consul hands it back (a header string)."""
    expect(index is not None, "no X-Consul-Index header")
    value = int(index)
    expect(value > 0, "X-Consul-Index must be positive, got %r" % index)
    return value


def check_put_get(c):
    expect_equal(c.kv.put("py/a", "hello"), True, "put py/a")
    index, entry = c.kv.get("py/a")
    index_of(index)
    expect(entry is not None, "get py/a returned nothing")
    expect_equal(entry["Key"], "py/a", "Key")
    expect_equal(entry["Value"], b"hello", "Value")
    expect_equal(entry["Flags"], 0, "Flags")
    expect(entry["CreateIndex"] > 0, "CreateIndex must be positive: %r" % entry)
    expect(entry["ModifyIndex"] >= entry["CreateIndex"], "ModifyIndex < CreateIndex: %r" % entry)
    expect_equal(entry.get("LockIndex", 0), 0, "LockIndex")
    expect(int(index) >= entry["ModifyIndex"], "X-Consul-Index %s < ModifyIndex %d" % (index, entry["ModifyIndex"]))

    expect_equal(c.kv.put("py/a", "world"), True, "overwrite py/a")
    _, again = c.kv.get("py/a")
    expect_equal(again["Value"], b"world", "Value after overwrite")
    expect_equal(again["CreateIndex"], entry["CreateIndex"], "CreateIndex after overwrite")
    expect(again["ModifyIndex"] > entry["ModifyIndex"], "ModifyIndex did not grow: %r -> %r" % (entry, again))

    index, missing = c.kv.get("py/does-not-exist")
    index_of(index)
    expect_equal(missing, None, "get of a missing key")


def check_values(c):
    binary = bytes(range(256))
    expect_equal(c.kv.put("py/binary", binary), True, "put binary value")
    _, entry = c.kv.get("py/binary")
    expect_equal(entry["Value"], binary, "binary value round trip")

    expect_equal(c.kv.put("py/empty", None), True, "put with no value")
    _, entry = c.kv.get("py/empty")
    expect(entry is not None, "key with no value is missing")
    expect_equal(entry["Value"], None, "Value of a key written without a body")

    text = "gr\u00fc\u00dfe \u2603"
    # requests sends a str body as Latin-1, so a UTF-8 value goes as bytes, as Consul stores it.
    expect_equal(c.kv.put("py/with space/unicode", text.encode("utf-8")), True, "put under a key with a space")
    _, entry = c.kv.get("py/with space/unicode")
    expect(entry is not None, "key with a space is missing")
    expect_equal(entry["Key"], "py/with space/unicode", "Key with a space")
    expect_equal(entry["Value"].decode("utf-8"), text, "UTF-8 value round trip")


def check_flags(c):
    expect_equal(c.kv.put("py/flags", "f", flags=42), True, "put with flags=42")
    _, entry = c.kv.get("py/flags")
    expect_equal(entry["Flags"], 42, "Flags")
    big = 2 ** 64 - 1
    expect_equal(c.kv.put("py/flags", "f", flags=big), True, "put with flags=2^64-1")
    _, entry = c.kv.get("py/flags")
    expect_equal(entry["Flags"], big, "Flags at the uint64 limit")


def check_recurse_and_keys(c):
    for key in ("py/dir/x", "py/dir/y", "py/dir/sub/z"):
        expect_equal(c.kv.put(key, key.upper()), True, "put " + key)
    expect_equal(c.kv.put("py/dirx", "sibling"), True, "put py/dirx")

    index, entries = c.kv.get("py/dir/", recurse=True)
    index_of(index)
    expect(entries is not None, "recurse get of py/dir/ returned nothing")
    expect_equal([e["Key"] for e in entries], ["py/dir/sub/z", "py/dir/x", "py/dir/y"], "recursed keys (sorted)")
    expect_equal([e["Value"] for e in entries], [b"PY/DIR/SUB/Z", b"PY/DIR/X", b"PY/DIR/Y"], "recursed values")

    _, entries = c.kv.get("py/dir", recurse=True)
    expect_equal([e["Key"] for e in entries], ["py/dir/sub/z", "py/dir/x", "py/dir/y", "py/dirx"], "recurse on a bare prefix")

    _, keys = c.kv.get("py/dir/", keys=True)
    expect_equal(keys, ["py/dir/sub/z", "py/dir/x", "py/dir/y"], "keys")

    _, keys = c.kv.get("py/dir/", keys=True, separator="/")
    expect_equal(keys, ["py/dir/sub/", "py/dir/x", "py/dir/y"], "keys with separator /")

    _, keys = c.kv.get("py/", keys=True, separator="/")
    expect("py/dir/" in keys and "py/dirx" in keys, "top-level keys with separator: %r" % (keys,))

    index, entries = c.kv.get("py/nothing-here/", recurse=True)
    index_of(index)
    expect_equal(entries, None, "recurse get of an empty prefix")


def check_cas(c):
    c.kv.delete("py/cas")
    expect_equal(c.kv.put("py/cas", "v1", cas=0), True, "create-only put (cas=0) of a new key")
    expect_equal(c.kv.put("py/cas", "v1-again", cas=0), False, "create-only put (cas=0) of an existing key")
    _, entry = c.kv.get("py/cas")
    expect_equal(entry["Value"], b"v1", "value after a refused create-only put")
    stale = entry["ModifyIndex"]

    expect_equal(c.kv.put("py/cas", "v2"), True, "plain put")
    _, entry = c.kv.get("py/cas")
    current = entry["ModifyIndex"]
    expect(current > stale, "plain put did not move ModifyIndex")

    expect_equal(c.kv.put("py/cas", "v3", cas=stale), False, "put with a stale cas index")
    _, entry = c.kv.get("py/cas")
    expect_equal(entry["Value"], b"v2", "value after a stale cas put")

    expect_equal(c.kv.put("py/cas", "v3", cas=current), True, "put with the current cas index")
    _, entry = c.kv.get("py/cas")
    expect_equal(entry["Value"], b"v3", "value after a winning cas put")


def check_delete(c):
    expect_equal(c.kv.put("py/gone", "x"), True, "put py/gone")
    expect_equal(c.kv.delete("py/gone"), True, "delete py/gone")
    _, entry = c.kv.get("py/gone")
    expect_equal(entry, None, "get after delete")
    expect_equal(c.kv.delete("py/never-was"), True, "delete of a missing key")


def check_delete_cas(c):
    c.kv.put("py/dcas", "1")
    _, entry = c.kv.get("py/dcas")
    stale = entry["ModifyIndex"]
    c.kv.put("py/dcas", "2")
    _, entry = c.kv.get("py/dcas")
    current = entry["ModifyIndex"]

    expect_equal(c.kv.delete("py/dcas", cas=stale), False, "delete with a stale cas index")
    _, entry = c.kv.get("py/dcas")
    expect(entry is not None, "a stale cas delete removed the key")
    expect_equal(c.kv.delete("py/dcas", cas=current), True, "delete with the current cas index")
    _, entry = c.kv.get("py/dcas")
    expect_equal(entry, None, "get after a cas delete")


def check_delete_recurse(c):
    expect_equal(c.kv.delete("py/dir/", recurse=True), True, "delete recurse py/dir/")
    _, entries = c.kv.get("py/dir/", recurse=True)
    expect_equal(entries, None, "recurse get after delete recurse")
    _, sibling = c.kv.get("py/dirx")
    expect(sibling is not None, "delete recurse of py/dir/ removed py/dirx, which is outside the prefix")
    _, other = c.kv.get("py/cas")
    expect(other is not None, "delete recurse of py/dir/ removed py/cas")


def check_blocking_get(c):
    c.kv.put("py/watch", "w0")
    index, entry = c.kv.get("py/watch")
    expect_equal(entry["Value"], b"w0", "value before the blocking get")

    writer = threading.Timer(0.5, lambda: consul.Consul(host=HOST, port=PORT).kv.put("py/watch", "w1"))
    started = time.monotonic()
    writer.start()
    try:
        woken_index, entry = c.kv.get("py/watch", index=index, wait="15s")
    finally:
        writer.join()
    elapsed = time.monotonic() - started
    expect(elapsed >= 0.4, "blocking get returned after %.2fs, before the put it waits for" % elapsed)
    expect(elapsed < 10, "blocking get was not woken by the put (returned after %.2fs)" % elapsed)
    expect_equal(entry["Value"], b"w1", "value seen by the woken blocking get")
    expect(int(woken_index) > int(index), "X-Consul-Index did not grow: %s -> %s" % (index, woken_index))

    started = time.monotonic()
    timed_out_index, entry = c.kv.get("py/watch", index=woken_index, wait="1s")
    elapsed = time.monotonic() - started
    expect(0.8 <= elapsed < 5, "blocking get with wait=1s and no change returned after %.2fs" % elapsed)
    expect_equal(int(timed_out_index), int(woken_index), "X-Consul-Index after a blocking get timed out")
    expect_equal(entry["Value"], b"w1", "value after a timed-out blocking get")


def check_request_options(c):
    """Query parameters python-consul adds from its constructor: dc, consistency, token."""
    for consistency in ("consistent", "stale"):
        other = consul.Consul(host=HOST, port=PORT, dc="dc1", consistency=consistency, token="anonymous")
        _, entry = other.kv.get("py/a")
        expect(entry is not None, "get with dc=dc1 and %s=1 found nothing" % consistency)
        expect_equal(entry["Value"], b"world", "value read with %s consistency" % consistency)


def check_status(c):
    leader = c.status.leader()
    expect(isinstance(leader, str) and leader != "", "status.leader(): %r" % (leader,))
    peers = c.status.peers()
    expect(isinstance(peers, list) and leader in peers, "status.peers() %r does not hold the leader %r" % (peers, leader))


def check_txn(c):
    ops = [
        {"KV": {"Verb": "set", "Key": "py/txn/one", "Value": "MQ=="}},
        {"KV": {"Verb": "set", "Key": "py/txn/two", "Value": "Mg==", "Flags": 7}},
        {"KV": {"Verb": "get", "Key": "py/txn/one"}},
    ]
    if hasattr(c, "txn"):
        result = c.txn.put(ops)
        how = "the library's Txn API"
    else:
        # python-consul releases before 1.0 have no Txn API; send the same request through the
        # library's own HTTP client so the agent's /v1/txn still meets this client's transport.
        result = c.http.put(consul.base.CB.json(), "/v1/txn", data=json.dumps(ops))
        how = "the library's HTTP client (this python-consul has no Txn API)"
    expect(result.get("Errors") in (None, []), "txn via %s failed: %r" % (how, result))
    results = result.get("Results") or []
    expect_equal(len(results), 3, "txn result count via " + how)
    expect_equal(results[2]["KV"]["Key"], "py/txn/one", "key read back in the txn")
    _, entry = c.kv.get("py/txn/two")
    expect_equal(entry["Value"], b"2", "value written by the txn")
    expect_equal(entry["Flags"], 7, "flags written by the txn")

    failing = [
        {"KV": {"Verb": "set", "Key": "py/txn/three", "Value": "Mw=="}},
        {"KV": {"Verb": "cas", "Key": "py/txn/one", "Value": "eA==", "Index": 1}},
    ]
    if hasattr(c, "txn"):
        try:
            result = c.txn.put(failing)
            rolled_back = result.get("Errors")
        except consul.ConsulException as e:
            rolled_back = str(e)
    else:
        def conflict(response):
            return response.code, json.loads(response.body)

        code, body = c.http.put(conflict, "/v1/txn", data=json.dumps(failing))
        expect_equal(code, 409, "status of a txn whose cas fails")
        rolled_back = body.get("Errors")
    expect(rolled_back, "a txn with a failing cas reported no error")
    _, entry = c.kv.get("py/txn/three")
    expect_equal(entry, None, "a key set in a failed txn (must roll back)")
    return how


CHECKS = [
    ("status leader and peers", check_status),
    ("put and get", check_put_get),
    ("binary, empty and UTF-8 values", check_values),
    ("flags", check_flags),
    ("recurse get and keys with separator", check_recurse_and_keys),
    ("cas put", check_cas),
    ("delete", check_delete),
    ("delete with cas", check_delete_cas),
    ("delete recurse", check_delete_recurse),
    ("blocking get woken by a put", check_blocking_get),
    ("dc, consistency and token parameters", check_request_options),
    ("txn", check_txn),
]


def main():
    global HOST, PORT
    if len(sys.argv) != 3:
        print("usage: kv_client_check.py HOST PORT", file=sys.stderr)
        return 2
    HOST, PORT = sys.argv[1], int(sys.argv[2])
    print("python-consul %s from %s, Python %s" % (consul.__version__, consul.__file__, sys.version.split()[0]))
    c = consul.Consul(host=HOST, port=PORT)
    for name, check in CHECKS:
        try:
            note = check(c)
        except CheckFailed as e:
            print("FAIL: %s: %s" % (name, e))
            return 1
        except Exception:
            print("FAIL: %s: unexpected error" % name)
            traceback.print_exc(file=sys.stdout)
            return 1
        print("ok: %s%s" % (name, " (via %s)" % note if note else ""))
    print("all %d checks passed" % len(CHECKS))
    return 0


HOST = "127.0.0.1"
PORT = 8500

if __name__ == "__main__":
    sys.exit(main())
