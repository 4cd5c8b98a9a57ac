#!/usr/bin/env python3
# notification-server.py: a stand-in for the desktop's notification service
# on a private session bus. Implements org.freedesktop.Notifications (what
# portico-cli and GLib's freedesktop backend call) and org.gtk.Notifications
# (what GApplication calls under GNOME Shell), and appends every call as one
# JSON line to the file given as the first argument. Writes "ready" to the
# second argument once it owns both names.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import sys

from gi.repository import Gio, GLib

LOG, READY = sys.argv[1], sys.argv[2]

XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
  <interface name="org.gtk.Notifications">
    <method name="AddNotification">
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="a{sv}" direction="in"/>
    </method>
    <method name="RemoveNotification">
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
    </method>
  </interface>
</node>
"""

node = Gio.DBusNodeInfo.new_for_xml(XML)
next_id = [1]


def log(entry):
    with open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")


def plain(value):
    """GVariant values as JSON (unpacked)."""
    if isinstance(value, GLib.Variant):
        return plain(value.unpack())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def on_call(conn, sender, path, iface, method, params, invocation):
    args = params.unpack()
    if iface == "org.freedesktop.Notifications":
        if method == "Notify":
            app_name, replaces, icon, summary, body, actions, hints, timeout = args
            nid = replaces or next_id[0]
            next_id[0] += 1
            log({"interface": "freedesktop", "app_name": app_name, "id": nid, "summary": summary,
                 "body": body, "actions": list(actions), "hints": plain(hints)})
            invocation.return_value(GLib.Variant("(u)", (nid,)))
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("stand-in", "portico", "1", "1.2")))
        else:
            invocation.return_value(None)
    else:
        if method == "AddNotification":
            app_id, nid, notification = args
            log({"interface": "gtk", "app_id": app_id, "id": nid, "notification": plain(notification)})
        else:
            log({"interface": "gtk", "removed": list(args)})
        invocation.return_value(None)


def on_bus(conn, name):
    for info in node.interfaces:
        conn.register_object("/org/freedesktop/Notifications" if "freedesktop" in info.name
                             else "/org/gtk/Notifications", info, on_call, None, None)


owned = set()


def on_name(conn, name):
    owned.add(name)
    if len(owned) == 2:
        with open(READY, "w") as f:
            f.write("ready\n")


def on_lost(conn, name):
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications",
                 Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
Gio.bus_own_name(Gio.BusType.SESSION, "org.gtk.Notifications",
                 Gio.BusNameOwnerFlags.NONE, None, on_name, on_lost)
GLib.MainLoop().run()
