/* portico-json.h: reading members of the store's JSON documents.
 *
 * The store answers reads as JSON (the CLI prints them as they are); these
 * helpers read one member with a fallback for a missing, null or mistyped
 * one, so that callers never trip json-glib's criticals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The string, or NULL when @object is NULL or the member is missing, null
 * or not a string. */
const char *portico_json_get_string (JsonObject *object,
                                     const char *name);
/* Integers, doubles and booleans convert; anything else gives @fallback. */
gint64 portico_json_get_int (JsonObject *object,
                             const char *name,
                             gint64      fallback);
double portico_json_get_double (JsonObject *object,
                                const char *name,
                                double      fallback);
gboolean portico_json_get_bool (JsonObject *object,
                                const char *name,
                                gboolean    fallback);

/* Checks that @data (@len bytes, not necessarily NUL-terminated) nests
 * arrays and objects at most @max_depth deep, in one pass that builds
 * nothing and keeps no stack, so that json-glib (whose parser recurses once
 * per level and overflows its stack on deep input) only ever sees bounded
 * input. Brackets inside strings do not count; string escapes are honoured.
 * Nothing else of the syntax is checked: the parser does that. Fails with
 * PORTICO_CONNECTOR_ERROR_BAD_RESPONSE when the depth is exceeded. */
gboolean portico_json_prescan (const char *data,
                               gsize       len,
                               guint       max_depth,
                               GError    **error);

G_END_DECLS
