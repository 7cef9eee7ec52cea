-- clinical_thread_create.lua: the wrk script of the clinical figures of
-- `make bench` (scripts/bench_clinical.sh): POST /api/2014-08-01/thread/create
-- as an API client (Basic credentials from wrk's -H), each request a new
-- thread from the client to $BENCH_RECIPIENT (an email of its OU).

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
   '{"subject":"bench","message":"bench message","recipients":["%s"]}',
   os.getenv("BENCH_RECIPIENT") or "nobody@example.com")
