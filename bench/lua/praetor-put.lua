-- PUT /v1/kv/bench/key-N with BENCH_VALUE_SIZE bytes on Praetor (Consul's KV API).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
request = function()
  return wrk.format("PUT", "/v1/kv/bench/key-" .. bench.next_index(), nil, bench.value)
end
