/* portico-catalog-section.c: a heading and the tiles of one list model.
 *
 * The section hides itself while its model is empty (a search that matches
 * nothing in it), unless it has a placeholder sentence to show instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-catalog-section"

#include "config.h"

#include "portico-catalog-section.h"
#include "portico-catalog-tile.h"
#include "portico-tile-grid.h"

struct _PorticoCatalogSection
{
  GtkWidget   parent_instance;

  GListModel *model;
  char       *placeholder;

  GtkLabel   *title_label;
  PorticoTileGrid *grid;
  GtkLabel   *placeholder_label;
};

G_DEFINE_FINAL_TYPE (PorticoCatalogSection, portico_catalog_section, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_MODEL,
  PROP_PLACEHOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
portico_catalog_section_new (const char *title,
                             GListModel *model)
{
  return g_object_new (PORTICO_TYPE_CATALOG_SECTION,
                       "title", title,
                       "model", model,
                       NULL);
}

static void
portico_catalog_section_update (PorticoCatalogSection *self)
{
  guint n_tiles = portico_catalog_section_get_n_tiles (self);
  gboolean show_placeholder = n_tiles == 0 && self->placeholder != NULL;

  gtk_label_set_label (self->placeholder_label, self->placeholder ? self->placeholder : "");
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), show_placeholder);
  gtk_widget_set_visible (GTK_WIDGET (self->grid), n_tiles > 0);
  gtk_widget_set_visible (GTK_WIDGET (self), n_tiles > 0 || show_placeholder);
}

static void
on_items_changed (PorticoCatalogSection *self,
                  guint                  position,
                  guint                  removed,
                  guint                  added,
                  GListModel            *model)
{
  portico_catalog_section_update (self);
}

static GtkWidget *
create_tile (gpointer item,
             gpointer user_data)
{
  return portico_catalog_tile_new (item);
}

static void
bind_tile (GtkWidget *tile,
           gpointer   item,
           gboolean   for_size,
           gpointer   user_data)
{
  if (for_size)
    portico_catalog_tile_bind_for_size (PORTICO_CATALOG_TILE (tile), item);
  else
    portico_catalog_tile_set_connector (PORTICO_CATALOG_TILE (tile), item);
}

/* A tile is as tall as the tallest content when its name wraps. */
static gboolean
tile_is_tallest (GtkWidget *tile,
                 gpointer   item,
                 gpointer   user_data)
{
  return portico_catalog_tile_name_wraps (PORTICO_CATALOG_TILE (tile), item);
}

const char *
portico_catalog_section_get_title (PorticoCatalogSection *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_SECTION (self), NULL);

  return gtk_label_get_label (self->title_label);
}

void
portico_catalog_section_set_title (PorticoCatalogSection *self,
                                   const char            *title)
{
  g_return_if_fail (PORTICO_IS_CATALOG_SECTION (self));

  if (g_strcmp0 (title, gtk_label_get_label (self->title_label)) == 0)
    return;

  gtk_label_set_label (self->title_label, title ? title : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title ? title : "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

GListModel *
portico_catalog_section_get_model (PorticoCatalogSection *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_SECTION (self), NULL);

  return self->model;
}

void
portico_catalog_section_set_model (PorticoCatalogSection *self,
                                   GListModel            *model)
{
  g_return_if_fail (PORTICO_IS_CATALOG_SECTION (self));
  g_return_if_fail (!model || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);

  g_set_object (&self->model, model);

  if (self->model != NULL)
    g_signal_connect_object (self->model, "items-changed",
                             G_CALLBACK (on_items_changed), self,
                             G_CONNECT_SWAPPED);

  portico_tile_grid_set_model (self->grid, self->model, create_tile, bind_tile, tile_is_tallest, NULL);
  portico_catalog_section_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

const char *
portico_catalog_section_get_placeholder (PorticoCatalogSection *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_SECTION (self), NULL);

  return self->placeholder;
}

void
portico_catalog_section_set_placeholder (PorticoCatalogSection *self,
                                         const char            *placeholder)
{
  g_return_if_fail (PORTICO_IS_CATALOG_SECTION (self));

  if (g_strcmp0 (self->placeholder, placeholder) == 0)
    return;

  g_free (self->placeholder);
  self->placeholder = g_strdup (placeholder);
  portico_catalog_section_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER]);
}

guint
portico_catalog_section_get_n_tiles (PorticoCatalogSection *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_SECTION (self), 0);

  return self->model ? g_list_model_get_n_items (self->model) : 0;
}

PorticoTileGrid *
portico_catalog_section_get_grid (PorticoCatalogSection *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_SECTION (self), NULL);

  return self->grid;
}

void
portico_catalog_section_set_keep_all_tiles (PorticoCatalogSection *self,
                                            gboolean               keep_all)
{
  g_return_if_fail (PORTICO_IS_CATALOG_SECTION (self));

  portico_tile_grid_set_keep_all (self->grid, keep_all);
}

static void
portico_catalog_section_dispose (GObject *object)
{
  PorticoCatalogSection *self = (PorticoCatalogSection *)object;
  GtkWidget *child;

  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
      portico_tile_grid_set_model (self->grid, NULL, NULL, NULL, NULL, NULL);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CATALOG_SECTION);
  /* The template's top box has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (portico_catalog_section_parent_class)->dispose (object);
}

static void
portico_catalog_section_finalize (GObject *object)
{
  PorticoCatalogSection *self = (PorticoCatalogSection *)object;

  g_clear_pointer (&self->placeholder, g_free);

  G_OBJECT_CLASS (portico_catalog_section_parent_class)->finalize (object);
}

static void
portico_catalog_section_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  PorticoCatalogSection *self = PORTICO_CATALOG_SECTION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, portico_catalog_section_get_title (self));
      break;

    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_PLACEHOLDER:
      g_value_set_string (value, self->placeholder);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_catalog_section_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  PorticoCatalogSection *self = PORTICO_CATALOG_SECTION (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      portico_catalog_section_set_title (self, g_value_get_string (value));
      break;

    case PROP_MODEL:
      portico_catalog_section_set_model (self, g_value_get_object (value));
      break;

    case PROP_PLACEHOLDER:
      portico_catalog_section_set_placeholder (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_catalog_section_class_init (PorticoCatalogSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_catalog_section_dispose;
  object_class->finalize = portico_catalog_section_finalize;
  object_class->get_property = portico_catalog_section_get_property;
  object_class->set_property = portico_catalog_section_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PLACEHOLDER] =
    g_param_spec_string ("placeholder", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-catalog-section.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child (widget_class, PorticoCatalogSection, grid);
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogSection, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogSection, title_label);

  g_type_ensure (PORTICO_TYPE_TILE_GRID);
}

static void
portico_catalog_section_init (PorticoCatalogSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  portico_catalog_section_update (self);
}
