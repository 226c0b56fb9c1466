-- GET /v1/kv/bench/key-N on Praetor (Consul's KV API); the keys are preloaded by run.sh.
-- BENCH_QUERY (unset: none) is appended to the path: "?consistent" or "?stale" pick the read's
-- consistency mode (bench/raft.sh), the default mode otherwise.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local query = os.getenv("BENCH_QUERY") or ""
request = function()
  return wrk.format("GET", "/v1/kv/bench/key-" .. bench.next_index() .. query)
end
