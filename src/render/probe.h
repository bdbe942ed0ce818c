/*
 * probe.h - how a probe result is written: one JSON object, or the short
 * phrase the tables show ("OpenSSH 9.2p1", "silent").
 */
#ifndef PS_RENDER_PROBE_H
#define PS_RENDER_PROBE_H

#include <stddef.h>

#include "probe/engine.h"
#include "render/jsonw.h"

/* r as a JSON object, and only its members (for a caller that adds its
 * own, as --probe adds the verdict). */
void probe_result_json(struct jw *w, const char *key,
    const struct probe_result *r);
void probe_result_fields(struct jw *w, const struct probe_result *r);
/* r as one phrase into buf (unescaped: the caller's writer escapes). */
void probe_result_summary(const struct probe_result *r, char *buf,
    size_t sz);

#endif
