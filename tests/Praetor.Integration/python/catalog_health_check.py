#!/usr/bin/python3
"""Drives a running Praetor agent's agent, catalog and health APIs with python-consul,
a real Consul client (Debian's python3-consul, 0.7.1).

Usage: /usr/bin/python3 -I catalog_health_check.py HOST PORT

Registers a service with a TTL check through the agent, passes the check, reads the
service back through health, catalog and agent endpoints, deregisters it; reads nodes,
services, node health and health by state; puts the node into maintenance.

Each check prints "ok: <name>" or "FAIL: <name>: <why>"; every check runs (a failed
one does not hide the next), and the script exits 1 if any failed, 0 if all passed.
"""

import sys
import time
import traceback

import consul

SERVICE = "pyweb"
SERVICE_ID = "pyweb-1"
CHECK_ID = "service:" + SERVICE_ID
PORT_OF_SERVICE = 8080
TAGS = ["v1", "python"]

# How long a write may take to reach the catalog (anti-entropy) before a check fails.
DEADLINE_SECONDS = 15


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_equal(actual, expected, what):
    expect(actual == expected, "%s: expected %r, got %r" % (what, expected, actual))


def wait_for(read, condition, what):
    """Calls read(index, wait) -> (index, value) until condition(value) holds: blocking
    queries on the last X-Consul-Index, under a deadline. Returns the value."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    index, value = read(None, None)
    while not condition(value):
        if time.monotonic() > deadline:
            raise CheckFailed("%s: not seen within %ds; last value: %r" % (what, DEADLINE_SECONDS, value))
        index, value = read(index, "2s")
    return value


def raw_status(c, method, path):
    """The status and body of one request sent through python-consul's own HTTP client,
    to say exactly what the agent answered when a library call returned False."""
    def callback(response):
        return response.code, response.body

    call = c.http.get if method == "GET" else c.http.put
    code, body = call(callback, path)
    return "%s %s -> %d %r" % (method, path, code, body)


def check_register(c):
    ok = c.agent.service.register(
        SERVICE, service_id=SERVICE_ID, port=PORT_OF_SERVICE, tags=TAGS, check=consul.Check.ttl("10s"))
    expect_equal(ok, True, "agent.service.register (PUT /v1/agent/service/register)")
    services = c.agent.services()
    expect(SERVICE_ID in services, "agent.services() lacks %s: %r" % (SERVICE_ID, services))
    s = services[SERVICE_ID]
    expect_equal(s["Service"], SERVICE, "agent service name")
    expect_equal(s["Port"], PORT_OF_SERVICE, "agent service port")
    expect_equal(s["Tags"], TAGS, "agent service tags")
    checks = c.agent.checks()
    expect(CHECK_ID in checks, "agent.checks() lacks %s: %r" % (CHECK_ID, checks))
    expect_equal(checks[CHECK_ID]["ServiceID"], SERVICE_ID, "check ServiceID")
    # A TTL check starts critical until its first update, as in Consul.
    expect_equal(checks[CHECK_ID]["Status"], "critical", "TTL check status before any update")
    _, entries = c.health.service(SERVICE, passing=True)
    expect_equal(entries, [], "health.service(passing=True) before the TTL check passed")


def check_ttl_pass(c):
    ok = c.agent.check.ttl_pass(CHECK_ID)
    if ok is not True:
        # python-consul 0.7.1 sends GET here (Consul before 1.0 accepted it; 1.x wants PUT).
        raise CheckFailed("agent.check.ttl_pass(%r) returned %r; the agent answered %s" % (
            CHECK_ID, ok, raw_status(c, "GET", "/v1/agent/check/pass/" + CHECK_ID)))
    expect_equal(c.agent.checks()[CHECK_ID]["Status"], "passing", "agent check status after ttl_pass")


def check_read_back(c):
    status = c.agent.checks().get(CHECK_ID, {}).get("Status")
    # Waiting for the catalog is pointless while the agent itself does not see the check pass.
    expect_equal(status, "passing", "agent check status of %s (the read-back needs a passing TTL check)" % CHECK_ID)
    def passing(index, wait):
        return c.health.service(SERVICE, index=index, wait=wait, passing=True)

    entries = wait_for(passing, lambda v: len(v) == 1, "%s in health.service(passing=True)" % SERVICE)
    entry = entries[0]
    expect_equal(entry["Service"]["ID"], SERVICE_ID, "health service ID")
    expect_equal(entry["Service"]["Port"], PORT_OF_SERVICE, "health service port")
    expect_equal(entry["Service"]["Tags"], TAGS, "health service tags")
    statuses = {check["CheckID"]: check["Status"] for check in entry["Checks"]}
    expect_equal(statuses.get(CHECK_ID), "passing", "health status of " + CHECK_ID)
    expect_equal(statuses.get("serfHealth"), "passing", "health status of serfHealth")

    index, nodes = c.catalog.service(SERVICE)
    expect(int(index) > 0, "catalog.service index %r" % index)
    expect_equal(len(nodes), 1, "catalog.service(%r) entries" % SERVICE)
    expect_equal(nodes[0]["ServiceID"], SERVICE_ID, "catalog ServiceID")
    expect_equal(nodes[0]["ServiceName"], SERVICE, "catalog ServiceName")
    expect_equal(nodes[0]["ServicePort"], PORT_OF_SERVICE, "catalog ServicePort")
    expect_equal(nodes[0]["ServiceTags"], TAGS, "catalog ServiceTags")
    expect_equal(nodes[0]["Node"], NODE, "catalog Node")
    _, tagged = c.catalog.service(SERVICE, tag="python")
    expect_equal(len(tagged), 1, "catalog.service(tag='python') entries")
    _, untagged = c.catalog.service(SERVICE, tag="nope")
    expect_equal(untagged, [], "catalog.service(tag='nope')")


def check_deregister(c):
    ok = c.agent.service.deregister(SERVICE_ID)
    if ok is not True:
        # python-consul 0.7.1 sends GET here (Consul before 1.0 accepted it; 1.x wants PUT).
        raise CheckFailed("agent.service.deregister(%r) returned %r; the agent answered %s" % (
            SERVICE_ID, ok, raw_status(c, "GET", "/v1/agent/service/deregister/" + SERVICE_ID)))
    expect(SERVICE_ID not in c.agent.services(), "agent.services() still lists %s" % SERVICE_ID)
    expect(CHECK_ID not in c.agent.checks(), "agent.checks() still lists %s" % CHECK_ID)

    def catalog(index, wait):
        return c.catalog.service(SERVICE, index=index, wait=wait)

    wait_for(catalog, lambda v: v == [], "%s gone from catalog.service" % SERVICE)
    _, services = c.catalog.services()
    expect(SERVICE not in services, "catalog.services() still lists %s: %r" % (SERVICE, services))


def check_nodes_and_services(c):
    index, nodes = c.catalog.nodes()
    expect(int(index) > 0, "catalog.nodes index %r" % index)
    names = [n["Node"] for n in nodes]
    expect(NODE in names, "catalog.nodes() lacks this agent's node %r: %r" % (NODE, names))
    me = nodes[names.index(NODE)]
    expect(me["Address"], "node without an Address: %r" % me)
    expect_equal(me["Datacenter"], "dc1", "node Datacenter")

    index, services = c.catalog.services()
    expect(int(index) > 0, "catalog.services index %r" % index)
    expect("consul" in services, "catalog.services() lacks the server's own `consul` service: %r" % services)


def check_node_health(c):
    _, checks = c.health.node(NODE)
    by_id = {check["CheckID"]: check for check in checks}
    expect("serfHealth" in by_id, "health.node(%r) lacks serfHealth: %r" % (NODE, checks))
    expect_equal(by_id["serfHealth"]["Status"], "passing", "serfHealth status")
    expect_equal(by_id["serfHealth"]["Node"], NODE, "serfHealth node")

    _, everything = c.health.state("any")
    expect(any(check["CheckID"] == "serfHealth" for check in everything),
           "health.state('any') lacks serfHealth: %r" % everything)
    _, passing = c.health.state("passing")
    expect(all(check["Status"] == "passing" for check in passing), "health.state('passing') has others: %r" % passing)


def check_maintenance(c):
    ok = c.agent.maintenance(True, "x")
    expect_equal(ok, True, "agent.maintenance(True, 'x') (PUT /v1/agent/maintenance?enable=True&reason=x)")

    def critical(index, wait):
        return c.health.state("critical", index=index, wait=wait)

    def maintenance_checks(checks):
        return [check for check in checks if check["CheckID"] == "_node_maintenance"]

    try:
        checks = wait_for(critical, maintenance_checks, "_node_maintenance in health.state('critical')")
        found = maintenance_checks(checks)
        expect_equal(len(found), 1, "_node_maintenance checks in health.state('critical') %r" % checks)
        expect_equal(found[0]["Notes"], "x", "maintenance reason in Notes")
        expect_equal(found[0]["Node"], NODE, "maintenance check node")
        expect_equal(found[0]["Status"], "critical", "maintenance check status")
    finally:
        expect_equal(c.agent.maintenance(False), True, "agent.maintenance(False)")
    wait_for(critical, lambda checks: not maintenance_checks(checks), "_node_maintenance gone after maintenance(False)")


CHECKS = [
    ("agent service register with a TTL check", check_register),
    ("agent check ttl_pass", check_ttl_pass),
    ("health, catalog and agent read back", check_read_back),
    ("agent service deregister", check_deregister),
    ("catalog nodes and services", check_nodes_and_services),
    ("health node and state", check_node_health),
    ("node maintenance", check_maintenance),
]


def main():
    global NODE
    if len(sys.argv) != 3:
        print("usage: catalog_health_check.py HOST PORT", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    print("python-consul %s from %s, Python %s" % (consul.__version__, consul.__file__, sys.version.split()[0]))
    c = consul.Consul(host=host, port=port)
    NODE = c.agent.self()["Config"]["NodeName"]
    failed = []
    for name, check in CHECKS:
        try:
            check(c)
        except CheckFailed as e:
            print("FAIL: %s: %s" % (name, e))
            failed.append(name)
            continue
        except Exception:
            print("FAIL: %s: unexpected error" % name)
            traceback.print_exc(file=sys.stdout)
            failed.append(name)
            continue
        print("ok: %s" % name)
    if failed:
        print("%d of %d checks failed: %s" % (len(failed), len(CHECKS), ", ".join(failed)))
        return 1
    print("all %d checks passed" % len(CHECKS))
    return 0


NODE = None

if __name__ == "__main__":
    sys.exit(main())
