/* portico-connect-dialog-private.h: what the portico-connect-dialog-*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-connect-dialog.h"
#include "portico-oauth.h"

G_BEGIN_DECLS

typedef struct
{
  const PorticoConnectorField *field; /* owned by the connector */
  GtkWidget *row;                     /* AdwEntryRow, AdwPasswordEntryRow or AdwComboRow */
  GtkWidget *error_row;               /* AdwPreferencesRow holding error_label */
  GtkLabel  *error_label;
  GtkWidget *unchanged_label;         /* reconnect: secret rows left empty keep the stored value */
  gboolean   touched;
  char      *error;                   /* the message shown, or NULL */
  char      *file_value;              /* a file field: the chosen file's content */
} FieldRow;

typedef struct
{
  GtkWidget *row;
  GtkStack  *state;
  GtkImage  *image;
  GtkSpinner *spinner;
} TestRow;

struct _PorticoConnectDialog
{
  AdwWindow              parent_instance;

  PorticoEngine         *engine;
  PorticoConnector      *connector;
  PorticoSandbox        *sandbox;
  gint64                 reconnect_account_id;
  char                  *reconnect_name;
  char                  *reconnect_external_id;
  /* The test found an identity that is already connected: Connect became
   * Reconnect of that account (undone when the details change). */
  gboolean               duplicate_found;

  char                  *permission;
  GPtrArray             *field_rows;    /* FieldRow, in the connector's order */
  GHashTable            *test_rows;     /* data type id ("connection") -> TestRow */
  GHashTable            *stored_values; /* reconnect: the account's values, secrets included */

  GCancellable          *cancellable;      /* the dialog's lifetime */
  GCancellable          *test_cancellable; /* the running test */
  PorticoConnectionTest *test;             /* the last test started */
  GHashTable            *test_values;      /* the values it ran with */
  gboolean               test_valid;       /* finished, and nothing edited since */
  gboolean               testing;
  gboolean               connecting;
  gboolean               connect_after_test; /* connectors without a test */
  gboolean               name_edited;
  guint                  filling;            /* > 0 while the dialog itself sets values */

  /* Signing in through the browser (SPEC 11), before the test. */
  PorticoSignIn         *sign_in;
  AdwActionRow          *sign_in_row;     /* the waiting state: address, Copy, Cancel */

  /* Template widgets */
  AdwToastOverlay       *toast_overlay;
  AdwWindowTitle        *window_title;
  GtkButton             *cancel_button;
  GtkButton             *connect_button;
  GtkLabel              *connect_label;
  AdwAvatar             *icon;
  GtkLabel              *title_label;
  GtkLabel              *help_label;
  GtkLinkButton         *help_link;
  GtkWidget             *demo_box;
  GtkLabel              *demo_label;
  GtkWidget             *error_box;
  GtkLabel              *error_label;
  AdwPreferencesGroup   *permission_group;
  AdwActionRow          *read_row;
  AdwActionRow          *act_row;
  GtkCheckButton        *read_check;
  GtkCheckButton        *act_check;
  AdwPreferencesGroup   *fields_group;
  AdwPreferencesGroup   *account_group;
  AdwEntryRow           *name_row;
  AdwExpanderRow        *advanced_row;
  AdwPreferencesGroup   *test_group;
  GtkButton             *test_button;
  GtkButton             *report_button;
  AdwPreferencesGroup   *delegate_group;
  AdwActionRow          *delegate_row;
  GtkLinkButton         *mailto_button;
  GtkButton             *copy_button;

  GtkLabel              *outcome_label; /* built in C, under the test rows */
};

#define CONNECTION_ROW "connection"

typedef enum
{
  ROW_IDLE,
  ROW_RUNNING,
  ROW_OK,
  ROW_WARNING,
  ROW_FAILED,
} RowState;


gboolean
portico_connect_dialog_is_api_base_url (const PorticoConnectorField *field);

void
portico_connect_dialog_set_accessible_label (GtkWidget  *widget,
                                             const char *label);

void
portico_connect_dialog_show_error (PorticoConnectDialog *self,
                                   const char           *message);

void
portico_connect_dialog_set_outcome_message (PorticoConnectDialog *self,
                                            const char           *message,
                                            const char           *style);

void
portico_connect_dialog_field_row_set_text (FieldRow   *fr,
                                           const char *value);

gboolean
portico_connect_dialog_validate_field (PorticoConnectDialog *self,
                                       FieldRow             *fr,
                                       gboolean              show);

FieldRow *
portico_connect_dialog_validate_all (PorticoConnectDialog *self,
                                     gboolean              show);

GHashTable *
portico_connect_dialog_collect_values (PorticoConnectDialog *self);

void
portico_connect_dialog_add_test_row (PorticoConnectDialog *self,
                                     const char           *id,
                                     const char           *title);

void
portico_connect_dialog_reset_test_rows (PorticoConnectDialog *self,
                                        RowState              state);

void
portico_connect_dialog_update_actions (PorticoConnectDialog *self);

void
portico_connect_dialog_on_field_changed (PorticoConnectDialog *self,
                                         FieldRow             *fr);

void
portico_connect_dialog_on_entry_changed (GtkEditable *editable,
                                         gpointer     user_data);

void
portico_connect_dialog_on_combo_selected (GObject    *object,
                                          GParamSpec *pspec,
                                          gpointer    user_data);

void
portico_connect_dialog_on_entry_activated (AdwEntryRow *row,
                                           gpointer     user_data);

TestRow *
portico_connect_dialog_lookup_test_row (PorticoConnectDialog *self,
                                        const char           *id);

void
portico_connect_dialog_start_sign_in (PorticoConnectDialog *self);

void
portico_connect_dialog_build_sign_in_row (PorticoConnectDialog *self);

void
portico_connect_dialog_cancel_sign_in_action (GtkWidget  *widget,
                                              const char *action_name,
                                              GVariant   *parameter);

void
portico_connect_dialog_run_test (PorticoConnectDialog *self);

void
portico_connect_dialog_start_test (PorticoConnectDialog *self);

void
portico_connect_dialog_save_report_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param);

void
portico_connect_dialog_test_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param);

void
portico_connect_dialog_do_connect (PorticoConnectDialog *self);

void
portico_connect_dialog_build_field_row (PorticoConnectDialog        *self,
                                        const PorticoConnectorField *field);

void
portico_connect_dialog_build_permissions (PorticoConnectDialog *self);

void
portico_connect_dialog_build_demo_note (PorticoConnectDialog *self);

void
portico_connect_dialog_load_values_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data);

G_END_DECLS
