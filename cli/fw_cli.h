/*
 * Firmware capabilities and plans as the commands show them (fwcaps.c);
 * shared by list, plan and wipe. Not a module interface.
 */
#ifndef WP_FW_CLI_H
#define WP_FW_CLI_H

#include "cli.h"

json_t *wp_caps_to_json(const struct wp_fw_caps *caps);
/* "    firmware: ..." lines under a device in tables. */
void wp_print_caps(FILE *out, const struct wp_fw_caps *caps);

#endif
