/* portico-apps.h: the Apps view's rows in the catalog's words.
 *
 * The store records a discovered app by the name a provider reported, with
 * no category ("other") and no connector. These pure functions match such
 * apps to the catalog by name, give every app its category label, the user
 * count from every source (the identity provider's assignments included)
 * and its spend with the currency. The index is made on the thread that owns
 * the catalog; the rest runs anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-catalog.h"

G_BEGIN_DECLS

/* Casefolded app name and connector id -> {"connector","category"}. */
GHashTable *portico_apps_index_new (PorticoCatalog *catalog);

/* Adds to every app of portico_store_list_apps() (@apps, an array):
 * "connector" when the catalog knows the app by name, "category" from the
 * catalog when the store has none, "category_label", "users" (the largest
 * count any source reports) and "spend_text" ("USD 1,250.00", or NULL). */
void portico_apps_describe (JsonNode   *apps,
                            GHashTable *index);

G_END_DECLS
