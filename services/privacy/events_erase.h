/* events_erase.h: the "events" step of the deletion saga: erasing, from
 * the JetStream stream EVENTS, every message whose data holds one of a
 * person's needles (id, email, username), with JetStream's secure erase
 * (the message's bytes are overwritten). It reads the stream from its
 * first to its last sequence one message at a time: O(stream) per
 * deletion, fine for the sizes tested (README "privacy"). */
#ifndef PRIVACY_EVENTS_ERASE_H
#define PRIVACY_EVENTS_ERASE_H

#include <nats/nats.h>
#include <stddef.h>

#include "cm_err.h"

/* Erases the messages of stream holding any of needles (n); the count
 * erased to *out_erased. CM_EUNAVAIL when JetStream does not answer. */
cm_err events_erase(natsConnection *nc, const char *stream, char needles[][256], size_t n,
                    long *out_erased);

#endif
