-- GET /products?page={random} with a session cookie: 50 rows of HTML.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local c = require("common")
local hdr = { ["Cookie"] = c.cookie }
local first = math.floor((c.min_id - 1) / 50) + 1
local last = math.floor((c.min_id + c.products - 2) / 50) + 1
request = function()
	return wrk.format("GET", "/products?page=" .. math.random(first, last),
	    hdr)
end
