-- clinical_message_post.lua: the wrk script of the clinical figures of
-- `make bench` (scripts/bench_clinical.sh): POST /api/2014-08-01/message as
-- an API client (Basic credentials from wrk's -H), each request a new
-- message in thread $BENCH_THREAD.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"thread_id":"%s","message":"bench message"}',
   os.getenv("BENCH_THREAD") or "")
