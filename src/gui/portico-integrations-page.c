/* portico-integrations-page.c: the Integrations page and its three tabs.
 *
 * "All integrations" shows one PorticoCatalogSection per group of the
 * catalog. Each section reads the catalog through its own filter model (its
 * category, and the search shared by every section), so typing into the
 * search entry refilters every section at once and empty ones hide.
 *
 * With an engine, "Your integrations" shows one PorticoAccountTile per
 * connected account, and the Needs attention and Recommended to connect
 * tabs list what the store says. All three come from one read in a thread,
 * redone whenever the engine reports a change or the end of a sync.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-integrations-page"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-account-details-dialog.h"
#include "portico-account-tile.h"
#include "portico-capabilities-dialog.h"
#include "portico-catalog-section.h"
#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-connector-dialog.h"
#include "portico-integrations-page.h"
#include "portico-reload.h"
#include "portico-scheduler.h"
#include "portico-integrations-page-private.h"

G_DEFINE_FINAL_TYPE (PorticoIntegrationsPage, portico_integrations_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint portico_integrations_page_signals[N_SIGNALS];

/* Words people search for that a category's name does not contain. */
static const char *
category_keywords (const char *category)
{
  static const struct { const char *id; const char *words; } keywords[] = {
    /* Translators: search keywords, separated by spaces. */
    { "identity_provider", N_("identity sso single sign-on idp directory scim login") },
    { "human_resources", N_("hr hris people employees payroll onboarding offboarding") },
    { "expenses", N_("expense spend cards reimbursement travel receipts finance") },
    { "communication", N_("chat messaging meetings video calls") },
    { "engineering", N_("code developer devops incidents") },
    { "security", N_("passwords vault secrets") },
    { "finance", N_("accounting invoices billing") },
  };

  for (guint i = 0; category != NULL && i < G_N_ELEMENTS (keywords); i++)
    if (g_str_equal (keywords[i].id, category))
      return _(keywords[i].words);

  return "";
}

/* Everything a search may match, casefolded once per connector: its name
 * and id, its category (id, label and keywords), what it can do (data
 * types, actions, custom fields, several accounts) and the "keywords" of
 * its definition. */
static const char *
portico_connector_search_text (PorticoConnector *connector)
{
  static GQuark quark;
  const char *cached;
  g_autoptr(GString) text = NULL;
  g_auto(GStrv) types = NULL;
  g_auto(GStrv) actions = NULL;
  g_auto(GStrv) fields = NULL;
  JsonObject *definition;
  char *folded;

  if (quark == 0)
    quark = g_quark_from_static_string ("portico-search-text");
  cached = g_object_get_qdata (G_OBJECT (connector), quark);
  if (cached != NULL)
    return cached;

  text = g_string_new (portico_connector_get_name (connector));
  g_string_append_printf (text, "\n%s\n%s\n%s\n%s", portico_connector_get_id (connector),
                          portico_connector_get_category (connector),
                          portico_category_label (portico_connector_get_category (connector)),
                          category_keywords (portico_connector_get_category (connector)));
  types = portico_connector_get_data_types (connector);
  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    g_string_append_printf (text, "\n%s", portico_data_type_label (types[i]));
  actions = portico_connector_get_action_labels (connector);
  for (guint i = 0; actions != NULL && actions[i] != NULL; i++)
    g_string_append_printf (text, "\n%s", actions[i]);
  fields = portico_connector_get_custom_field_labels (connector);
  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    g_string_append_printf (text, "\n%s", fields[i]);
  if (portico_connector_get_multi_account (connector))
    g_string_append_printf (text, "\n%s", _("multiple accounts"));
  definition = portico_connector_get_definition (connector);
  if (definition != NULL && json_object_has_member (definition, "keywords") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (definition, "keywords")))
    {
      JsonArray *words = json_object_get_array_member (definition, "keywords");

      for (guint i = 0; i < json_array_get_length (words); i++)
        {
          JsonNode *word = json_array_get_element (words, i);

          if (JSON_NODE_HOLDS_VALUE (word) && json_node_get_value_type (word) == G_TYPE_STRING)
            g_string_append_printf (text, "\n%s", json_node_get_string (word));
        }
    }

  folded = g_utf8_casefold (text->str, -1);
  g_object_set_qdata_full (G_OBJECT (connector), quark, folded, g_free);
  return folded;
}

gboolean
portico_connector_matches_search (PorticoConnector *connector,
                                  const char       *folded_text)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);

  if (folded_text == NULL || folded_text[0] == '\0')
    return TRUE;

  return strstr (portico_connector_search_text (connector), folded_text) != NULL;
}

static gboolean
search_filter_func (gpointer item,
                    gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;

  return portico_connector_matches_search (item, self->search_text);
}

static gboolean
custom_filter_func (gpointer item,
                    gpointer user_data)
{
  return portico_connector_is_custom (item);
}

static gboolean
category_filter_func (gpointer item,
                      gpointer user_data)
{
  const char *category = user_data;

  return !portico_connector_is_custom (item)
      && g_strcmp0 (portico_connector_get_category (item), category) == 0;
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_utf8_collate (portico_connector_get_name ((PorticoConnector *)a),
                         portico_connector_get_name ((PorticoConnector *)b));
}

static int
compare_categories (gconstpointer a,
                    gconstpointer b)
{
  const char *ca = *(const char * const *)a;
  const char *cb = *(const char * const *)b;
  int result = portico_category_rank (ca) - portico_category_rank (cb);

  if (result == 0)
    result = g_utf8_collate (portico_category_label (ca), portico_category_label (cb));

  return result;
}

/* The catalog filtered by @filter (and by the search) and sorted by name. */
static GListModel *
portico_integrations_page_create_model (PorticoIntegrationsPage *self,
                                        GtkFilter               *filter)
{
  GtkFilter *every = GTK_FILTER (gtk_every_filter_new ());
  GtkFilterListModel *filtered;
  GtkSorter *sorter;

  gtk_multi_filter_append (GTK_MULTI_FILTER (every), filter);
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (self->search_filter));

  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->catalog)), every);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_by_name, NULL, NULL));

  return G_LIST_MODEL (gtk_sort_list_model_new (G_LIST_MODEL (filtered), sorter));
}

void
portico_integrations_page_update_no_results (PorticoIntegrationsPage *self)
{
  guint n_tiles = 0;

  if (self->search_text == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->no_results), FALSE);
      return;
    }

  n_tiles += portico_catalog_section_get_n_tiles (self->connected_section);
  if (self->accounts_filtered != NULL)
    n_tiles += g_list_model_get_n_items (G_LIST_MODEL (self->accounts_filtered));
  n_tiles += portico_catalog_section_get_n_tiles (self->custom_section);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_tiles += portico_catalog_section_get_n_tiles (PORTICO_CATALOG_SECTION (child));

  gtk_widget_set_visible (GTK_WIDGET (self->no_results), n_tiles == 0);
}

/* Up to this many connectors every tile is made (after the first frame),
 * so that a screen reader lists the whole catalog as it always did; a
 * larger catalog has tiles only near the visible part of the page. */
#define KEEP_ALL_TILES 200

static void
portico_integrations_page_update_keep_all (PorticoIntegrationsPage *self)
{
  g_autoptr(GPtrArray) sections = portico_integrations_page_list_sections (self);
  gboolean keep_all = self->catalog == NULL ||
                      g_list_model_get_n_items (G_LIST_MODEL (self->catalog)) <= KEEP_ALL_TILES;

  for (guint i = 0; i < sections->len; i++)
    portico_catalog_section_set_keep_all_tiles (g_ptr_array_index (sections, i), keep_all);
}

static void
portico_integrations_page_rebuild_categories (PorticoIntegrationsPage *self)
{
  g_autoptr(GPtrArray) categories = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *child;
  guint n_items = 0;
  gboolean same;

  if (self->catalog != NULL)
    n_items = g_list_model_get_n_items (G_LIST_MODEL (self->catalog));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (self->catalog), i);
      const char *category = portico_connector_get_category (connector);

      if (portico_connector_is_custom (connector) || category == NULL)
        continue;

      if (g_hash_table_add (seen, (gpointer)category))
        g_ptr_array_add (categories, g_strdup (category));
    }

  g_ptr_array_sort (categories, compare_categories);

  same = self->categories != NULL && categories->len == self->categories->len;
  for (guint i = 0; same && i < categories->len; i++)
    same = g_str_equal (g_ptr_array_index (categories, i), g_ptr_array_index (self->categories, i));
  if (same)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_box))))
    gtk_box_remove (self->catalog_box, child);

  for (guint i = 0; i < categories->len; i++)
    {
      const char *category = g_ptr_array_index (categories, i);
      g_autoptr(GListModel) model = NULL;
      GtkFilter *filter;

      filter = GTK_FILTER (gtk_custom_filter_new (category_filter_func, g_strdup (category), g_free));
      model = portico_integrations_page_create_model (self, filter);
      gtk_box_append (self->catalog_box,
                      portico_catalog_section_new (portico_category_label (category), model));
    }

  g_clear_pointer (&self->categories, g_ptr_array_unref);
  self->categories = g_steal_pointer (&categories);
}

static void
on_catalog_items_changed (PorticoIntegrationsPage *self,
                          guint                    position,
                          guint                    removed,
                          guint                    added,
                          GListModel              *model)
{
  portico_integrations_page_rebuild_categories (self);
  portico_integrations_page_update_keep_all (self);
  portico_integrations_page_update_no_results (self);
}

static void
on_search_changed (PorticoIntegrationsPage *self,
                   GtkSearchEntry          *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  /* The entry may still report a change while the template is torn down. */
  if (self->connected_section == NULL || self->search_filter == NULL)
    return;

  g_clear_pointer (&self->search_text, g_free);
  if (stripped[0] != '\0')
    self->search_text = g_utf8_casefold (stripped, -1);

  /* While searching, the sentences of empty sections are noise. */
  portico_catalog_section_set_placeholder (self->connected_section,
                                           self->search_text ? NULL
                                           : _("No integrations connected yet. Pick one from the catalog below."));
  portico_catalog_section_set_placeholder (self->custom_section,
                                           self->search_text ? NULL
                                           : _("No custom integrations yet. Define one to connect an app that Portico does not ship."));

  gtk_filter_changed (self->search_filter, GTK_FILTER_CHANGE_DIFFERENT);
  if (self->account_filter != NULL)
    {
      gtk_filter_changed (self->account_filter, GTK_FILTER_CHANGE_DIFFERENT);
      portico_integrations_page_update_accounts_visibility (self);
    }
  portico_integrations_page_update_no_results (self);
}

static void
on_stop_search (PorticoIntegrationsPage *self,
                GtkSearchEntry          *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

PorticoCatalog *
portico_integrations_page_get_catalog (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->catalog;
}

void
portico_integrations_page_set_catalog (PorticoIntegrationsPage *self,
                                       PorticoCatalog          *catalog)
{
  g_autoptr(GListModel) custom_model = NULL;

  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));
  g_return_if_fail (!catalog || PORTICO_IS_CATALOG (catalog));

  if (self->catalog == catalog)
    return;

  if (self->catalog != NULL)
    g_signal_handlers_disconnect_by_func (self->catalog, on_catalog_items_changed, self);

  g_set_object (&self->catalog, catalog);

  if (self->catalog != NULL)
    {
      g_signal_connect_object (self->catalog, "items-changed",
                               G_CALLBACK (on_catalog_items_changed), self,
                               G_CONNECT_SWAPPED);
      custom_model = portico_integrations_page_create_model (self,
                                                             GTK_FILTER (gtk_custom_filter_new (custom_filter_func, NULL, NULL)));
    }

  portico_catalog_section_set_model (self->custom_section, custom_model);
  portico_integrations_page_rebuild_categories (self);
  portico_integrations_page_update_keep_all (self);
  portico_integrations_page_update_no_results (self);
  portico_integrations_page_report_catalog_problems (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOG]);
}

AdwViewStack *
portico_integrations_page_get_stack (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->stack;
}

GtkEditable *
portico_integrations_page_get_search_entry (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

GPtrArray *
portico_integrations_page_list_sections (PorticoIntegrationsPage *self)
{
  GPtrArray *sections;

  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  sections = g_ptr_array_new ();
  g_ptr_array_add (sections, self->connected_section);
  g_ptr_array_add (sections, self->custom_section);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_ptr_array_add (sections, child);

  return sections;
}

void
portico_integrations_page_focus_search (PorticoIntegrationsPage *self)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  adw_view_stack_set_visible_child_name (self->stack, "all");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
portico_integrations_page_show_capabilities (PorticoIntegrationsPage *self)
{
  GtkWidget *dialog;
  GtkRoot *root;

  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  if (self->catalog == NULL)
    return;

  dialog = portico_capabilities_dialog_new (G_LIST_MODEL (self->catalog));
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_connector_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (widget);
  const char *connector_id = g_variant_get_string (param, NULL);
  PorticoConnector *connector;
  GtkWidget *dialog;
  GtkRoot *root;

  if (self->catalog == NULL)
    return;

  connector = portico_catalog_lookup (self->catalog, connector_id);
  if (connector == NULL)
    {
      g_warning ("No connector with id “%s” in the catalog", connector_id);
      return;
    }

  dialog = portico_connector_dialog_new (connector);
  if (!portico_connector_get_multi_account (connector))
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
      {
        g_autoptr(PorticoPageItem) item = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

        if (g_strcmp0 (portico_json_get_string (item->object, "connector"), connector_id) == 0)
          portico_connector_dialog_set_existing_account (PORTICO_CONNECTOR_DIALOG (dialog),
                                                         portico_json_get_int (item->object, "id", 0),
                                                         portico_json_get_string (item->object, "name"));
      }
  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_capabilities_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  portico_integrations_page_show_capabilities (PORTICO_INTEGRATIONS_PAGE (widget));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  portico_integrations_page_focus_search (PORTICO_INTEGRATIONS_PAGE (widget));
}

static void
portico_integrations_page_dispose (GObject *object)
{
  PorticoIntegrationsPage *self = (PorticoIntegrationsPage *)object;

  if (self->catalog != NULL)
    g_signal_handlers_disconnect_by_func (self->catalog, on_catalog_items_changed, self);
  g_cancellable_cancel (self->cancellable);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_weak_pointer (&self->dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_INTEGRATIONS_PAGE);
  g_clear_object (&self->engine);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->accounts_filtered);
  g_clear_object (&self->account_filter);
  g_clear_object (&self->accounts);
  g_clear_object (&self->attention);
  g_clear_object (&self->recommended);
  g_clear_object (&self->catalog);
  g_clear_object (&self->search_filter);
  g_clear_pointer (&self->categories, g_ptr_array_unref);

  G_OBJECT_CLASS (portico_integrations_page_parent_class)->dispose (object);
}

static void
portico_integrations_page_finalize (GObject *object)
{
  PorticoIntegrationsPage *self = (PorticoIntegrationsPage *)object;

  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->progress, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (portico_integrations_page_parent_class)->finalize (object);
}

static void
portico_integrations_page_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_integrations_page_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      portico_integrations_page_set_catalog (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_integrations_page_class_init (PorticoIntegrationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_integrations_page_dispose;
  object_class->finalize = portico_integrations_page_finalize;
  object_class->get_property = portico_integrations_page_get_property;
  object_class->set_property = portico_integrations_page_set_property;

  /* The tiles and lists show what the last reload read. */
  portico_integrations_page_signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL,
                         PORTICO_TYPE_CATALOG,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-integrations-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, accounts_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, accounts_section);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, attention_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, attention_page);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, attention_stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, catalog_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, connected_section);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, custom_section);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, no_results);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, recommended_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, recommended_stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_action (widget_class, "integrations.open-connector", "s", open_connector_action);
  gtk_widget_class_install_action (widget_class, "integrations.show-capabilities", NULL, show_capabilities_action);
  gtk_widget_class_install_action (widget_class, "integrations.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "integrations.restore-account", "x",
                                   portico_integrations_page_restore_account_action);
  gtk_widget_class_install_action (widget_class, "integrations.show-catalog-problems", NULL,
                                   portico_integrations_page_show_catalog_problems_action);

  g_type_ensure (PORTICO_TYPE_ACCOUNT_TILE);
  g_type_ensure (PORTICO_TYPE_CATALOG_SECTION);
}

static void
portico_integrations_page_init (PorticoIntegrationsPage *self)
{
  self->search_filter = GTK_FILTER (gtk_custom_filter_new (search_filter_func, self, NULL));
  self->cancellable = g_cancellable_new ();
  self->interval_hours = 24;
  self->progress = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->accounts = g_list_store_new (PORTICO_TYPE_PAGE_ITEM);
  self->attention = g_list_store_new (PORTICO_TYPE_PAGE_ITEM);
  self->recommended = g_list_store_new (PORTICO_TYPE_PAGE_ITEM);
  self->account_filter = GTK_FILTER (gtk_custom_filter_new (portico_integrations_page_account_filter_func, self, NULL));
  self->accounts_filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->accounts)),
                                                       g_object_ref (self->account_filter));

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_flow_box_bind_model (self->accounts_box, G_LIST_MODEL (self->accounts_filtered),
                           portico_integrations_page_create_tile, self, NULL);
  gtk_list_box_bind_model (self->attention_list, G_LIST_MODEL (self->attention),
                           portico_integrations_page_create_attention_row, self, NULL);
  gtk_list_box_bind_model (self->recommended_list, G_LIST_MODEL (self->recommended),
                           portico_integrations_page_create_recommended_row, self, NULL);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  on_search_changed (self, self->search_entry);
}
