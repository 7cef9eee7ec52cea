-- authz_access.lua: the wrk script of the authz figures of `make bench`
-- (scripts/bench.sh): POST /v1/authz-resource-access/ with one access query,
-- each request a sample picked at random from the file named by
-- $AUTHZ_SAMPLES_FILE (lines "user-id<TAB>access-query", written by
-- scripts/authz_dataset.sql). The caller's credential comes from wrk's -H.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local bodies = {}
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   local path = os.getenv("AUTHZ_SAMPLES_FILE")
   local f = assert(io.open(path or "", "r"), "AUTHZ_SAMPLES_FILE must name the samples file")
   for line in f:lines() do
      local user, query = line:match("^([^\t]+)\t([^\t\r]+)")
      if user then
         bodies[#bodies + 1] = string.format('{"user-id":"%s","access-query":["%s"]}', user, query)
      end
   end
   f:close()
   assert(#bodies > 0, "no samples in " .. path)
   math.randomseed(os.time() * 100 + (id or 0))
end

function request()
   return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end
