/* portico-network.h: a network monitor whose state is set, not observed.
 *
 * The scheduler and the engine follow a GNetworkMonitor (the system's by
 * default). Demo mode talks to the sandbox on loopback only, so the
 * machine's network does not matter there: it uses this monitor, online
 * unless PORTICO_TEST_NETWORK says otherwise. Tests inject it to flip the
 * network off, on and metered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_STATIC_NETWORK_MONITOR (portico_static_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (PorticoStaticNetworkMonitor, portico_static_network_monitor,
                      PORTICO, STATIC_NETWORK_MONITOR, GObject)

/* Implements GNetworkMonitor; "network-available" and "network-metered"
 * are writable and notify (and emit "network-changed") when they change. */
GNetworkMonitor *portico_static_network_monitor_new (gboolean available,
                                                     gboolean metered);
void portico_static_network_monitor_set (PorticoStaticNetworkMonitor *self,
                                         gboolean                     available,
                                         gboolean                     metered);

/* The monitor of demo mode, and of the app and portico-cli whenever the
 * environment variable PORTICO_TEST_NETWORK is set (for the end-to-end
 * tests): online and not metered, unless PORTICO_TEST_NETWORK is "offline"
 * or "metered". */
GNetworkMonitor *portico_static_network_monitor_new_from_env (void);

G_END_DECLS
