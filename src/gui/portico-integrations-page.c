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

struct _PorticoIntegrationsPage
{
  GtkWidget              parent_instance;

  PorticoCatalog        *catalog;
  GtkFilter             *search_filter;
  char                  *search_text;   /* casefolded, NULL when not searching */
  GPtrArray             *categories;    /* one string per catalog section */

  PorticoEngine         *engine;
  PorticoSandbox        *sandbox;
  GCancellable          *cancellable;
  GListStore            *accounts;      /* PorticoPageItem */
  GtkFilter             *account_filter;
  GtkFilterListModel    *accounts_filtered;
  GListStore            *attention;     /* PorticoPageItem with a problem */
  GListStore            *recommended;   /* PorticoPageItem of an app */
  GHashTable            *progress;      /* account id -> items while syncing */
  GtkWindow             *dialog;        /* weak */
  guint                  interval_hours;
  PorticoReload          reload;

  AdwViewStack          *stack;
  GtkSearchEntry        *search_entry;
  PorticoCatalogSection *connected_section;
  PorticoCatalogSection *custom_section;
  GtkBox                *catalog_box;
  AdwStatusPage         *no_results;
  AdwToastOverlay       *toast_overlay;
  GtkWidget             *accounts_section;
  GtkFlowBox            *accounts_box;
  AdwViewStackPage      *attention_page;
  GtkStack              *attention_stack;
  GtkListBox            *attention_list;
  GtkStack              *recommended_stack;
  GtkListBox            *recommended_list;
};

G_DEFINE_FINAL_TYPE (PorticoIntegrationsPage, portico_integrations_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static void
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

static void portico_integrations_page_update_accounts_visibility (PorticoIntegrationsPage *self);

static void
on_catalog_items_changed (PorticoIntegrationsPage *self,
                          guint                    position,
                          guint                    removed,
                          guint                    added,
                          GListModel              *model)
{
  portico_integrations_page_rebuild_categories (self);
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

/* ---- Connected accounts, Needs attention, Recommended to connect ------ */

/* One row of the page's models: an account (with its first problem, for
 * Needs attention) or a discovered app (for Recommended). */
#define PORTICO_TYPE_PAGE_ITEM (portico_page_item_get_type ())
G_DECLARE_FINAL_TYPE (PorticoPageItem, portico_page_item, PORTICO, PAGE_ITEM, GObject)

struct _PorticoPageItem
{
  GObject                parent_instance;

  JsonObject            *object;
  PorticoConnector      *connector;
  PorticoAccountProblem *problem;
  char                  *code;     /* Needs attention: the SPEC 9 problem */
};

G_DEFINE_FINAL_TYPE (PorticoPageItem, portico_page_item, G_TYPE_OBJECT)

static void
portico_page_item_finalize (GObject *object)
{
  PorticoPageItem *self = (PorticoPageItem *)object;

  g_clear_pointer (&self->object, json_object_unref);
  g_clear_object (&self->connector);
  g_clear_pointer (&self->problem, portico_account_problem_free);
  g_clear_pointer (&self->code, g_free);

  G_OBJECT_CLASS (portico_page_item_parent_class)->finalize (object);
}

static void
portico_page_item_class_init (PorticoPageItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_page_item_finalize;
}

static void
portico_page_item_init (PorticoPageItem *self)
{
}

static PorticoPageItem *
portico_page_item_new (JsonObject       *object,
                       PorticoConnector *connector)
{
  PorticoPageItem *self = g_object_new (PORTICO_TYPE_PAGE_ITEM, NULL);

  self->object = json_object_ref (object);
  g_set_object (&self->connector, connector);

  return self;
}




char *
portico_disconnect_summary_describe (const PorticoDisconnectSummary *summary,
                                     gboolean                        identity_provider)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (summary != NULL, NULL);

  g_string_append (text, _("This deletes what the account brought in, in one step:"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " app user",
                                             "• %" PRId64 " app users", summary->app_users),
                          summary->app_users);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " license",
                                             "• %" PRId64 " licenses", summary->licenses),
                          summary->licenses);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " custom user detail",
                                             "• %" PRId64 " custom user details", summary->custom_fields),
                          summary->custom_fields);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " transaction",
                                             "• %" PRId64 " transactions", summary->transactions),
                          summary->transactions);
  g_string_append_c (text, '\n');

  if (summary->workflows_invalidated != NULL && summary->workflows_invalidated[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", summary->workflows_invalidated);

      g_string_append_printf (text, _("• Workflows that become invalid: %s"), names);
    }
  else
    g_string_append (text, _("• No workflow becomes invalid"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " workflow action will start failing",
                                             "• %" PRId64 " workflow actions will start failing",
                                             summary->workflow_actions_failing),
                          summary->workflow_actions_failing);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " offboarding configuration is removed",
                                             "• %" PRId64 " offboarding configurations are removed",
                                             summary->offboarding_configs),
                          summary->offboarding_configs);
  if (identity_provider || summary->other_apps_affected > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (NULL, "• %" PRId64 " other app loses users or license data",
                                                 "• %" PRId64 " other apps lose users or license data",
                                                 summary->other_apps_affected),
                              summary->other_apps_affected);
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("What other sources say about the same people is kept."));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
portico_integrations_page_remember_dialog (PorticoIntegrationsPage *self,
                                           GtkWindow               *dialog)
{
  g_set_weak_pointer (&self->dialog, dialog);
}

static GtkWindow *
portico_integrations_page_get_parent (PorticoIntegrationsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
portico_integrations_page_add_toast (PorticoIntegrationsPage *self,
                                     const char              *text)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Broken connector files (a custom integration with a typo, say) do not stop
 * the catalog; the admin is told which file and field, and how to fix it. */
static void
portico_integrations_page_report_catalog_problems (PorticoIntegrationsPage *self)
{
  GPtrArray *problems = self->catalog != NULL ? portico_catalog_get_problems (self->catalog) : NULL;
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;

  if (problems == NULL || problems->len == 0)
    return;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%u connector definition could not be loaded",
                                        "%u connector definitions could not be loaded",
                                        problems->len),
                           problems->len);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "integrations.show-catalog-problems");
  adw_toast_overlay_add_toast (self->toast_overlay, g_steal_pointer (&toast));
}

static void
show_catalog_problems_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (widget);
  GPtrArray *problems = self->catalog != NULL ? portico_catalog_get_problems (self->catalog) : NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (body, "%s%s", i > 0 ? "\n\n" : "", problem->message);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, _("The other integrations work as usual. Fix the file, then restart Portico."));

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Some Connector Definitions Are Broken"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What one reload gathers: the accounts from the store's read API, then
 * Needs attention and Recommended to connect as the engine judges them. */
typedef struct
{
  PorticoIntegrationsPage *page;
  PorticoStore   *store;
  JsonNode       *accounts;
  GPtrArray      *attention;     /* PorticoPageItem with a problem */
  GPtrArray      *recommended;   /* PorticoPageItem of a recommendation */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->page);
  g_clear_object (&data->store);
  g_clear_pointer (&data->accounts, json_node_unref);
  g_clear_pointer (&data->attention, g_ptr_array_unref);
  g_clear_pointer (&data->recommended, g_ptr_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;

  data->accounts = portico_store_list_accounts (data->store, &error);
  if (data->accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static PorticoConnector *
portico_integrations_page_lookup_connector (PorticoIntegrationsPage *self,
                                            const char              *connector_id)
{
  PorticoCatalog *catalog = self->catalog ? self->catalog : portico_engine_get_catalog (self->engine);

  return connector_id != NULL && catalog != NULL ? portico_catalog_lookup (catalog, connector_id) : NULL;
}

static void portico_integrations_page_fill_lists (PorticoIntegrationsPage *self,
                                                  LoadData                *data);

static gboolean
load_failed (LoadData *data,
             GError   *error)
{
  PorticoIntegrationsPage *self = data->page;

  if (error == NULL)
    return FALSE;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      portico_reload_end (&self->reload);
      g_warning ("Cannot list the connected accounts: %s", error->message);
      portico_integrations_page_add_toast (self, error->message);
    }
  g_error_free (error);
  load_data_free (data);
  return TRUE;
}

static void
recommended_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LoadData *data = user_data;
  /* Held past load_data_free(), which drops the chain's reference. */
  g_autoptr(PorticoIntegrationsPage) self = g_object_ref (data->page);
  g_autoptr(JsonNode) rows = NULL;
  GError *error = NULL;
  JsonArray *array;
  gboolean again;

  rows = portico_engine_list_recommended_finish (PORTICO_ENGINE (source), result, &error);
  if (load_failed (data, error))
    return;

  data->recommended = g_ptr_array_new_with_free_func (g_object_unref);
  array = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      PorticoConnector *connector = portico_integrations_page_lookup_connector (self, portico_json_get_string (row, "connector"));

      if (connector != NULL)
        g_ptr_array_add (data->recommended, portico_page_item_new (row, connector));
    }

  again = portico_reload_end (&self->reload);
  portico_integrations_page_fill_lists (self, data);
  load_data_free (data);
  g_signal_emit (self, signals[LOADED], 0);

  if (again)
    portico_integrations_page_reload (self);
}

static JsonObject *
find_account (JsonNode *accounts,
              gint64    id)
{
  JsonArray *array = json_node_get_array (accounts);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (portico_json_get_int (account, "id", 0) == id)
        return account;
    }
  return NULL;
}

/* One row per account: its first problem, the others after its detail. */
static void
attention_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoadData *data = user_data;
  PorticoIntegrationsPage *self = data->page;
  g_autoptr(JsonNode) rows = NULL;
  GError *error = NULL;
  PorticoPageItem *item = NULL;
  JsonArray *array;

  rows = portico_engine_list_attention_finish (PORTICO_ENGINE (source), result, &error);
  if (load_failed (data, error))
    return;

  data->attention = g_ptr_array_new_with_free_func (g_object_unref);
  array = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      gint64 id = portico_json_get_int (row, "account", 0);
      const char *message = portico_json_get_string (row, "message") ?: "";
      const char *fix = portico_json_get_string (row, "fix");
      JsonObject *account;

      if (item != NULL && portico_json_get_int (item->object, "id", 0) == id)
        {
          char *detail = g_strdup_printf ("%s\n%s: %s", item->problem->detail,
                                          portico_json_get_string (row, "title"), message);

          g_free (item->problem->detail);
          item->problem->detail = detail;
          continue;
        }

      account = find_account (data->accounts, id);
      if (account == NULL)
        continue;
      item = portico_page_item_new (account, portico_integrations_page_lookup_connector (self, portico_json_get_string (account, "connector")));
      item->problem = g_new0 (PorticoAccountProblem, 1);
      item->problem->fix = g_strcmp0 (portico_json_get_string (row, "fix_action"), "reconnect") == 0
                           ? PORTICO_FIX_RECONNECT : PORTICO_FIX_SYNC_NOW;
      item->problem->title = g_strdup (portico_json_get_string (row, "title"));
      item->problem->detail = fix != NULL && strstr (message, fix) == NULL
                              ? g_strdup_printf ("%s\n%s", message, fix) : g_strdup (message);
      item->problem->fix_text = g_strdup (fix);
      item->code = g_strdup (portico_json_get_string (row, "problem"));
      g_ptr_array_add (data->attention, item);
    }

  portico_engine_list_recommended_async (self->engine, self->cancellable, recommended_cb, data);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (source);
  LoadData *data = user_data;
  GError *error = NULL;

  /* The chain owns @data: each step passes it on or frees it. */
  g_task_propagate_boolean (G_TASK (result), &error);
  if (load_failed (data, error))
    return;
  portico_engine_list_attention_async (self->engine, self->interval_hours, self->cancellable,
                                       attention_cb, data);
}

void
portico_integrations_page_reload (PorticoIntegrationsPage *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  if (self->engine == NULL)
    return;
  if (!portico_reload_begin (&self->reload))
    return;

  data = g_new0 (LoadData, 1);
  data->page = g_object_ref (self);
  data->store = g_object_ref (portico_engine_get_store (self->engine));

  task = g_task_new (self, self->cancellable, load_cb, data);
  g_task_set_source_tag (task, portico_integrations_page_reload);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, load_thread);
}

gboolean
portico_integrations_page_is_loading (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), FALSE);

  return self->reload.loading;
}

static gboolean
account_filter_func (gpointer item,
                     gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  g_autofree char *folded = NULL;

  if (self->search_text == NULL)
    return TRUE;
  if (account->connector != NULL && portico_connector_matches_search (account->connector, self->search_text))
    return TRUE;

  folded = g_utf8_casefold (portico_json_get_string (account->object, "name") ?: "", -1);

  return strstr (folded, self->search_text) != NULL;
}

/* Tiles emit signals; the page does the work. */
static void on_tile_sync_now (PorticoIntegrationsPage *self, PorticoAccountTile *tile);
static void on_tile_show_details (PorticoIntegrationsPage *self, PorticoAccountTile *tile);
static void on_tile_rename (PorticoIntegrationsPage *self, PorticoAccountTile *tile);
static void on_tile_reconnect (PorticoIntegrationsPage *self, PorticoAccountTile *tile);
static void on_tile_connect_another (PorticoIntegrationsPage *self, PorticoAccountTile *tile);
static void on_tile_disconnect (PorticoIntegrationsPage *self, PorticoAccountTile *tile);

static GtkWidget *
create_tile (gpointer item,
             gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  GtkWidget *tile = portico_account_tile_new ();
  gint64 id = portico_json_get_int (account->object, "id", 0);

  portico_account_tile_set_interval_hours (PORTICO_ACCOUNT_TILE (tile), self->interval_hours);
  portico_account_tile_set_account (PORTICO_ACCOUNT_TILE (tile), account->object, account->connector);
  if (self->engine != NULL && portico_engine_is_syncing (self->engine, id))
    {
      gint64 *items = g_hash_table_lookup (self->progress, &id);

      portico_account_tile_set_syncing (PORTICO_ACCOUNT_TILE (tile), TRUE);
      if (items != NULL)
        portico_account_tile_set_progress (PORTICO_ACCOUNT_TILE (tile), *items);
    }

  g_signal_connect_object (tile, "sync-now", G_CALLBACK (on_tile_sync_now), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "show-details", G_CALLBACK (on_tile_show_details), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "rename", G_CALLBACK (on_tile_rename), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "reconnect", G_CALLBACK (on_tile_reconnect), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "connect-another", G_CALLBACK (on_tile_connect_another), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "disconnect", G_CALLBACK (on_tile_disconnect), self, G_CONNECT_SWAPPED);

  return tile;
}

static void
portico_integrations_page_update_accounts_visibility (PorticoIntegrationsPage *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->accounts_filtered));

  gtk_widget_set_visible (GTK_WIDGET (self->accounts_section), n_shown > 0);
  /* The catalog section keeps the heading and the empty sentence while
   * nothing is connected. */
  gtk_widget_set_visible (GTK_WIDGET (self->connected_section), n_all == 0 && self->search_text == NULL);
}

static void
fix_clicked (GtkButton               *button,
             PorticoIntegrationsPage *self)
{
  PorticoPageItem *item = g_object_get_data (G_OBJECT (button), "portico-item");
  gint64 id = portico_json_get_int (item->object, "id", 0);

  if (item->problem->fix == PORTICO_FIX_SYNC_NOW)
    {
      PorticoAccountTile *tile = portico_integrations_page_find_tile (self, id);

      if (tile != NULL)
        on_tile_sync_now (self, tile);
    }
  else if (item->connector != NULL && self->engine != NULL)
    portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                    item->connector, self->sandbox, id);
}

static GtkWidget *
create_attention_row (gpointer item,
                      gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button, *icon;
  const char *app = account->connector ? portico_connector_get_name (account->connector)
                                       : portico_json_get_string (account->object, "connector");
  const char *name = portico_json_get_string (account->object, "name");
  g_autofree char *title = g_strdup_printf ("%s – %s: %s", app, name, account->problem->title);
  g_autofree char *button_name = NULL;
  const char *label;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), account->problem->detail);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, account->problem->detail, -1);

  /* The same colour as the account's tile: the status model decides both. */
  {
    g_autoptr(PorticoAccountStatus) status = portico_account_status_new (account->object, NULL,
                                                                         g_get_real_time () / G_USEC_PER_SEC,
                                                                         self->interval_hours);
    gboolean error = status->severity == PORTICO_SEVERITY_ERROR;

    icon = gtk_image_new_from_icon_name (error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
    gtk_widget_add_css_class (icon, error ? "error" : "warning");
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, account->problem->title, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  label = portico_fix_label (account->problem->fix);
  button = gtk_button_new_with_label (label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (account->problem->fix == PORTICO_FIX_RECONNECT)
    gtk_widget_add_css_class (button, "suggested-action");
  /* Translators: "Reconnect Slack – Acme" */
  button_name = g_strdup_printf (_("%s %s – %s"), label, app, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
  gtk_widget_set_sensitive (button, account->problem->fix == PORTICO_FIX_SYNC_NOW || account->connector != NULL);
  g_object_set_data_full (G_OBJECT (button), "portico-item", g_object_ref (account), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (fix_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
connect_recommended_clicked (GtkButton               *button,
                             PorticoIntegrationsPage *self)
{
  PorticoPageItem *item = g_object_get_data (G_OBJECT (button), "portico-item");

  if (self->engine != NULL && item->connector != NULL)
    portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                    item->connector, self->sandbox, 0);
}

static GtkWidget *
create_recommended_row (gpointer item,
                        gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *app = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button, *icon;
  g_autofree char *button_name = NULL;
  const char *name = portico_json_get_string (app->object, "app");
  /* The engine's sentence: who reported how many people or how much spend. */
  const char *subtitle = portico_json_get_string (app->object, "reason");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  icon = adw_avatar_new (32, NULL, FALSE);
  portico_connector_avatar_setup (ADW_AVATAR (icon), app->connector);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  button = gtk_button_new_with_label (_("Connect"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  button_name = g_strdup_printf (_("Connect %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
  g_object_set_data_full (G_OBJECT (button), "portico-item", g_object_ref (app), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (connect_recommended_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static gboolean
page_item_same (PorticoPageItem *a,
                PorticoPageItem *b)
{
  return a->connector == b->connector &&
         g_strcmp0 (a->code, b->code) == 0 &&
         (a->problem == NULL) == (b->problem == NULL) &&
         json_object_equal (a->object, b->object);
}

/* Replaces the items of @store with @items, touching only the positions
 * that changed. A flow box bound to the store builds a tile per item it is
 * told about: while fifty accounts sync, each one that finishes reloads the
 * page, and rebuilding every tile each time kept the window from drawing
 * for seconds. */
static void
page_store_update (GListStore *store,
                   GPtrArray  *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (n != items->len)
    {
      g_list_store_splice (store, 0, n, items->pdata, items->len);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoPageItem) old = g_list_model_get_item (G_LIST_MODEL (store), i);
      PorticoPageItem *item = g_ptr_array_index (items, i);

      if (!page_item_same (old, item))
        g_list_store_splice (store, i, 1, (gpointer *) &item, 1);
    }
}

static void
portico_integrations_page_fill_lists (PorticoIntegrationsPage *self,
                                      LoadData                *data)
{
  guint n_attention = data->attention->len;

  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array = json_node_get_array (data->accounts);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      g_ptr_array_add (accounts, portico_page_item_new (account,
                                                        portico_integrations_page_lookup_connector (self, portico_json_get_string (account, "connector"))));
    }
  page_store_update (self->accounts, accounts);
  page_store_update (self->attention, data->attention);
  page_store_update (self->recommended, data->recommended);

  gtk_stack_set_visible_child_name (self->attention_stack, n_attention > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->recommended_stack, data->recommended->len > 0 ? "list" : "empty");
  adw_view_stack_page_set_needs_attention (self->attention_page, n_attention > 0);
  adw_view_stack_page_set_badge_number (self->attention_page, n_attention);

  portico_integrations_page_update_accounts_visibility (self);
  portico_integrations_page_update_no_results (self);
}

GPtrArray *
portico_integrations_page_list_account_tiles (PorticoIntegrationsPage *self)
{
  GPtrArray *tiles;

  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  tiles = g_ptr_array_new ();
  for (guint i = 0; ; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->accounts_box, i);

      if (child == NULL)
        break;
      g_ptr_array_add (tiles, gtk_flow_box_child_get_child (child));
    }

  return tiles;
}

PorticoAccountTile *
portico_integrations_page_find_tile (PorticoIntegrationsPage *self,
                                     gint64                   account_id)
{
  g_autoptr(GPtrArray) tiles = NULL;

  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  tiles = portico_integrations_page_list_account_tiles (self);
  for (guint i = 0; i < tiles->len; i++)
    if (portico_account_tile_get_account_id (tiles->pdata[i]) == account_id)
      return tiles->pdata[i];

  return NULL;
}

GtkListBox *
portico_integrations_page_get_attention_list (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->attention_list;
}

GtkListBox *
portico_integrations_page_get_recommended_list (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->recommended_list;
}

GtkWindow *
portico_integrations_page_get_dialog (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->dialog;
}

/* Engine signals: the tiles follow a sync live. */
static void
on_sync_started (PorticoIntegrationsPage *self,
                 gint64                   account_id)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_remove (self->progress, &account_id);
  if (tile != NULL)
    portico_account_tile_set_syncing (tile, TRUE);
}

static void
on_sync_progress (PorticoIntegrationsPage *self,
                  gint64                   account_id,
                  const char              *data_type,
                  gint64                   items)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_insert (self->progress, g_memdup2 (&account_id, sizeof account_id),
                       g_memdup2 (&items, sizeof items));
  if (tile != NULL)
    {
      portico_account_tile_set_syncing (tile, TRUE);
      portico_account_tile_set_progress (tile, items);
    }
}

static void
on_sync_finished (PorticoIntegrationsPage *self,
                  gint64                   account_id,
                  const char              *status)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_remove (self->progress, &account_id);
  if (tile != NULL)
    portico_account_tile_set_syncing (tile, FALSE);
  portico_integrations_page_reload (self);
}

static void
on_accounts_changed (PorticoIntegrationsPage *self)
{
  portico_integrations_page_reload (self);
}

PorticoEngine *
portico_integrations_page_get_engine (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->engine;
}

void
portico_integrations_page_set_engine (PorticoIntegrationsPage *self,
                                      PorticoEngine           *engine)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));
  g_return_if_fail (!engine || PORTICO_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_set_object (&self->engine, engine);

  if (engine != NULL)
    {
      g_signal_connect_object (engine, "accounts-changed", G_CALLBACK (on_accounts_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-started", G_CALLBACK (on_sync_started), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-progress", G_CALLBACK (on_sync_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-finished", G_CALLBACK (on_sync_finished), self, G_CONNECT_SWAPPED);
      portico_integrations_page_reload (self);
    }
}

void
portico_integrations_page_set_sandbox (PorticoIntegrationsPage *self,
                                       PorticoSandbox          *sandbox)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  g_set_object (&self->sandbox, sandbox);
}

void
portico_integrations_page_set_interval_hours (PorticoIntegrationsPage *self,
                                              guint                    hours)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  hours = CLAMP (hours, 1, 168);
  if (self->interval_hours == hours)
    return;

  self->interval_hours = hours;
  portico_integrations_page_reload (self);
}

/* ---- What the tile menu does ------------------------------------------- */

static void
sync_now_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = portico_engine_sync_finish (PORTICO_ENGINE (source), result, &error);
  if (node == NULL)
    {
      /* Already syncing: the running sync is what the admin asked for. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      portico_integrations_page_add_toast (self, error->message);
    }
}

static void
on_tile_sync_now (PorticoIntegrationsPage *self,
                  PorticoAccountTile      *tile)
{
  gint64 id = portico_account_tile_get_account_id (tile);

  if (self->engine == NULL)
    return;

  portico_account_tile_set_syncing (tile, TRUE);
  portico_engine_sync_async (self->engine, id, self->cancellable, sync_now_cb, g_object_ref (self));
}

static void
on_tile_show_details (PorticoIntegrationsPage *self,
                      PorticoAccountTile      *tile)
{
  GtkWidget *dialog;

  if (self->engine == NULL)
    return;

  dialog = portico_account_details_dialog_new (self->engine,
                                               portico_account_tile_get_account (tile),
                                               portico_account_tile_get_connector (tile));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), portico_integrations_page_get_parent (self));
  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_tile_reconnect (PorticoIntegrationsPage *self,
                   PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);

  if (self->engine == NULL || connector == NULL)
    return;

  portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                  connector, self->sandbox, portico_account_tile_get_account_id (tile));
}

static void
on_tile_connect_another (PorticoIntegrationsPage *self,
                         PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);

  if (self->engine == NULL || connector == NULL || !portico_connector_get_multi_account (connector))
    return;

  portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                  connector, self->sandbox, 0);
}

/* Rename */

typedef struct
{
  PorticoIntegrationsPage *page;
  gint64                   account_id;
  char                    *name;
} RenameData;

static void
rename_data_free (RenameData *data)
{
  g_clear_object (&data->page);
  g_free (data->name);
  g_free (data);
}

static void
rename_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RenameData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!portico_engine_rename_finish (PORTICO_ENGINE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (data->page, error->message);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Renamed to “%s”"), data->name);

      /* The engine says "accounts-changed": the tiles reload by themselves. */
      portico_integrations_page_add_toast (data->page, text);
    }

  rename_data_free (data);
}

static void
on_rename_entry_changed (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  gboolean valid = name[0] != '\0';

  adw_message_dialog_set_response_enabled (dialog, "change", valid);
  adw_message_dialog_set_body (dialog, valid ? _("The name shows on the tile and in every list. Other accounts may have the same name.")
                                             : _("The name cannot be empty. Type a name that tells this account apart, such as the workspace or team."));
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PorticoIntegrationsPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  gint64 account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-account-id"));
  RenameData *data;

  if (g_strcmp0 (response, "change") != 0 || name[0] == '\0' || self->engine == NULL)
    return;

  data = g_new0 (RenameData, 1);
  data->page = g_object_ref (self);
  data->account_id = account_id;
  data->name = g_strdup (name);
  portico_engine_rename_async (self->engine, account_id, name, self->cancellable, rename_cb, data);
}

static void
on_rename_activate (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  /* Enter applies the name and closes, like the Change button: a dialog
   * left open would make Cancel look like an undo. */
  if (adw_message_dialog_get_response_enabled (dialog, "change"))
    {
      adw_message_dialog_response (dialog, "change");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
on_tile_rename (PorticoIntegrationsPage *self,
                PorticoAccountTile      *tile)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  g_autofree char *heading = NULL;

  heading = g_strdup_printf (_("Rename %s Account"), portico_account_tile_get_app_name (tile));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (portico_integrations_page_get_parent (self), heading, NULL));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "change", _("C_hange"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "change", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "change");
  adw_message_dialog_set_close_response (dialog, "cancel");

  entry = gtk_entry_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Account name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_rename_entry_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_rename_activate), dialog, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), portico_account_tile_get_account_name (tile) ?: "");
  on_rename_entry_changed (GTK_EDITABLE (entry), dialog);

  g_object_set_data (G_OBJECT (dialog), "portico-account-id",
                     GSIZE_TO_POINTER ((gsize) portico_account_tile_get_account_id (tile)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);

  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Disconnect: the engine's preview, then the confirmation. */

typedef struct
{
  PorticoIntegrationsPage *page;
  gint64        account_id;
  char         *app_name;
  char         *account_name;
  gboolean      identity_provider;
} DisconnectData;

static void
disconnect_data_free (DisconnectData *data)
{
  g_clear_object (&data->page);
  g_free (data->app_name);
  g_free (data->account_name);
  g_free (data);
}

static void
disconnect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = portico_engine_disconnect_finish (PORTICO_ENGINE (source), result, &error);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (self, error->message);
      return;
    }

  portico_integrations_page_add_toast (self, _("Disconnected"));
}

static void
on_disconnect_response (AdwMessageDialog        *dialog,
                        const char              *response,
                        PorticoIntegrationsPage *self)
{
  gint64 account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-account-id"));

  if (g_strcmp0 (response, "disconnect") != 0 || self->engine == NULL)
    return;

  portico_engine_disconnect_async (self->engine, account_id, self->cancellable,
                                   disconnect_cb, g_object_ref (self));
}

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DisconnectData *data = user_data;
  PorticoIntegrationsPage *self = data->page;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  summary = portico_engine_preview_disconnect_finish (PORTICO_ENGINE (source), result, &error);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (self, error->message);
      disconnect_data_free (data);
      return;
    }

  /* Translators: "Disconnect Slack – Acme?" */
  heading = g_strdup_printf (_("Disconnect %s – %s?"), data->app_name, data->account_name);
  body = portico_disconnect_summary_describe (summary, data->identity_provider);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (portico_integrations_page_get_parent (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "disconnect", _("_Disconnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "disconnect", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "portico-account-id", GSIZE_TO_POINTER ((gsize) data->account_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_disconnect_response), self, 0);

  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  disconnect_data_free (data);
}

static void
on_tile_disconnect (PorticoIntegrationsPage *self,
                    PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);
  DisconnectData *data;

  if (self->engine == NULL)
    return;

  data = g_new0 (DisconnectData, 1);
  data->page = g_object_ref (self);
  data->account_id = portico_account_tile_get_account_id (tile);
  data->app_name = g_strdup (portico_account_tile_get_app_name (tile));
  data->account_name = g_strdup (portico_account_tile_get_account_name (tile));
  data->identity_provider = connector != NULL &&
                            g_strcmp0 (portico_connector_get_category (connector), "identity_provider") == 0;

  portico_engine_preview_disconnect_async (self->engine, data->account_id, self->cancellable,
                                           preview_cb, data);
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
  signals[LOADED] =
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
  gtk_widget_class_install_action (widget_class, "integrations.show-catalog-problems", NULL,
                                   show_catalog_problems_action);

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
  self->account_filter = GTK_FILTER (gtk_custom_filter_new (account_filter_func, self, NULL));
  self->accounts_filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->accounts)),
                                                       g_object_ref (self->account_filter));

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_flow_box_bind_model (self->accounts_box, G_LIST_MODEL (self->accounts_filtered),
                           create_tile, self, NULL);
  gtk_list_box_bind_model (self->attention_list, G_LIST_MODEL (self->attention),
                           create_attention_row, self, NULL);
  gtk_list_box_bind_model (self->recommended_list, G_LIST_MODEL (self->recommended),
                           create_recommended_row, self, NULL);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  on_search_changed (self, self->search_entry);
}
