/*
 * wipeproof plan DEV [--level clear|purge] [--method M] [--json]: the
 * method `wipe` would use on DEV, the NIST SP 800-88 category it reaches
 * and why, what the disk's firmware can do, and what it hides. Read-only:
 * the disk is asked with identify commands at most.
 */
#include "fw_cli.h"
#include "station.h"
#include "wptext.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static const char *level_name(enum wp_level level)
{
	return level == WP_LEVEL_PURGE ? "purge" : level == WP_LEVEL_CLEAR ? "clear" : "best";
}

static void print_json(const struct wp_cmdline *cl, const struct wp_device *dev,
		       const struct wp_fw_caps *caps, const struct wp_plan *plan, bool ok)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:o}", "device", dev->path,
			      "kind", wp_kind_name(dev->kind), "media", wp_media_name(wp_media_of(dev)),
			      "level", level_name(cl->level), "size_bytes", (json_int_t)dev->size_bytes,
			      "protected", dev->protected_, "capabilities", wp_caps_to_json(caps));
	if (ok) {
		wp_json_set(o, "method", json_string(plan->method->name));
		wp_json_set(o, "nist_category", json_string(wp_nist_name(plan->category)));
		wp_json_set(o, "reason", json_string(plan->reason));
		wp_json_set(o, "nist_source", json_string(plan->source));
		wp_json_set(o, "advice", json_string(plan->advice));
	} else {
		wp_json_set(o, "method", json_null());
		wp_json_set(o, "refusal", json_string(plan->refusal));
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
}

static void print_text(const struct wp_device *dev, const struct wp_fw_caps *caps,
		       const struct wp_plan *plan, bool ok)
{
	char what[512];
	wp_device_describe(dev, what, sizeof(what));
	printf("%s: %s\n", dev->path, what);
	if (ok) {
		printf(_("  method     %s (%s)\n"), plan->method->name, plan->method->description);
		printf(_("  NIST       %s (SP 800-88)\n"), wp_nist_name(plan->category));
		printf(_("  why        %s\n"), plan->reason);
		printf(_("  source     %s\n"), plan->source);
		if (plan->advice[0])
			printf(_("  advice     %s\n"), plan->advice);
	}
	wp_print_caps(stdout, caps);
	for (size_t i = 0; i < dev->n_reasons; i++)
		printf(_("  PROTECTED  %s: %s (wipe will refuse it)\n"), wp_reason_label(dev->reasons[i].code),
		       dev->reasons[i].text);
}

int wp_cmd_plan(const struct wp_cmdline *cl)
{
	char err[512];
	struct wp_device *dev = malloc(sizeof(*dev));
	struct wp_fw_caps *caps = malloc(sizeof(*caps));
	struct wp_plan *plan = malloc(sizeof(*plan));
	int code = WP_EXIT_FAILED;
	if (!dev || !caps || !plan)
		goto out;
	code = WP_EXIT_USAGE;
	if (wp_media_probe(cl->devices[0], NULL, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		goto out;
	}
	wp_device_caps(dev, caps);
	const struct wp_method *forced = cl->method ? wp_method_find(cl->method) : NULL;
	bool ok = wp_plan_make(wp_media_of(dev), caps, cl->level, forced, plan) == 0;
	/* issue 17: the class's minimum level, under the classes of the
	 * ledger's policy in force (--ledger, else the configured ledger when
	 * it exists), else the default set */
	if (ok && cl->confidentiality) {
		bool from_ledger;
		int rc = wp_station_plan_class(wp_cli_ledger(cl->ledger_path),
					       wp_cli_keys(cl->keys_dir), cl->ledger_path != NULL,
					       cl->confidentiality,
					       plan->category == WP_NIST_NONE ? "none"
					       : wp_nist_name(plan->category), &from_ledger,
					       plan->refusal, sizeof(plan->refusal));
		if (rc != WP_STATION_OK && rc != WP_STATION_REFUSED) {
			/* bad input or an unreadable ledger: nothing planned */
			fprintf(stderr, _("wipeproof: plan %s: %s\n"), dev->path, plan->refusal);
			code = rc;
			goto out;
		}
		if (rc == WP_STATION_REFUSED) {
			ok = false;
			plan->method = NULL;
		}
	}
	if (cl->json)
		print_json(cl, dev, caps, plan, ok);
	else
		print_text(dev, caps, plan, ok);
	if (!ok)
		fprintf(stderr, _("wipeproof: refusing to plan %s at level %s: %s\n"), dev->path,
			level_name(cl->level), plan->refusal);
	code = ok ? WP_EXIT_OK : WP_EXIT_REFUSED;
out:
	free(dev);
	free(caps);
	free(plan);
	return code;
}
