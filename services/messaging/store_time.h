/* store_time.h: how messaging's store files render a timestamptz: RFC 3339
 * UTC with microseconds ("2026-01-02T03:04:05.000006Z"). */
#ifndef MESSAGING_STORE_TIME_H
#define MESSAGING_STORE_TIME_H

/* SQL rendering the timestamptz expression expr. */
#define MSG_TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif
