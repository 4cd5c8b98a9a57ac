/* portico-catalog-tile.c: one integration of the catalog, as a tile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-catalog-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-catalog-tile.h"

struct _PorticoCatalogTile
{
  GtkWidget         parent_instance;

  PorticoConnector *connector;

  GtkButton        *button;
  AdwAvatar        *icon;
  GtkLabel         *name_label;
  GtkLabel         *category_label;
};

G_DEFINE_FINAL_TYPE (PorticoCatalogTile, portico_catalog_tile, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GdkTexture *
portico_icon_texture_from_data_uri (const char *icon)
{
  static const char prefix[] = "data:image/png;base64,";
  g_autoptr(GBytes) bytes = NULL;
  guchar *data;
  gsize length = 0;

  if (icon == NULL || !g_str_has_prefix (icon, prefix))
    return NULL;
  data = g_base64_decode (icon + strlen (prefix), &length);
  if (data == NULL || length == 0)
    {
      g_free (data);
      return NULL;
    }
  bytes = g_bytes_new_take (data, length);
  return gdk_texture_new_from_bytes (bytes, NULL);
}

const char *
portico_connector_icon_or_fallback (PorticoConnector *connector,
                                    GdkDisplay       *display)
{
  const char *icon_name;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  icon_name = portico_connector_get_icon_name (connector);
  if (icon_name == NULL || icon_name[0] == '\0' || display == NULL ||
      !gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (display), icon_name))
    return "application-x-addon-symbolic";

  return icon_name;
}

void
portico_connector_avatar_setup (AdwAvatar        *avatar,
                                PorticoConnector *connector)
{
  const char *icon_name;
  GdkDisplay *display;

  g_return_if_fail (ADW_IS_AVATAR (avatar));

  if (connector == NULL)
    {
      adw_avatar_set_text (avatar, NULL);
      adw_avatar_set_show_initials (avatar, FALSE);
      adw_avatar_set_icon_name (avatar, "application-x-addon-symbolic");
      return;
    }

  display = gtk_widget_get_display (GTK_WIDGET (avatar));
  icon_name = portico_connector_icon_or_fallback (connector, display);
  adw_avatar_set_text (avatar, portico_connector_get_name (connector));
  {
    g_autoptr(GdkTexture) texture = portico_icon_texture_from_data_uri (portico_connector_get_icon_name (connector));

    adw_avatar_set_custom_image (avatar, texture != NULL ? GDK_PAINTABLE (texture) : NULL);
    if (texture != NULL)
      return;
  }
  if (g_strcmp0 (icon_name, portico_connector_get_icon_name (connector)) == 0)
    {
      adw_avatar_set_icon_name (avatar, icon_name);
      adw_avatar_set_show_initials (avatar, FALSE);
    }
  else
    adw_avatar_set_show_initials (avatar, TRUE);
}

GtkWidget *
portico_catalog_tile_new (PorticoConnector *connector)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  return g_object_new (PORTICO_TYPE_CATALOG_TILE,
                       "connector", connector,
                       NULL);
}

PorticoConnector *
portico_catalog_tile_get_connector (PorticoCatalogTile *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_TILE (self), NULL);

  return self->connector;
}

GtkWidget *
portico_catalog_tile_get_button (PorticoCatalogTile *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG_TILE (self), NULL);

  return GTK_WIDGET (self->button);
}

void
portico_catalog_tile_set_connector (PorticoCatalogTile *self,
                                    PorticoConnector   *connector)
{
  g_autofree char *accessible = NULL;
  const char *name;
  const char *category;

  g_return_if_fail (PORTICO_IS_CATALOG_TILE (self));
  g_return_if_fail (PORTICO_IS_CONNECTOR (connector));

  if (!g_set_object (&self->connector, connector))
    return;

  name = portico_connector_get_name (connector);
  category = portico_category_label (portico_connector_get_category (connector));

  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->category_label, category);
  portico_connector_avatar_setup (self->icon, connector);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->button), "s",
                                    portico_connector_get_id (connector));

  /* TRANSLATORS: accessible name of a catalog tile: "Okta, Identity providers". */
  accessible = g_strdup_printf (_("%s, %s"), name, category);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), portico_connector_get_help (connector));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTOR]);
}

/* Only the texts decide a tile's size: the avatar and the card are the
 * same for every connector, and the name takes one or two lines. */
void
portico_catalog_tile_bind_for_size (PorticoCatalogTile *self,
                                    PorticoConnector   *connector)
{
  g_return_if_fail (PORTICO_IS_CATALOG_TILE (self));
  g_return_if_fail (connector == NULL || PORTICO_IS_CONNECTOR (connector));

  if (connector == NULL)
    {
      /* The name label's two lines at any width (cheaper to lay out than a
       * text long enough to wrap there). */
      gtk_label_set_label (self->name_label, "Mmmm\nMmmm");
      gtk_label_set_label (self->category_label, "Mmmm");
      return;
    }

  gtk_label_set_label (self->name_label, portico_connector_get_name (connector));
  gtk_label_set_label (self->category_label,
                       portico_category_label (portico_connector_get_category (connector)));
}

typedef struct
{
  guint font;   /* the font key the width was measured with */
  int   width;  /* pixels */
} NameWidth;

/* Whether @connector's name takes two lines in this tile's name label as
 * it is allocated now: it is wider than the label on one line. The width
 * is kept on the connector for the font it was measured in, so a search
 * that shows the same connectors again measures nothing. */
gboolean
portico_catalog_tile_name_wraps (PorticoCatalogTile *self,
                                 PorticoConnector   *connector)
{
  static GQuark quark;
  PangoContext *context;
  NameWidth *cached;
  guint font;

  g_return_val_if_fail (PORTICO_IS_CATALOG_TILE (self), FALSE);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);

  if (quark == 0)
    quark = g_quark_from_static_string ("portico-catalog-tile-name-width");

  context = gtk_widget_get_pango_context (GTK_WIDGET (self->name_label));
  font = pango_font_description_hash (pango_context_get_font_description (context)) ^
         (guint) (pango_cairo_context_get_resolution (context) * 64);
  cached = g_object_get_qdata (G_OBJECT (connector), quark);
  if (cached == NULL || cached->font != font)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->name_label),
                                                                      portico_connector_get_name (connector));

      cached = g_new (NameWidth, 1);
      cached->font = font;
      pango_layout_get_pixel_size (layout, &cached->width, NULL);
      g_object_set_qdata_full (G_OBJECT (connector), quark, cached, g_free);
    }

  return cached->width > gtk_widget_get_width (GTK_WIDGET (self->name_label));
}

static void
portico_catalog_tile_root (GtkWidget *widget)
{
  GtkWidget *parent;

  GTK_WIDGET_CLASS (portico_catalog_tile_parent_class)->root (widget);

  /* Inside a flow box the child wrapper would take a second keyboard stop
   * before the button; the button alone is the thing to focus. */
  parent = gtk_widget_get_parent (widget);
  if (GTK_IS_FLOW_BOX_CHILD (parent))
    gtk_widget_set_focusable (parent, FALSE);
}

static void
portico_catalog_tile_dispose (GObject *object)
{
  PorticoCatalogTile *self = (PorticoCatalogTile *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CATALOG_TILE);
  g_clear_object (&self->connector);

  G_OBJECT_CLASS (portico_catalog_tile_parent_class)->dispose (object);
}

static void
portico_catalog_tile_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PorticoCatalogTile *self = PORTICO_CATALOG_TILE (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      g_value_set_object (value, self->connector);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_catalog_tile_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PorticoCatalogTile *self = PORTICO_CATALOG_TILE (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      portico_catalog_tile_set_connector (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_catalog_tile_class_init (PorticoCatalogTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_catalog_tile_dispose;
  object_class->get_property = portico_catalog_tile_get_property;
  object_class->set_property = portico_catalog_tile_set_property;

  widget_class->root = portico_catalog_tile_root;

  properties[PROP_CONNECTOR] =
    g_param_spec_object ("connector", NULL, NULL,
                         PORTICO_TYPE_CONNECTOR,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-catalog-tile.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "portico-catalog-tile");
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogTile, button);
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogTile, category_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogTile, icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoCatalogTile, name_label);
}

static void
portico_catalog_tile_init (PorticoCatalogTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
