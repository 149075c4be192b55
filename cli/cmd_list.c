/* wipeproof list: every whole disk, why a disk is protected, and which
 * firmware erase methods it supports (asked with read-only identify
 * commands, only in the command set its transport suggests). */
#include "fw_cli.h"
#include "wptext.h"
#include "i18n.h"

#include <stdlib.h>

static void print_firmware(const struct wp_device_list *list, const struct wp_fw_caps *caps)
{
	if (list->n == 0)
		return;
	printf("%s", _("\nFIRMWARE ERASE (wipeproof plan DEV: the method and NIST level)\n"));
	for (size_t i = 0; i < list->n; i++) {
		printf("%s\n", list->items[i].path);
		wp_print_caps(stdout, &caps[i]);
	}
}

int wp_cmd_list(const struct wp_cmdline *cl)
{
	char err[512];
	struct wp_device_list list;
	if (wp_media_enumerate(&list, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: list: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	struct wp_fw_caps *caps = calloc(list.n ? list.n : 1, sizeof(*caps));
	if (!caps) {
		wp_media_list_free(&list);
		return WP_EXIT_FAILED;
	}
	for (size_t i = 0; i < list.n; i++)
		wp_device_caps(&list.items[i], &caps[i]);
	if (cl->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < list.n; i++) {
			json_t *o = wp_device_to_json(&list.items[i]);
			wp_json_set(o, "capabilities", wp_caps_to_json(&caps[i]));
			wp_json_append(arr, o);
		}
		json_t *root = json_pack("{s:o}", "devices", arr);
		json_dumpf(root, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		wp_print_device_table(stdout, &list);
		print_firmware(&list, caps);
	}
	free(caps);
	wp_media_list_free(&list);
	return WP_EXIT_OK;
}
