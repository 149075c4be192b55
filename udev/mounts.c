/*
 * /proc/self/mountinfo, read in one place: the guard's usage table
 * (sysfs.c: which disks are mounted) and the mount lookup of a folder
 * (free-space wipe: which filesystem is mounted exactly there) split the
 * lines the same way, so an escaped space in a mount point or a source
 * means the same to both.
 */
#include "udev_internal.h"
#include "wpi18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* /proc escapes space, tab, newline and backslash as \ooo. */
void wp_unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) |
				      (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* "36 35 98:0 /root /mnt opts [optional tags] - ext4 /dev/x super-opts" */
int wp_mountinfo_split(char *line, struct wp_mountinfo *m)
{
	char *field[6] = { 0 };
	char *save = NULL;
	int i = 0;

	memset(m, 0, sizeof(*m));
	for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		if (i < 6)
			field[i] = t;
		if (i >= 6 && strcmp(t, "-") == 0) {
			m->fstype = strtok_r(NULL, " \n", &save);
			m->source = m->fstype ? strtok_r(NULL, " \n", &save) : NULL;
			break;
		}
		i++;
	}
	if (!field[4] || !m->source || sscanf(field[2], "%u:%u", &m->major, &m->minor) != 2)
		return -1;
	m->dir = field[4];
	wp_unescape_octal(m->dir);
	wp_unescape_octal(m->source);
	return 0;
}

/* The last mount on exactly DIR wins: mounts stack. */
static int find_mount(const char *dir, struct wp_mount *out, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	if (!f) {
		snprintf(err, errlen, _("cannot read /proc/self/mountinfo: %s"), strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		struct wp_mountinfo m;
		if (wp_mountinfo_split(line, &m) < 0 || strcmp(m.dir, dir) != 0)
			continue;
		found = true;
		snprintf(out->dir, sizeof(out->dir), "%s", m.dir);
		snprintf(out->fstype, sizeof(out->fstype), "%s", m.fstype);
		snprintf(out->source, sizeof(out->source), "%s", m.source);
	}
	free(line);
	fclose(f);
	if (!found)
		snprintf(err, errlen, _("%.512s is not a mount point; give the folder the filesystem "
			 "is mounted on (see 'findmnt')"), dir);
	return found ? 0 : -1;
}

int wp_mount_lookup(const char *path, struct wp_mount *out, char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		snprintf(err, errlen, _("cannot find %s: %s; give a mount point such as /srv"), path,
			 strerror(errno));
		return -1;
	}
	return find_mount(real, out, err, errlen);
}
