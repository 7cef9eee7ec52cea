-- org_create.lua: the wrk script of the durable-commit figure of `make bench`
-- (scripts/bench.sh): POST /v1/organizations/, each request a new
-- organization (names unique per run, thread and request; $BENCH_RUN_TAG
-- keeps rounds apart). The platform admin's token comes from wrk's -H.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = 0
local n = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function request()
   n = n + 1
   local name = string.format("bench-%s-%d-%d", os.getenv("BENCH_RUN_TAG") or "x", id or 0, n)
   return wrk.format(nil, nil, nil, string.format(
      '{"data":{"type":"organizations","attributes":{"name":"%s","display-name":"Bench %s",' ..
      '"classification":"carium","provider-type":"coach","timezone":"Europe/Paris"}},"meta":{}}',
      name, name))
end
