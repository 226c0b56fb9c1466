-- GET of the URL given to wrk, path and query as they are (bench/checks.sh: /v1/health/service/…).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "GET"
