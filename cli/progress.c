/*
 * Progress for people and for programs, for one drive or many at once.
 *
 * On a terminal: a line per drive, redrawn in place at most every 0.2 s,
 *   /dev/sdb    write 1/1  [#####.........]  45.2%   812.0 MB/s  ETA 0:01:23
 * With --json: one object per line on stdout, per drive at most once a
 * second plus the end of each phase. Otherwise quiet: a log file gets the
 * summary, not noise.
 *
 * The engine calls wp_board_progress from each drive's own thread, so the
 * board is guarded by one mutex; whichever drive reports draws all rows.
 */
#include "cli.h"
#include "i18n.h"

#include <jansson.h>
#include <string.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define DRAW_INTERVAL 0.2
#define JSON_INTERVAL 1.0

int wp_board_init(struct wp_board *b, const char *const *devices, size_t n, bool json)
{
	memset(b, 0, sizeof(*b));
	if (pthread_mutex_init(&b->lock, NULL) != 0)
		return -1;
	b->json = json;
	b->tty = !json && isatty(STDERR_FILENO);
	b->last_draw = -1e9;
	b->n = n < WP_MAX_DEVICES ? n : WP_MAX_DEVICES;
	for (size_t i = 0; i < b->n; i++) {
		b->rows[i].board = b;
		b->rows[i].device = devices[i];
		b->rows[i].last_json = -1e9;
	}
	return 0;
}

void wp_board_destroy(struct wp_board *b)
{
	pthread_mutex_destroy(&b->lock);
}

static void format_eta(double eta, char *buf, size_t len)
{
	if (eta < 0) {
		snprintf(buf, len, "--:--");
		return;
	}
	unsigned long s = (unsigned long)(eta + 0.5);
	snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static void print_json(struct wp_board_row *row, const struct wp_progress *p)
{
	double now = wp_now();
	if (!p->final && now - row->last_json < JSON_INTERVAL)
		return;
	row->last_json = now;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:b}",
			      "event", "progress", "device", row->device, "phase", p->phase,
			      "pass", (json_int_t)p->pass, "passes", (json_int_t)p->npasses,
			      "done_bytes", (json_int_t)p->done, "total_bytes", (json_int_t)p->total,
			      "percent", p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
			      "rate_bytes_per_s", (json_int_t)p->rate, "eta_s", p->eta,
			      "final", p->final);
	if (o) {
		json_dumpf(o, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		fflush(stdout);
	}
	json_decref(o);
}

static void draw_row(const struct wp_board_row *row)
{
	const struct wp_progress *p = &row->last;
	char label[32], bar[BAR_WIDTH + 1], eta[32];
	double frac = row->have && p->total ? (double)p->done / (double)p->total : 0.0;
	if (row->state[0])
		snprintf(label, sizeof(label), "%s", row->state);
	else if (!row->have)
		snprintf(label, sizeof(label), _("starting"));
	else if (p->npasses > 1 || p->pass > 1)
		snprintf(label, sizeof(label), "%s %zu/%zu", p->phase, p->pass, p->npasses);
	else
		snprintf(label, sizeof(label), "%s", p->phase);
	int filled = (int)(frac * BAR_WIDTH);
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	format_eta(row->state[0] || p->final ? 0 : p->eta, eta, sizeof(eta));
	fprintf(stderr, "\r\033[K%-12s %-11s [%s] %5.1f%%  %8.1f MB/s  ETA %s\n", row->device,
		label, bar, 100.0 * frac, row->have ? p->rate / 1e6 : 0.0, eta);
}

/* Redraw every row; called with the lock held. */
static void draw_locked(struct wp_board *b)
{
	if (b->drawn > 0)
		fprintf(stderr, "\033[%zuA", b->drawn);
	for (size_t i = 0; i < b->n; i++)
		draw_row(&b->rows[i]);
	b->drawn = b->n;
	b->last_draw = wp_now();
	fflush(stderr);
}

void wp_board_progress(const struct wp_progress *p, void *ctx)
{
	struct wp_board_row *row = ctx;
	struct wp_board *b = row->board;
	pthread_mutex_lock(&b->lock);
	row->last = *p;
	row->have = true;
	if (b->json)
		print_json(row, p);
	else if (b->tty && (p->final || wp_now() - b->last_draw >= DRAW_INTERVAL))
		draw_locked(b);
	pthread_mutex_unlock(&b->lock);
}

void wp_board_set_state(struct wp_board_row *row, const char *state)
{
	struct wp_board *b = row->board;
	pthread_mutex_lock(&b->lock);
	snprintf(row->state, sizeof(row->state), "%s", state);
	if (b->tty)
		draw_locked(b);
	pthread_mutex_unlock(&b->lock);
}

void wp_board_finish(struct wp_board *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->tty && b->drawn > 0)
		draw_locked(b);
	b->drawn = 0; /* later output goes below, never over, the rows */
	pthread_mutex_unlock(&b->lock);
}
