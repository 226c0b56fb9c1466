// The agents these tests start are whole processes on real loopback ports; running the test
// classes one at a time keeps a 2-core machine responsive and leaves no room for two agents to
// race for a fixed default port (DNS 8600, Serf 8301/8302, server 8300) once those listeners exist.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
