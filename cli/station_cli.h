/*
 * Station mode in the CLI (cmd_watch.c, station_policy.c, cmd_freespace.c):
 * `watch` follows hot-plugged disks, takes them in and, where the station
 * policy allows, wipes them; `freespace` wipes a mounted filesystem's free
 * space. Not a module interface: only these files and main.c include it.
 */
#ifndef WP_STATION_CLI_H
#define WP_STATION_CLI_H

#include "cli.h"
#include "station.h"

int wp_cmd_watch_main(int argc, char **argv);
int wp_cmd_freespace_main(int argc, char **argv);
/* `wipeproof resume [JOB]` (cmd_resume.c): continue an interrupted wipe. */
int wp_cmd_resume_main(int argc, char **argv);
void wp_resume_usage(FILE *out);
void wp_watch_usage(FILE *out);
void wp_freespace_usage(FILE *out);

#endif
