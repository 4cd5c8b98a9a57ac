/* portico-audit.h: the audit trail in words a person reads.
 *
 * The store keeps machine fields (kind, details as JSON); these pure
 * functions turn one event of portico_store_list_audit_events() into a
 * translated event name and one plain sentence ("Synced 193 users and 1,351
 * custom details from Okta Corp HQ"). The Activity view and `portico-cli
 * audit` both use them, so they say the same thing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The event kinds, in the order an account lives through them. */
const char * const *portico_audit_kinds (void);

/* "Connected", "Sync failed", ...: translated; the kind itself when unknown. */
const char *portico_audit_kind_label (const char *kind);

/* One sentence for @event ({"kind","account_name","app","details",...}). */
char *portico_audit_event_summary (JsonObject *event);

/* The event's details as "label: value" lines for an expander, in plain
 * words (data types by name, booleans as words); NULL when there are none. */
char *portico_audit_event_describe_details (JsonObject *event);

/* "5 minutes ago", "Yesterday at 14:05", "3 March 2026 at 09:12": local
 * time, relative when recent. @now in Unix seconds. */
char *portico_audit_format_time (const char *store_time,
                                 gint64      now);

/* Adds "summary" to every event of @events (an array of events). */
void portico_audit_add_summaries (JsonNode *events);

G_END_DECLS
