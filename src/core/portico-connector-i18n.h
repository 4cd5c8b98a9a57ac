/* portico-connector-i18n.h: the shipped connectors' texts in the user's
 * language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A sealed deep copy of the definition @root with its user-visible texts
 * (help, field labels and help, choice labels, permission labels and help,
 * data type labels and requirements, action labels and help) looked up in
 * the app's gettext domain. po/extract-connector-strings.py extracts the
 * same members into the template. Without a translation for the user's
 * language, @root itself (with a new reference) when it is sealed.
 * transfer full. */
JsonNode *portico_connector_translate_definition (JsonNode *root);

/* Whether the member @name of an object at @path is translated; @path as
 * the extractor writes it: "" for the top, "fields[]", "data_types.*", … */
gboolean portico_connector_member_is_translatable (const char *path,
                                                   const char *name);

/* Binds the app's gettext domain to the installed translations, or to the
 * build tree's when the program runs from there. Call after setlocale(). */
void portico_i18n_init (void);

G_END_DECLS
