/* portico-network.c: a network monitor whose state is set, not observed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-network"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-network.h"

struct _PorticoStaticNetworkMonitor
{
  GObject  parent_instance;

  gboolean available;
  gboolean metered;
};

static void portico_static_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void portico_static_network_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PorticoStaticNetworkMonitor, portico_static_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      portico_static_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      portico_static_network_monitor_iface_init))

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static gboolean
portico_static_network_monitor_can_reach (GNetworkMonitor     *monitor,
                                          GSocketConnectable  *connectable,
                                          GCancellable        *cancellable,
                                          GError             **error)
{
  PorticoStaticNetworkMonitor *self = PORTICO_STATIC_NETWORK_MONITOR (monitor);

  if (self->available)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                       _("This computer is offline."));
  return FALSE;
}

static void
portico_static_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = portico_static_network_monitor_can_reach;
}

static gboolean
portico_static_network_monitor_initable_init_func (GInitable     *initable,
                                                   GCancellable  *cancellable,
                                                   GError       **error)
{
  return TRUE;
}

static void
portico_static_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = portico_static_network_monitor_initable_init_func;
}

static void
portico_static_network_monitor_get_property (GObject    *object,
                                             guint       prop_id,
                                             GValue     *value,
                                             GParamSpec *pspec)
{
  PorticoStaticNetworkMonitor *self = PORTICO_STATIC_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, self->metered);
      break;

    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_static_network_monitor_set_property (GObject      *object,
                                             guint         prop_id,
                                             const GValue *value,
                                             GParamSpec   *pspec)
{
  PorticoStaticNetworkMonitor *self = PORTICO_STATIC_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      portico_static_network_monitor_set (self, g_value_get_boolean (value), self->metered);
      break;

    case PROP_NETWORK_METERED:
      portico_static_network_monitor_set (self, self->available, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_static_network_monitor_class_init (PorticoStaticNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = portico_static_network_monitor_get_property;
  object_class->set_property = portico_static_network_monitor_set_property;

  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
portico_static_network_monitor_init (PorticoStaticNetworkMonitor *self)
{
  self->available = TRUE;
}

GNetworkMonitor *
portico_static_network_monitor_new (gboolean available,
                                    gboolean metered)
{
  PorticoStaticNetworkMonitor *self = g_object_new (PORTICO_TYPE_STATIC_NETWORK_MONITOR, NULL);

  self->available = available;
  self->metered = metered;

  return G_NETWORK_MONITOR (self);
}

GNetworkMonitor *
portico_static_network_monitor_new_from_env (void)
{
  const char *state = g_getenv ("PORTICO_TEST_NETWORK");

  return portico_static_network_monitor_new (g_strcmp0 (state, "offline") != 0,
                                             g_strcmp0 (state, "metered") == 0);
}

void
portico_static_network_monitor_set (PorticoStaticNetworkMonitor *self,
                                    gboolean                     available,
                                    gboolean                     metered)
{
  gboolean changed_available, changed_metered;

  g_return_if_fail (PORTICO_IS_STATIC_NETWORK_MONITOR (self));

  available = !!available;
  metered = !!metered;
  changed_available = self->available != available;
  changed_metered = self->metered != metered;
  if (!changed_available && !changed_metered)
    return;

  self->available = available;
  self->metered = metered;
  g_object_freeze_notify (G_OBJECT (self));
  if (changed_available)
    {
      g_object_notify (G_OBJECT (self), "network-available");
      g_object_notify (G_OBJECT (self), "connectivity");
    }
  if (changed_metered)
    g_object_notify (G_OBJECT (self), "network-metered");
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit_by_name (self, "network-changed", available);
}
