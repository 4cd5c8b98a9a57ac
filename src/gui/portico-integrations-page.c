/* portico-integrations-page.c: the Integrations page and its three tabs.
 *
 * "All integrations" shows one PorticoCatalogSection per group of the
 * catalog. Each section reads the catalog through its own filter model (its
 * category, and the search shared by every section), so typing into the
 * search entry refilters every section at once and empty ones hide.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-integrations-page"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-capabilities-dialog.h"
#include "portico-catalog-section.h"
#include "portico-connector-dialog.h"
#include "portico-integrations-page.h"

struct _PorticoIntegrationsPage
{
  GtkWidget              parent_instance;

  PorticoCatalog        *catalog;
  GtkFilter             *search_filter;
  char                  *search_text;   /* casefolded, NULL when not searching */
  GPtrArray             *categories;    /* one string per catalog section */

  AdwViewStack          *stack;
  GtkSearchEntry        *search_entry;
  PorticoCatalogSection *connected_section;
  PorticoCatalogSection *custom_section;
  GtkBox                *catalog_box;
  AdwStatusPage         *no_results;
};

G_DEFINE_FINAL_TYPE (PorticoIntegrationsPage, portico_integrations_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CATALOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
portico_connector_matches_search (PorticoConnector *connector,
                                  const char       *folded_text)
{
  g_autofree char *folded_name = NULL;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);

  if (folded_text == NULL || folded_text[0] == '\0')
    return TRUE;

  folded_name = g_utf8_casefold (portico_connector_get_name (connector), -1);

  return strstr (folded_name, folded_text) != NULL
      || strstr (portico_connector_get_id (connector), folded_text) != NULL;
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
  portico_integrations_page_update_no_results (self);

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

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_INTEGRATIONS_PAGE);
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

  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL,
                         PORTICO_TYPE_CATALOG,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-integrations-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, catalog_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, connected_section);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, custom_section);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, no_results);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PorticoIntegrationsPage, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_action (widget_class, "integrations.open-connector", "s", open_connector_action);
  gtk_widget_class_install_action (widget_class, "integrations.show-capabilities", NULL, show_capabilities_action);
  gtk_widget_class_install_action (widget_class, "integrations.search", NULL, search_action);

  g_type_ensure (PORTICO_TYPE_CATALOG_SECTION);
}

static void
portico_integrations_page_init (PorticoIntegrationsPage *self)
{
  self->search_filter = GTK_FILTER (gtk_custom_filter_new (search_filter_func, self, NULL));

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  on_search_changed (self, self->search_entry);
}
