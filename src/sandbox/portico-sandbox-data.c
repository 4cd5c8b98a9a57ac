/* portico-sandbox-data.c: deterministic fake company data for the sandbox.
 *
 * Every value comes from a small PRNG seeded from (seed, app id, purpose), so
 * one app's data does not change when another connector is added to the
 * catalog, and the same seed always gives the same company.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-sandbox"

#include "config.h"

#include <math.h>
#include <string.h>

#include "portico-sandbox-data.h"

typedef struct
{
  const char *first; /* static */
  const char *last;  /* static */
  char *name;
  char *email;
  guint department;
  const char *title; /* static */
  const char *location;
  char *employee_number;
  guint manager; /* index of the manager in the pool */
  gint64 hired;
} Person;

typedef struct
{
  char *id;
  char *name;
  char *category;
} App;

static void app_users_free (gpointer p);

struct _PorticoSandboxData
{
  guint seed;
  guint size;
  gint64 reference;
  GPtrArray *people; /* Person */
  GPtrArray *apps;   /* App, registration order */
  GHashTable *app_users; /* app id -> AppUsers (cache) */
};

static const char * const first_names[] = {
  "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken",
  "Radia", "Linus", "Frances", "John", "Katherine", "Tim", "Hedy", "Dennis",
  "Sophie", "Niklaus", "Karen", "Guido", "Anita", "Bjarne", "Shafi", "Leslie",
  "Joan", "Brian", "Lynn", "Vint", "Mary", "Whitfield", "Adele", "Bob",
  "Carol", "Jean", "Evelyn", "Fernando", "Ines", "Tomas", "Yuki", "Amara",
};

static const char * const last_names[] = {
  "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton",
  "Thompson", "Perlman", "Torvalds", "Allen", "McCarthy", "Johnson", "Berners",
  "Lamarr", "Ritchie", "Wilson", "Wirth", "Jones", "Rossum", "Borg", "Stroustrup",
  "Goldwasser", "Lamport", "Clarke", "Kernighan", "Conway", "Cerf", "Keller",
  "Diffie", "Goldberg", "Kahn", "Shaw", "Sammet", "Berezin", "Corbato",
  "Okafor", "Novak", "Tanaka", "Silva",
};

static const char * const departments[] = {
  "Engineering", "Sales", "Marketing", "Finance", "Support", "Design",
  "Operations", "People",
};

static const char * const titles[] = {
  "Software Engineer", "Account Executive", "Marketing Manager", "Accountant",
  "Support Specialist", "Product Designer", "Operations Manager", "HR Partner",
};

static const char * const locations[] = {
  "Berlin", "New York", "London", "Lisbon", "Toronto", "Remote",
};

static const char * const other_vendors[] = {
  "Figma", "Miro", "Canva", "Loom", "Asana", "1Password", "Calendly",
  "Amazon Web Services", "Uber", "Delta Air Lines", "WeWork", "Starbucks",
};

static const char * const other_discovered[] = {
  "Figma", "Miro", "Canva", "Loom", "Asana", "1Password", "Calendly",
  "Trello", "Airtable", "Lucidchart",
};

static const char * const group_names[] = {
  "Everyone", "Engineering", "Sales", "Marketing", "Finance", "Support",
  "Design", "Operations", "People", "Leadership", "Contractors", "On call",
};

/* splitmix64: tiny, well distributed, and identical on every platform. */
typedef struct
{
  guint64 state;
} Rng;

static guint64
rng_next (Rng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static guint
rng_range (Rng *rng, guint n)
{
  return n == 0 ? 0 : (guint) (rng_next (rng) % n);
}

static double
rng_double (Rng *rng)
{
  return (double) (rng_next (rng) >> 11) / (double) (G_GUINT64_CONSTANT (1) << 53);
}

static guint64
fnv1a (const char *s)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (; s != NULL && *s; s++)
    {
      h ^= (guchar) *s;
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

static void
rng_init (Rng *rng, guint seed, const char *app_id, const char *purpose)
{
  rng->state = ((guint64) seed * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D))
               ^ fnv1a (app_id) ^ (fnv1a (purpose) << 1);
  rng_next (rng);
}

static char *
iso_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
iso_date (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return g_date_time_format (dt, "%Y-%m-%d");
}

static void
person_free (gpointer p)
{
  Person *person = p;

  g_free (person->name);
  g_free (person->email);
  g_free (person->employee_number);
  g_free (person);
}

static void
app_free (gpointer p)
{
  App *app = p;

  g_free (app->id);
  g_free (app->name);
  g_free (app->category);
  g_free (app);
}

PorticoSandboxData *
portico_sandbox_data_new (guint seed, guint size, gint64 reference)
{
  PorticoSandboxData *data = g_new0 (PorticoSandboxData, 1);
  /* How many people so far have each local part (first.last): the k-th
   * one (k > 1) is first.lastk, the first free number from 2, because a
   * local part has no digits. */
  g_autoptr(GHashTable) locals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Rng rng;

  data->seed = seed;
  data->size = MAX (size, 3);
  data->reference = reference;
  data->people = g_ptr_array_new_with_free_func (person_free);
  data->apps = g_ptr_array_new_with_free_func (app_free);
  data->app_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           app_users_free);

  rng_init (&rng, seed, "", "people");
  for (guint i = 0; i < data->size; i++)
    {
      Person *p = g_new0 (Person, 1);
      g_autofree char *local = NULL;
      g_autofree char *email = NULL;

      p->first = first_names[rng_range (&rng, G_N_ELEMENTS (first_names))];
      p->last = last_names[rng_range (&rng, G_N_ELEMENTS (last_names))];
      p->name = g_strdup_printf ("%s %s", p->first, p->last);
      local = g_ascii_strdown (p->first, -1);
      {
        g_autofree char *last = g_ascii_strdown (p->last, -1);
        char *tmp = g_strdup_printf ("%s.%s", local, last);

        g_free (local);
        local = tmp;
      }
      {
        guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (locals, local));

        if (seen == 0)
          email = g_strdup_printf ("%s@%s", local, PORTICO_SANDBOX_DOMAIN);
        else
          email = g_strdup_printf ("%s%u@%s", local, seen + 1, PORTICO_SANDBOX_DOMAIN);
        g_hash_table_replace (locals, g_strdup (local), GUINT_TO_POINTER (seen + 1));
      }
      p->email = g_steal_pointer (&email);
      p->department = rng_range (&rng, G_N_ELEMENTS (departments));
      p->title = i < G_N_ELEMENTS (departments) ? "Head of Department" : titles[p->department];
      p->location = locations[rng_range (&rng, G_N_ELEMENTS (locations))];
      p->employee_number = g_strdup_printf ("E%04u", 1001 + i);
      p->manager = i < G_N_ELEMENTS (departments) ? 0 : MIN (p->department, data->size - 1);
      p->hired = reference - (gint64) (30 + rng_range (&rng, 2500)) * 86400;
      g_ptr_array_add (data->people, p);
    }

  return data;
}

void
portico_sandbox_data_free (PorticoSandboxData *data)
{
  if (data == NULL)
    return;
  g_ptr_array_unref (data->people);
  g_ptr_array_unref (data->apps);
  g_hash_table_unref (data->app_users);
  g_free (data);
}

void
portico_sandbox_data_add_app (PorticoSandboxData *data,
                              const char         *app_id,
                              const char         *app_name,
                              const char         *category)
{
  App *app;

  g_return_if_fail (data != NULL && app_id != NULL);

  for (guint i = 0; i < data->apps->len; i++)
    if (g_str_equal (((App *) data->apps->pdata[i])->id, app_id))
      return;

  app = g_new0 (App, 1);
  app->id = g_strdup (app_id);
  app->name = g_strdup (app_name != NULL ? app_name : app_id);
  app->category = g_strdup (category != NULL ? category : "other");
  g_ptr_array_add (data->apps, app);
}

guint
portico_sandbox_data_get_n_people (PorticoSandboxData *data)
{
  return data->people->len;
}

static App *
find_app (PorticoSandboxData *data, const char *app_id)
{
  for (guint i = 0; i < data->apps->len; i++)
    if (g_str_equal (((App *) data->apps->pdata[i])->id, app_id))
      return data->apps->pdata[i];
  return NULL;
}

static const char *
app_name (PorticoSandboxData *data, const char *app_id)
{
  App *app = find_app (data, app_id);

  return app != NULL ? app->name : app_id;
}

static char *
sku_id (const char *app_id, guint n)
{
  g_autofree char *up = g_ascii_strup (app_id, -1);

  g_strcanon (up, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", '_');
  return g_strdup_printf ("%s_%s", up, n == 0 ? "STANDARD" : "PRO");
}

/* One app user, kept compactly: a million people give several million of
 * them (the identity provider's and every discovered app's), and their
 * records are built from these when asked for. */
typedef enum
{
  STATUS_ACTIVE,
  STATUS_INVITED,
  STATUS_SUSPENDED,
  STATUS_DEPROVISIONED,
} AppUserStatus;

static const char * const status_names[] = { "active", "invited", "suspended", "deprovisioned" };
static const char * const role_names[] = { "owner", "admin", "member", "guest" };

typedef struct
{
  gint64 last_activity; /* unix seconds; unset for an invited user */
  guint person;         /* index in the pool */
  guint8 status;        /* AppUserStatus */
  guint8 role;          /* index in role_names */
  guint8 license;       /* 0: none, else 1 + the SKU's number (sku_id) */
} AppUser;

typedef struct
{
  guint64 id_base;
  GArray *users; /* AppUser */
} AppUsers;

static void
app_users_free (gpointer p)
{
  AppUsers *users = p;

  g_array_unref (users->users);
  g_free (users);
}

/* The app's users: one record per person of the app's subset. Identity
 * providers and HR systems see almost everyone, other apps a part. */
static AppUsers *
app_users (PorticoSandboxData *data, const char *app_id)
{
  AppUsers *users = g_hash_table_lookup (data->app_users, app_id);
  App *app;
  double share;
  Rng rng;

  if (users != NULL)
    return users;

  app = find_app (data, app_id);
  rng_init (&rng, data->seed, app_id, "users");
  if (app != NULL && g_str_equal (app->category, "identity_provider"))
    share = 0.97;
  else if (app != NULL && g_str_equal (app->category, "human_resources"))
    share = 0.93;
  else
    share = 0.35 + 0.4 * rng_double (&rng);

  users = g_new0 (AppUsers, 1);
  users->id_base = 100000 + rng_range (&rng, 800000);
  users->users = g_array_new (FALSE, TRUE, sizeof (AppUser));
  for (guint i = 0; i < data->people->len; i++)
    {
      AppUser u = { 0 };
      double r;

      /* Person 0 (the admin who connects) is in every app. */
      if (i != 0 && rng_double (&rng) >= share)
        continue;

      u.person = i;
      r = rng_double (&rng);
      if (i == 0 || r < 0.84)
        u.status = STATUS_ACTIVE;
      else if (r < 0.89)
        u.status = STATUS_INVITED;
      else if (r < 0.96)
        u.status = STATUS_SUSPENDED;
      else
        u.status = STATUS_DEPROVISIONED;
      r = rng_double (&rng);
      u.role = i == 0 ? 0 : r < 0.06 ? 1 : r < 0.92 ? 2 : 3;
      if (u.status != STATUS_INVITED)
        {
          guint days;

          if (u.status == STATUS_ACTIVE)
            days = rng_double (&rng) < 0.12 ? 61 + rng_range (&rng, 120) : rng_range (&rng, 30);
          else
            days = 100 + rng_range (&rng, 200);
          u.last_activity = data->reference - (gint64) days * 86400
                            - (gint64) rng_range (&rng, 86400);
        }
      if (u.status == STATUS_ACTIVE || u.status == STATUS_SUSPENDED)
        u.license = 1 + (rng_double (&rng) < 0.7 ? 0 : 1);
      g_array_append_val (users->users, u);
    }

  g_hash_table_insert (data->app_users, g_strdup (app_id), users);
  return users;
}

static inline AppUser *
app_user_at (AppUsers *users, guint i)
{
  return &g_array_index (users->users, AppUser, i);
}

static inline Person *
app_user_person (PorticoSandboxData *data, AppUser *u)
{
  return data->people->pdata[u->person];
}

static char *
app_user_id (AppUsers *users, AppUser *u)
{
  return g_strdup_printf ("u%" G_GUINT64_FORMAT, users->id_base + (guint64) u->person * 7);
}

/* The record of app user @i: {"id","email","name","status","role",
 * "last_activity" (not for invited users),"license" (active and suspended
 * users),"person"}. */
static JsonObject *
app_user_object (PorticoSandboxData *data, const char *app_id, AppUsers *users, guint i)
{
  AppUser *u = app_user_at (users, i);
  Person *p = app_user_person (data, u);
  JsonObject *o = json_object_new ();
  g_autofree char *id = app_user_id (users, u);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "email", p->email);
  json_object_set_string_member (o, "name", p->name);
  json_object_set_string_member (o, "status", status_names[u->status]);
  json_object_set_string_member (o, "role", role_names[u->role]);
  if (u->status != STATUS_INVITED)
    {
      g_autofree char *when = iso_time (u->last_activity);

      json_object_set_string_member (o, "last_activity", when);
    }
  if (u->license != 0)
    {
      g_autofree char *sku = sku_id (app_id, u->license - 1);

      json_object_set_string_member (o, "license", sku);
    }
  json_object_set_int_member (o, "person", u->person);
  return o;
}

static char *
custom_value (PorticoSandboxData *data, Person *p, const char *label, guint n)
{
  g_autofree char *l = g_ascii_strdown (label, -1);

  if (strstr (l, "depart") || strstr (l, "team") || strstr (l, "division"))
    return g_strdup (departments[p->department]);
  if (strstr (l, "title") || strstr (l, "job") || strstr (l, "position"))
    return g_strdup (p->title);
  if (strstr (l, "location") || strstr (l, "office") || strstr (l, "site") || strstr (l, "city"))
    return g_strdup (p->location);
  if (strstr (l, "manager") || strstr (l, "report") || strstr (l, "supervisor"))
    return g_strdup (((Person *) data->people->pdata[p->manager])->email);
  if (strstr (l, "cost"))
    return g_strdup_printf ("CC-%u", 100 + p->department);
  if (strstr (l, "start") || strstr (l, "hire"))
    return iso_date (p->hired);
  if (strstr (l, "employee") || strstr (l, "number") || strstr (l, " id"))
    return g_strdup (p->employee_number);
  return g_strdup_printf ("%s %u", label, 1 + (p->department + n) % 5);
}

/* The users-like record (users, usage, custom_fields) of app user @i;
 * NULL when the data type has none for that user (usage of an invited
 * user). */
static JsonObject *
users_like_record (PorticoSandboxData *data,
                   const char         *app_id,
                   AppUsers           *users,
                   guint               i,
                   const char         *data_type_id,
                   const char * const *labels)
{
  AppUser *u = app_user_at (users, i);
  Person *p = app_user_person (data, u);
  g_autofree char *id = NULL;
  JsonObject *rec;

  if (g_str_equal (data_type_id, "users"))
    return app_user_object (data, app_id, users, i);
  if (g_str_equal (data_type_id, "usage") && u->status == STATUS_INVITED)
    return NULL;

  id = app_user_id (users, u);
  rec = json_object_new ();
  json_object_set_string_member (rec, "user_id", id);
  json_object_set_string_member (rec, "email", p->email);
  json_object_set_int_member (rec, "person", u->person);
  if (g_str_equal (data_type_id, "usage"))
    {
      g_autofree char *when = iso_time (u->last_activity);

      json_object_set_string_member (rec, "last_activity", when);
    }
  else
    {
      JsonObject *fields = json_object_new ();

      for (guint n = 0; labels != NULL && labels[n] != NULL; n++)
        {
          g_autofree char *v = custom_value (data, p, labels[n], n);

          json_object_set_string_member (fields, labels[n], v);
        }
      json_object_set_object_member (rec, "fields", fields);
    }
  return rec;
}

static JsonArray *
build_users_like (PorticoSandboxData *data,
                  const char         *app_id,
                  const char         *data_type_id,
                  const char * const *labels)
{
  AppUsers *users = app_users (data, app_id);
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < users->users->len; i++)
    {
      JsonObject *rec = users_like_record (data, app_id, users, i, data_type_id, labels);

      if (rec != NULL)
        json_array_add_object_element (out, rec);
    }
  return out;
}

guint
portico_sandbox_data_get_n_app_users (PorticoSandboxData *data,
                                      const char         *app_id)
{
  g_return_val_if_fail (data != NULL && app_id != NULL, 0);

  return app_users (data, app_id)->users->len;
}

JsonObject *
portico_sandbox_data_build_app_user (PorticoSandboxData *data,
                                     const char         *app_id,
                                     const char         *data_type_id,
                                     const char * const *custom_field_labels,
                                     guint               index)
{
  AppUsers *users;

  g_return_val_if_fail (data != NULL && app_id != NULL && data_type_id != NULL, NULL);

  users = app_users (data, app_id);
  g_return_val_if_fail (index < users->users->len, NULL);
  return users_like_record (data, app_id, users, index, data_type_id, custom_field_labels);
}

static JsonArray *
build_licenses (PorticoSandboxData *data, const char *app_id)
{
  AppUsers *users = app_users (data, app_id);
  JsonArray *out = json_array_new ();
  Rng rng;

  rng_init (&rng, data->seed, app_id, "licenses");
  for (guint n = 0; n < 2; n++)
    {
      g_autofree char *sku = sku_id (app_id, n);
      g_autofree char *name = g_strdup_printf ("%s %s", app_name (data, app_id),
                                               n == 0 ? "Standard" : "Pro");
      JsonObject *rec = json_object_new ();
      gint64 assigned = 0;

      for (guint i = 0; i < users->users->len; i++)
        if (app_user_at (users, i)->license == n + 1)
          assigned++;
      json_object_set_string_member (rec, "sku", sku);
      json_object_set_string_member (rec, "name", name);
      json_object_set_int_member (rec, "total", assigned + rng_range (&rng, 12));
      json_object_set_int_member (rec, "assigned", assigned);
      json_array_add_object_element (out, rec);
    }
  return out;
}

static JsonArray *
build_transactions (PorticoSandboxData *data, const char *app_id)
{
  AppUsers *users = app_users (data, app_id);
  JsonArray *out = json_array_new ();
  guint n = data->size * 2;
  Rng rng;

  rng_init (&rng, data->seed, app_id, "transactions");
  for (guint i = 0; i < n; i++)
    {
      JsonObject *rec = json_object_new ();
      AppUser *u = app_user_at (users, rng_range (&rng, users->users->len));
      const char *vendor;
      gint64 cents;
      g_autofree char *id = g_strdup_printf ("txn_%06x%04u", (guint) (fnv1a (app_id) & 0xffffff), i);
      g_autofree char *date = NULL;
      g_autofree char *desc = NULL;
      gboolean saas = TRUE;

      if (data->apps->len > 0 && rng_double (&rng) < 0.7)
        vendor = ((App *) data->apps->pdata[rng_range (&rng, data->apps->len)])->name;
      else
        {
          guint k = rng_range (&rng, G_N_ELEMENTS (other_vendors));

          vendor = other_vendors[k];
          saas = k < 8;
        }
      cents = saas ? 1000 + rng_range (&rng, 250000) : 800 + rng_range (&rng, 60000);
      date = iso_date (data->reference - (gint64) rng_range (&rng, 180) * 86400);
      desc = g_strdup_printf (saas ? "%s subscription" : "%s expense", vendor);

      json_object_set_string_member (rec, "id", id);
      json_object_set_int_member (rec, "amount_cents", cents);
      json_object_set_double_member (rec, "amount", cents / 100.0);
      json_object_set_string_member (rec, "currency", rng_double (&rng) < 0.85 ? "USD" : "EUR");
      json_object_set_string_member (rec, "vendor", vendor);
      json_object_set_string_member (rec, "date", date);
      json_object_set_string_member (rec, "user_email", app_user_person (data, u)->email);
      json_object_set_string_member (rec, "description", desc);
      json_array_add_object_element (out, rec);
    }
  return out;
}

static JsonArray *
build_groups (PorticoSandboxData *data, const char *app_id)
{
  guint n_users = app_users (data, app_id)->users->len;
  guint n = MIN (G_N_ELEMENTS (group_names), 3 + data->size / 40);
  JsonArray *out = json_array_new ();
  Rng rng;

  rng_init (&rng, data->seed, app_id, "groups");
  for (guint i = 0; i < n; i++)
    {
      JsonObject *rec = json_object_new ();
      g_autofree char *id = g_strdup_printf ("g%08x", (guint) ((fnv1a (app_id) + i * 977) & 0xfffffff));

      json_object_set_string_member (rec, "id", id);
      json_object_set_string_member (rec, "name", group_names[i]);
      json_object_set_int_member (rec, "members",
                                  i == 0 ? n_users : 1 + rng_range (&rng, MAX (n_users / 3, 1)));
      json_array_add_object_element (out, rec);
    }
  return out;
}

static JsonArray *
build_discovered (PorticoSandboxData *data, const char *app_id)
{
  JsonArray *out = json_array_new ();
  Rng rng;

  rng_init (&rng, data->seed, app_id, "discovered");
  for (guint i = 0; i < data->apps->len; i++)
    {
      App *app = data->apps->pdata[i];
      JsonObject *rec;

      if (g_str_equal (app->id, app_id) || rng_double (&rng) >= 0.6)
        continue;
      rec = json_object_new ();
      json_object_set_string_member (rec, "id", app->id);
      json_object_set_string_member (rec, "name", app->name);
      json_object_set_int_member (rec, "users", app_users (data, app->id)->users->len);
      json_object_set_double_member (rec, "spend", (double) (100 * (1 + rng_range (&rng, 400))));
      json_array_add_object_element (out, rec);
    }
  for (guint i = 0; i < G_N_ELEMENTS (other_discovered); i++)
    {
      JsonObject *rec;
      g_autofree char *id = NULL;

      if (find_app (data, other_discovered[i]) != NULL || rng_double (&rng) >= 0.7)
        continue;
      rec = json_object_new ();
      id = g_ascii_strdown (other_discovered[i], -1);
      json_object_set_string_member (rec, "id", id);
      json_object_set_string_member (rec, "name", other_discovered[i]);
      json_object_set_int_member (rec, "users", 2 + rng_range (&rng, MAX (data->size / 2, 1)));
      json_object_set_double_member (rec, "spend", (double) (100 * (1 + rng_range (&rng, 200))));
      json_array_add_object_element (out, rec);
    }
  return out;
}

static void emit_app_assignments (PorticoSandboxData          *data,
                                  const char                  *app_id,
                                  PorticoSandboxDataRecordFunc func,
                                  gpointer                     user_data);

/* Who the identity provider @app_id assigned to each app it discovered:
 * its own users who are also people of that app (they sign in to it
 * through the provider), {"app_id", "app_name", "user_id", "email", "name",
 * "principal_type": "user"}, then one of its groups, {"app_id", "app_name",
 * "user_id" (the group's id), "name", "principal_type": "group"}, per discovered app
 * in the order the provider lists them. A provider whose answers cannot
 * tell a group from a person lists the people only (the server drops the
 * groups for a map without principal_type). */
static void
emit_app_assignments (PorticoSandboxData          *data,
                      const char                  *app_id,
                      PorticoSandboxDataRecordFunc func,
                      gpointer                     user_data)
{
  g_autoptr(JsonArray) discovered = build_discovered (data, app_id);
  g_autoptr(JsonArray) groups = build_groups (data, app_id);
  AppUsers *idp_users = app_users (data, app_id);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint8 *people = g_new (guint8, data->people->len);

  for (guint d = 0; d < json_array_get_length (discovered); d++)
    {
      const char *app = json_object_get_string_member (json_array_get_object_element (discovered, d), "id");
      const char *app_name = json_object_get_string_member (json_array_get_object_element (discovered, d), "name");
      AppUsers *users = app_users (data, app);

      /* An app listed twice (a discovered name that is also a catalog
       * app's id) has one set of assignments. */
      if (!g_hash_table_add (seen, (gpointer) app))
        continue;

      memset (people, 0, data->people->len);
      for (guint i = 0; i < users->users->len; i++)
        people[app_user_at (users, i)->person] = 1;
      for (guint i = 0; i < idp_users->users->len; i++)
        {
          AppUser *u = app_user_at (idp_users, i);
          Person *p = app_user_person (data, u);
          g_autofree char *id = NULL;
          JsonObject *rec;

          if (!people[u->person])
            continue;
          id = app_user_id (idp_users, u);
          rec = json_object_new ();
          json_object_set_string_member (rec, "app_id", app);
          json_object_set_string_member (rec, "user_id", id);
          json_object_set_string_member (rec, "email", p->email);
          json_object_set_string_member (rec, "name", p->name);
          json_object_set_string_member (rec, "principal_type", "user");
          json_object_set_string_member (rec, "app_name", app_name);
          func (rec, user_data);
          json_object_unref (rec);
        }
      if (json_array_get_length (groups) > 0)
        {
          JsonObject *g = json_array_get_object_element (groups, d % json_array_get_length (groups));
          JsonObject *rec = json_object_new ();

          json_object_set_string_member (rec, "app_id", app);
          json_object_set_string_member (rec, "user_id", json_object_get_string_member (g, "id"));
          json_object_set_string_member (rec, "name", json_object_get_string_member (g, "name"));
          json_object_set_string_member (rec, "principal_type", "group");
          json_object_set_string_member (rec, "app_name", app_name);
          func (rec, user_data);
          json_object_unref (rec);
        }
    }
}

static void
add_record (JsonObject *record, gpointer user_data)
{
  json_array_add_object_element (user_data, json_object_ref (record));
}

static JsonArray *
build_app_assignments (PorticoSandboxData *data, const char *app_id)
{
  JsonArray *out = json_array_new ();

  emit_app_assignments (data, app_id, add_record, out);
  return out;
}

/* The grants of an identity provider whose apps are the grants its users
 * made (Google's token authorize events, one per user and app): for each
 * app it discovered, one record per person it assigned, with the app's
 * "id" and "name" and the person's "app_id", "user_id" and "email". Every
 * discovered app comes from a grant: one nobody was assigned to was granted
 * by the provider's first user. The first person of an app several people
 * use granted it twice (an authorize event for each time): one person. */
JsonArray *
portico_sandbox_data_build_grants (PorticoSandboxData *data,
                                   const char         *app_id)
{
  g_autoptr(JsonArray) discovered = NULL;
  g_autoptr(JsonArray) assigned = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  AppUsers *idp_users;
  g_autoptr(JsonObject) first_user = NULL;
  JsonArray *out;

  g_return_val_if_fail (data != NULL && app_id != NULL, NULL);

  discovered = build_discovered (data, app_id);
  assigned = build_app_assignments (data, app_id);
  idp_users = app_users (data, app_id);
  out = json_array_new ();
  for (guint d = 0; d < json_array_get_length (discovered); d++)
    {
      JsonObject *app = json_array_get_object_element (discovered, d);
      const char *id = json_object_get_string_member (app, "id");
      guint first = json_array_get_length (out);
      guint granted = 0;

      if (!g_hash_table_add (seen, (gpointer) id))
        continue;
      for (guint i = 0; i <= json_array_get_length (assigned); i++)
        {
          JsonObject *a;
          JsonObject *rec;

          if (i < json_array_get_length (assigned))
            {
              a = json_array_get_object_element (assigned, i);
              /* Grants are made by people: a group assignment grants nothing. */
              if (g_strcmp0 (json_object_get_string_member (a, "app_id"), id) != 0 ||
                  g_strcmp0 (json_object_get_string_member_with_default (a, "principal_type", "user"), "user") != 0)
                continue;
            }
          else if (granted == 0 && idp_users->users->len > 0)
            {
              if (first_user == NULL)
                first_user = app_user_object (data, app_id, idp_users, 0);
              a = first_user;
            }
          else
            break;
          rec = json_object_new ();
          json_object_set_string_member (rec, "id", id);
          json_object_set_string_member (rec, "name", json_object_get_string_member (app, "name"));
          json_object_set_string_member (rec, "app_id", id);
          json_object_set_string_member (rec, "user_id",
                                         json_object_get_string_member (a, json_object_has_member (a, "user_id")
                                                                           ? "user_id" : "id"));
          json_object_set_string_member (rec, "email", json_object_get_string_member (a, "email"));
          json_array_add_object_element (out, rec);
          granted++;
        }
      if (granted > 1)
        {
          JsonNode *again = json_node_copy (json_array_get_element (out, first));

          /* json_node_copy shares the object: the record is never changed. */
          json_array_add_element (out, again);
        }
    }
  return out;
}

JsonArray *
portico_sandbox_data_build (PorticoSandboxData *data,
                            const char         *app_id,
                            const char         *data_type_id,
                            const char * const *custom_field_labels)
{
  g_return_val_if_fail (data != NULL && app_id != NULL && data_type_id != NULL, NULL);

  if (g_str_equal (data_type_id, "users") || g_str_equal (data_type_id, "usage")
      || g_str_equal (data_type_id, "custom_fields"))
    return build_users_like (data, app_id, data_type_id, custom_field_labels);
  if (g_str_equal (data_type_id, "licenses"))
    return build_licenses (data, app_id);
  if (g_str_equal (data_type_id, "transactions"))
    return build_transactions (data, app_id);
  if (g_str_equal (data_type_id, "groups"))
    return build_groups (data, app_id);
  if (g_str_equal (data_type_id, "discovered_apps"))
    return build_discovered (data, app_id);
  if (g_str_equal (data_type_id, "app_assignments"))
    return build_app_assignments (data, app_id);
  return json_array_new ();
}

void
portico_sandbox_data_foreach (PorticoSandboxData          *data,
                              const char                  *app_id,
                              const char                  *data_type_id,
                              const char * const          *custom_field_labels,
                              PorticoSandboxDataRecordFunc func,
                              gpointer                     user_data)
{
  g_autoptr(JsonArray) records = NULL;

  g_return_if_fail (data != NULL && app_id != NULL && data_type_id != NULL && func != NULL);

  /* The long lists one at a time; the others are short. */
  if (g_str_equal (data_type_id, "users") || g_str_equal (data_type_id, "usage")
      || g_str_equal (data_type_id, "custom_fields"))
    {
      AppUsers *users = app_users (data, app_id);

      for (guint i = 0; i < users->users->len; i++)
        {
          g_autoptr(JsonObject) rec = users_like_record (data, app_id, users, i, data_type_id,
                                                         custom_field_labels);

          if (rec != NULL)
            func (rec, user_data);
        }
      return;
    }
  if (g_str_equal (data_type_id, "app_assignments"))
    {
      emit_app_assignments (data, app_id, func, user_data);
      return;
    }
  records = portico_sandbox_data_build (data, app_id, data_type_id, custom_field_labels);
  for (guint i = 0; i < json_array_get_length (records); i++)
    func (json_array_get_object_element (records, i), user_data);
}

char *
portico_sandbox_data_external_id (PorticoSandboxData *data,
                                  const char         *app_id,
                                  const char         *tenant)
{
  const char *t = tenant != NULL && *tenant ? tenant : "acme";

  return g_strdup_printf ("%s-%s-%06x", t, app_id,
                          (guint) ((fnv1a (app_id) ^ fnv1a (t) ^ data->seed) & 0xffffff));
}

char *
portico_sandbox_data_account_name (PorticoSandboxData *data,
                                   const char         *app_id,
                                   const char         *tenant)
{
  g_autofree char *t = g_strdup (tenant != NULL && *tenant ? tenant : "acme");

  t[0] = g_ascii_toupper (t[0]);
  return g_strdup_printf ("%s Inc. (%s)", t, app_name (data, app_id));
}
