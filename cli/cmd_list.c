/* wipeproof list: every whole disk, and why a disk is protected. */
#include "cli.h"

int wp_cmd_list(const struct wp_cmdline *cl)
{
	char err[512];
	struct wp_device_list list;
	if (wp_media_enumerate(&list, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: list: %s\n", err);
		return WP_EXIT_FAILED;
	}
	if (cl->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < list.n; i++)
			json_array_append_new(arr, wp_device_to_json(&list.items[i]));
		json_t *root = json_pack("{s:o}", "devices", arr);
		json_dumpf(root, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		wp_print_device_table(stdout, &list);
	}
	wp_media_list_free(&list);
	return WP_EXIT_OK;
}
