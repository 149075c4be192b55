/*
 * The policy table (issue 17, items 1 and 3): confidentiality classes, the
 * minimum NIST SP 800-88 level each class demands, and which actions need
 * an approver's prior permission for which kind of asset and class. A
 * policy event's body carries it (custody/README.md, Policy table); a
 * ledger whose policy names no classes uses the default set below, and
 * one whose policy has no table decides by "approval_required" alone, as
 * before the table existed.
 */
#include "custody_internal.h"
#include "wpi18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* MIC's 機密性1–3 and the company standard's 社内限り / 社外秘 / 極秘 on one
 * scale (rank 3 the most confidential). The minimum follows the MIC
 * guideline's 2020 revision, which cites SP 800-88 Rev.1: Clear for low,
 * Purge (or Destroy) for high. */
static const struct {
	const char *name;
	int rank;
	const char *min_level;
} default_classes[] = {
	{ "機密性3", 3, "purge" }, { "機密性2", 2, "clear" }, { "機密性1", 1, "clear" },
	{ "極秘", 3, "purge" },    { "社外秘", 2, "clear" },  { "社内限り", 1, "clear" },
};

static const char *const levels[] = { "none", "clear", "purge", "destroy", NULL };

int wp_policy_level_rank(const char *level)
{
	for (int i = 0; level && levels[i]; i++)
		if (strcasecmp(level, levels[i]) == 0)
			return i;
	return -1;
}

int wp_policy_class(const json_t *policy, const char *name, int *rank, const char **min_level)
{
	const json_t *list = json_object_get(policy, "classes"), *c;
	size_t i;
	if (!name || !name[0])
		return -1;
	if (json_is_array(list)) {
		json_array_foreach(list, i, c) {
			const char *n = json_string_value(json_object_get(c, "name"));
			if (n && strcmp(n, name) == 0) {
				*rank = (int)json_integer_value(json_object_get(c, "rank"));
				*min_level = json_string_value(json_object_get(c, "min_level"));
				return 0;
			}
		}
		return -1;
	}
	for (i = 0; i < sizeof(default_classes) / sizeof(default_classes[0]); i++)
		if (strcmp(default_classes[i].name, name) == 0) {
			*rank = default_classes[i].rank;
			*min_level = default_classes[i].min_level;
			return 0;
		}
	return -1;
}

void wp_policy_class_names(const json_t *policy, char *out, size_t len)
{
	const json_t *list = json_object_get(policy, "classes"), *c;
	size_t i, used = 0;
	out[0] = '\0';
	if (json_is_array(list)) {
		json_array_foreach(list, i, c) {
			used = strlen(out);
			snprintf(out + used, len - used, "%s%s", used ? ", " : "",
				 json_string_value(json_object_get(c, "name")));
		}
		return;
	}
	for (i = 0; i < sizeof(default_classes) / sizeof(default_classes[0]); i++) {
		used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? ", " : "", default_classes[i].name);
	}
}

int wp_policy_highest_class(const json_t *policy, const char *list, char *out, size_t len,
			    char *err, size_t errlen)
{
	char word[128], names[512];
	int best = -1, rank;
	const char *min;
	out[0] = '\0';
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), p);
		if (n >= sizeof(word) || wp_policy_class(policy, word, &rank, &min) < 0) {
			wp_policy_class_names(policy, names, sizeof(names));
			snprintf(err, errlen, _("confidentiality class '%s' is not one of the policy's "
				 "classes (%s); give the class of the information on the medium, the "
				 "highest first or a comma-separated list"), word, names);
			return -1;
		}
		if (rank > best) {
			best = rank;
			snprintf(out, len, "%s", word);
		}
		p += n + (p[n] == ',');
	}
	if (best < 0) {
		snprintf(err, errlen, _("--confidentiality needs at least one class"));
		return -1;
	}
	return 0;
}

/* ---- the policy body ---------------------------------------------------- */

static const char *const actions[] = { "wipe", "destroy", "transfer", "release", NULL };

static bool in_list(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* A list of non-empty strings, each (when set is given) one of set. */
static int string_list(const json_t *v, const char *what, const char *const *set, size_t row,
		       char *err, size_t errlen)
{
	const json_t *x;
	size_t i;
	if (!json_is_array(v) || json_array_size(v) == 0)
		goto bad;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) >= 64 ||
		    (set && !in_list(json_string_value(x), set)))
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, _("policy approval row %zu: '%s' must be a non-empty list of %s"), row,
		 what, set ? "wipe, destroy, transfer, release" : "names");
	return -1;
}

static int check_classes(const json_t *list, char *err, size_t errlen)
{
	const json_t *c;
	size_t i, j;
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 32) {
		snprintf(err, errlen, _("policy 'classes' must be a list of 1 to 32 classes"));
		return -1;
	}
	json_array_foreach(list, i, c) {
		const json_t *name = json_object_get(c, "name"), *rank = json_object_get(c, "rank");
		const char *min = json_string_value(json_object_get(c, "min_level"));
		if (!json_is_string(name) || json_string_length(name) == 0 ||
		    json_string_length(name) >= 64 || strchr(json_string_value(name), ',') ||
		    !json_is_integer(rank) || json_integer_value(rank) < 0 ||
		    json_integer_value(rank) > 99 || wp_policy_level_rank(min) < 0 ||
		    json_object_size(c) != 3) {
			snprintf(err, errlen, _("policy class %zu must be {\"name\": text without a comma, "
				 "\"rank\": 0-99 (higher is more confidential), \"min_level\": none, "
				 "clear, purge or destroy}"), i + 1);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(list, j), "name"), name)) {
				snprintf(err, errlen, _("policy class '%s' is defined twice"),
					 json_string_value(name));
				return -1;
			}
	}
	return 0;
}

static int check_row(const json_t *policy, const json_t *row, size_t n, char *err, size_t errlen)
{
	static const char *const keys[] = { "actions", "kinds", "classes", "required",
					    "witness_role", NULL };
	const char *key;
	const json_t *v;
	int rank;
	const char *min;
	if (!json_is_object(row) || !json_is_boolean(json_object_get(row, "required"))) {
		snprintf(err, errlen, _("policy approval row %zu needs \"required\": true or false"), n);
		return -1;
	}
	json_object_foreach((json_t *)row, key, v) {
		if (!in_list(key, keys)) {
			snprintf(err, errlen, _("policy approval row %zu: unknown member '%s' (actions, "
				 "kinds, classes, required, witness_role)"), n, key);
			return -1;
		}
	}
	if ((v = json_object_get(row, "actions")) && string_list(v, "actions", actions, n, err, errlen) < 0)
		return -1;
	if ((v = json_object_get(row, "kinds")) && string_list(v, "kinds", NULL, n, err, errlen) < 0)
		return -1;
	if ((v = json_object_get(row, "classes"))) {
		if (string_list(v, "classes", NULL, n, err, errlen) < 0)
			return -1;
		size_t i;
		const json_t *c;
		json_array_foreach(v, i, c) {
			if (wp_policy_class(policy, json_string_value(c), &rank, &min) < 0) {
				snprintf(err, errlen, _("policy approval row %zu names class '%s', which "
					 "the policy's classes do not define"), n, json_string_value(c));
				return -1;
			}
		}
	}
	const char *role = json_string_value(json_object_get(row, "witness_role"));
	if (json_object_get(row, "witness_role") &&
	    (!role || (strcmp(role, "approver") != 0 && strcmp(role, "witness") != 0))) {
		snprintf(err, errlen, _("policy approval row %zu: witness_role must be \"approver\" (a "
			 "manager must witness) or \"witness\""), n);
		return -1;
	}
	return 0;
}

int wp_policy_body_check(const json_t *body, char *err, size_t errlen)
{
	if (!json_is_boolean(json_object_get(body, "approval_required"))) {
		snprintf(err, errlen, _("a policy event needs a boolean 'approval_required'"));
		return -1;
	}
	const json_t *classes = json_object_get(body, "classes");
	if (classes && check_classes(classes, err, errlen) < 0)
		return -1;
	const json_t *table = json_object_get(body, "approval"), *row;
	size_t i;
	if (!table)
		return 0;
	if (!json_is_array(table) || json_array_size(table) > 64) {
		snprintf(err, errlen, _("policy 'approval' must be a list of at most 64 rows"));
		return -1;
	}
	json_array_foreach(table, i, row)
		if (check_row(body, row, i + 1, err, errlen) < 0)
			return -1;
	return 0;
}

/* ---- deciding ------------------------------------------------------------ */

static bool row_names(const json_t *row, const char *key, const char *value)
{
	const json_t *list = json_object_get(row, key), *x;
	size_t i;
	if (!list)
		return true; /* no filter */
	json_array_foreach(list, i, x)
		if (value && strcmp(json_string_value(x), value) == 0)
			return true;
	return false;
}

const json_t *wp_policy_row(const json_t *policy, const struct wp_asset_state *st,
			    const char *action, size_t *index)
{
	const json_t *table = json_object_get(policy, "approval"), *row;
	size_t i;
	json_array_foreach(table, i, row) {
		if (row_names(row, "actions", action) && row_names(row, "kinds", st->asset_kind) &&
		    row_names(row, "classes", st->confidentiality)) {
			if (index)
				*index = i + 1;
			return row;
		}
	}
	return NULL;
}

bool wp_policy_needs_approval(const json_t *policy, const struct wp_asset_state *st,
			      const char *action)
{
	const json_t *row = action ? wp_policy_row(policy, st, action, NULL) : NULL;
	if (row)
		return json_is_true(json_object_get(row, "required"));
	return !json_is_false(json_object_get(policy, "approval_required"));
}

int wp_policy_level_check(const json_t *policy, const struct wp_asset_state *st,
			  const char *category, char *err, size_t errlen)
{
	int rank;
	const char *min = NULL;
	if (!st->confidentiality[0])
		return 0;
	if (wp_policy_class(policy, st->confidentiality, &rank, &min) < 0) {
		snprintf(err, errlen, _("asset %s is of confidentiality class '%s', which the policy in "
			 "force no longer defines; record a policy that defines it (custody init "
			 "--policy FILE) before sanitizing it"), st->asset, st->confidentiality);
		return -1;
	}
	int have = wp_policy_level_rank(category), need = wp_policy_level_rank(min);
	if (have < 0)
		have = 0; /* an unknown category reaches nothing we can name */
	if (have >= need)
		return 0;
	/* a state that is no asset (plan --confidentiality) speaks of the medium */
	snprintf(err, errlen, _("%s%s holds information of class %s, and the policy requires "
		 "at least NIST %s for %s (rule: class -> minimum NIST SP 800-88 level, MIC "
		 "guideline 3.4.1); this method reaches %s: choose a method that reaches %s "
		 "('wipeproof plan DEV --level %s') or destroy the medium"),
		 st->exists ? _("asset ") : "", st->exists ? st->asset : _("the medium"),
		 st->confidentiality, min, st->confidentiality, category && category[0] ? category
		 : "none", min, strcmp(min, "destroy") == 0 ? "purge" : min);
	return -1;
}

json_t *wp_policy_default_table(void)
{
	json_t *classes = json_array();
	for (size_t i = 0; i < sizeof(default_classes) / sizeof(default_classes[0]); i++)
		json_array_append_new(classes, json_pack("{s:s, s:i, s:s}", "name",
							 default_classes[i].name, "rank",
							 default_classes[i].rank, "min_level",
							 default_classes[i].min_level));
	/* every destruction with an approval and a manager as witness (R8, MIC
	 * ⑩); the lowest class on a USB stick or card may be wiped and released
	 * at the station (R7, R13); everything else needs approval (R10) */
	json_t *table = json_pack(
		"[{s:[s], s:b, s:s}, {s:[s,s], s:[s,s], s:[s,s], s:b}, {s:b}]",
		"actions", "destroy", "required", 1, "witness_role", "approver",
		"actions", "wipe", "release", "kinds", "usb", "sd", "classes", "機密性1", "社内限り",
		"required", 0, "required", 1);
	return json_pack("{s:b, s:o, s:o}", "approval_required", 1, "classes", classes,
			 "approval", table);
}
