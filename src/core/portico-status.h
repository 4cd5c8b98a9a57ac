/* portico-status.h: one status model for every connected account.
 *
 * Everything that shows or judges an account's health derives from this
 * model: the tile's icon and colour, the details dialog, Needs attention
 * (each problem with its fix), notifications and `portico-cli attention`.
 * So they never disagree: an account connected with "Connect anyway"
 * (outcome B, some data types disabled) is yellow everywhere and listed with
 * the missing permission and its fix.
 *
 * Pure functions over an account as portico_store_list_accounts() gives it;
 * no GTK, no I/O, so they are tested without a display. The engine offers
 * the same model for all accounts at once (portico_engine_list_attention_async).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The store's times ("2026-01-31T12:00:00Z") as Unix seconds; 0 for NULL
 * or anything else. */
gint64 portico_store_time_to_unix (const char *text);

/* The outcome of the last sync alone (no judgement of disabled data types or
 * age): what the store's account "status" says. */
typedef enum
{
  PORTICO_ACCOUNT_STATE_NEVER,    /* connected, not synced yet */
  PORTICO_ACCOUNT_STATE_OK,       /* every enabled data type synced */
  PORTICO_ACCOUNT_STATE_PARTIAL,  /* some data types failed */
  PORTICO_ACCOUNT_STATE_FAILED,   /* nothing updated */
} PorticoAccountState;

/* From an account of portico_store_list_accounts(). */
PorticoAccountState portico_account_state_from_json (JsonObject *account);

/* The newest last_success_at over the account's enabled data types, in Unix
 * seconds; 0 when none ever synced. */
gint64 portico_account_last_success (JsonObject *account);

/* ---- Per account and per data type ------------------------------------ */

typedef enum
{
  PORTICO_STATUS_OK,              /* synced */
  PORTICO_STATUS_PENDING,         /* connected, not synced yet */
  PORTICO_STATUS_DISABLED,        /* turned off at connect; the reason says why */
  PORTICO_STATUS_FAILING,         /* the last sync failed */
  PORTICO_STATUS_STALE,           /* no success for over twice the sync interval */
  PORTICO_STATUS_SIGN_IN_EXPIRED, /* the provider no longer accepts the sign-in */
  PORTICO_STATUS_PAUSED,          /* not synced on schedule until resumed */
  PORTICO_STATUS_OFFLINE,         /* the last sync failed only because the machine was offline */
  PORTICO_STATUS_HELD,            /* a users sync held by drift protection, waiting for the admin */
} PorticoStatus;

/* What a colour stands for: grey, green, yellow, red. */
typedef enum
{
  PORTICO_SEVERITY_NEUTRAL,
  PORTICO_SEVERITY_GOOD,
  PORTICO_SEVERITY_WARNING,
  PORTICO_SEVERITY_ERROR,
} PorticoSeverity;

typedef struct
{
  char          *id;            /* data type id: "users", "licenses", ... */
  PorticoStatus  status;
  char          *reason;        /* why, in plain words; NULL when fine */
  gint64         items;         /* of the last success; -1 unknown */
  gint64         last_success;  /* Unix seconds; 0 never */
} PorticoDataTypeStatus;

typedef enum
{
  PORTICO_PROBLEM_CREDENTIALS_REJECTED,
  PORTICO_PROBLEM_KEYRING_MISSING,
  PORTICO_PROBLEM_PERMISSION,       /* a sync was refused: forbidden or plan tier */
  PORTICO_PROBLEM_RATE_LIMITED,     /* in two of the last three runs */
  PORTICO_PROBLEM_SYNC_FAILED,
  PORTICO_PROBLEM_SYNC_PARTIAL,
  PORTICO_PROBLEM_STALE,            /* no success for over 2 × the interval */
  PORTICO_PROBLEM_DISABLED_TYPES,   /* connected anyway without some data types */
  PORTICO_PROBLEM_SIGN_IN_EXPIRED,
  PORTICO_PROBLEM_PAUSED,
  PORTICO_PROBLEM_ORIGIN_CHANGED,   /* credentials would go to a new host */
  PORTICO_PROBLEM_HELD,             /* a users sync held by drift protection */
} PorticoProblemKind;

typedef enum
{
  PORTICO_FIX_RECONNECT,
  PORTICO_FIX_SYNC_NOW,
  PORTICO_FIX_RESUME,     /* a paused account: scheduled syncs run again */
  PORTICO_FIX_APPLY_HELD, /* a held users sync: apply it anyway (or keep) */
} PorticoFix;

typedef struct
{
  PorticoProblemKind kind;
  PorticoFix         fix;
  char              *title;     /* names the problem: "Credentials rejected" */
  char              *detail;    /* what happened and the fix, in plain words */
  char              *fix_text;  /* the fix alone: "Reconnect with a valid key." */
} PorticoAccountProblem;

void portico_account_problem_free (PorticoAccountProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoAccountProblem, portico_account_problem_free)

/* The SPEC 9 `problem` value: "rejected_credentials", "sign_in_expired",
 * "missing_permissions", "sync_failed", "stale", "keyring", "paused" or
 * "held". */
const char *portico_problem_code (PorticoProblemKind kind);
/* The label of the fix's button, translated: "Reconnect", "Sync Now",
 * "Resume". */
const char *portico_fix_label (PorticoFix fix);

typedef struct
{
  gint64           account_id;
  PorticoStatus    status;      /* the worst of the account and its data types */
  PorticoSeverity  severity;
  const char      *icon_name;   /* "emblem-ok-symbolic", "dialog-warning-symbolic", ... */
  const char      *css_class;   /* "success", "warning", "error" or "dim-label" */
  char            *label;       /* short, translated: "Synced", "Missing permissions" */
  char            *summary;     /* one sentence for the details dialog */
  GPtrArray       *data_types;  /* PorticoDataTypeStatus, in the account's order */
  GPtrArray       *problems;    /* PorticoAccountProblem, most urgent first */
} PorticoAccountStatus;

/* @account: portico_store_list_accounts() shape. @recent_runs (nullable):
 * portico_store_list_sync_runs() for the account, newest first. @now in Unix
 * seconds; @interval_hours the sync interval (clamped to 1..168). */
PorticoAccountStatus *portico_account_status_new (JsonObject *account,
                                                  JsonArray  *recent_runs,
                                                  gint64      now,
                                                  guint       interval_hours);
void portico_account_status_free (PorticoAccountStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoAccountStatus, portico_account_status_free)

/* Everything wrong with @account, most urgent first; an empty array when
 * nothing is (the problems of portico_account_status_new()). transfer full,
 * element-type PorticoAccountProblem. */
GPtrArray *portico_account_find_problems (JsonObject *account,
                                          JsonArray  *recent_runs,
                                          gint64      now,
                                          guint       interval_hours);

/* The SPEC 9 `attention` rows of one account, appended to @array:
 * {"account","account_name","connector","problem","title","message","fix",
 *  "fix_action"} with fix_action "reconnect", "sync_now", "resume" or
 * "apply_held" (whose other choice is discard_held). */
void portico_account_status_add_attention_json (const PorticoAccountStatus *status,
                                                JsonObject                 *account,
                                                JsonArray                  *array);

G_END_DECLS
