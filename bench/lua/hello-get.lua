-- Ceiling: GET / on bench/HelloKestrel.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = "/"
