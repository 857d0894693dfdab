-- Shared by the bench scripts: settings from the environment bench.py sets,
-- and a per-thread random seed.
local M = {}
M.token = os.getenv("BENCH_TOKEN")
M.cookie = os.getenv("BENCH_COOKIE")
M.csrf = os.getenv("BENCH_CSRF")
M.products = tonumber(os.getenv("BENCH_PRODUCTS"))
M.min_id = tonumber(os.getenv("BENCH_MIN_ID"))
M.warehouse = os.getenv("BENCH_WAREHOUSE")
math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) +
    tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
M.nonce = string.format("%08x%08x", math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff))
return M
