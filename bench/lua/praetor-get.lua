-- GET /v1/kv/bench/key-N on Praetor (Consul's KV API); the keys are preloaded by run.sh.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function()
  return wrk.format("GET", "/v1/kv/bench/key-" .. bench.next_index())
end
